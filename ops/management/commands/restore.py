"""manage.py restore ARCHIVE [--database NAME] [--media-root DIR]: into a new database and media directory."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.services import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore a backup into an empty (or new) database on the configured server and an empty media "
            "directory, then verify every row count and file SHA-256 against the manifest.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database", help="target database name (default: the configured one; created "
                                               "if missing, refused if it holds tables)")
        parser.add_argument("--media-root", type=Path, help="target documents directory (default MEDIA_ROOT)")

    def handle(self, *args, **opts):
        if not opts["archive"].is_file():
            raise CommandError(f"No archive at {opts['archive']}.")
        try:
            report = backup_restore(archive=opts["archive"], database=opts["database"],
                                    media_root=opts["media_root"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored into database {report.database!r}: {report.tables} tables, {report.rows} rows; "
                          f"{report.files} files ({report.bytes} bytes) into {report.media_root}; manifest verified")
