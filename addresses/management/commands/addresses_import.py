"""manage.py addresses_import FILE: a GeoPackage or CSV into the street register (see addresses.imports)."""
from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from addresses.imports import register_import


class Command(BaseCommand):
    help = "Import streets, their names' history and building numbers (GeoPackage or CSV)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        try:
            record = register_import(path=Path(path))
        except ValidationError as exc:
            raise CommandError(str(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)) from None
        self.stdout.write(f"{record.source_name}: {record.streets} streets, {record.renamings} renamings, "
                          f"{record.numbers} numbers")
