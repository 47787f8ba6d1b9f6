"""Performance indicators of the issuers, their clerks and the partner institutions (SQL over the audit trails)."""
