"""Server-rendered pages of the web UI. Each module serves one audience; data that changes while
the page is open (analysis, fees, uploads, transitions) comes from the REST API through small ES modules."""
