"""manage.py backup [--output FILE]: the database and the stored documents into one archive (see README)."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ops.services import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc) and MEDIA_ROOT into one tar archive with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="archive path (default var/backups/gis-portal-<time>.tar)")
        parser.add_argument("--media-root", type=Path, help="documents directory (default MEDIA_ROOT)")

    def handle(self, *args, **opts):
        output = opts["output"] or (Path(settings.BASE_DIR) / "var" / "backups"
                                    / f"gis-portal-{timezone.now():%Y%m%d-%H%M%S}.tar")
        try:
            manifest = backup_create(output=output, media_root=opts["media_root"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["database"]["tables"]
        files = manifest["media"]["files"]
        self.stdout.write(f"{output}: {len(tables)} tables, {sum(tables.values())} rows, {len(files)} files "
                          f"({sum(f['size'] for f in files.values())} bytes)")
