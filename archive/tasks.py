"""Worker jobs of the archive (autodiscovered by procrastinate.contrib.django): text extraction."""
from __future__ import annotations

from django.db import close_old_connections
from procrastinate.contrib.django import app

from archive import services

QUEUE = "archive"


@app.task(name="archive_extract_text", queue=QUEUE, retry=2)
def archive_extract_text(act_id: int) -> None:
    """The text of an act's new scans (text layer or OCR), then its search vector. Idempotent: files
    that already have their text are skipped."""
    close_old_connections()
    try:
        services.act_text_extract(act_id=act_id)
    finally:
        close_old_connections()
