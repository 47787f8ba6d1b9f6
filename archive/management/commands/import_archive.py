"""manage.py import_archive <folder or zip> --manifest manifest.csv --issuer <id or name>

Imports scanned paper acts with their manifest (columns: number, year, kind CU/AC/AD/other, holder,
cadastral_number, address, files — `;`-separated, the act first, then its annexes). Each row is
reported; a bad row does not stop the batch; running it again changes nothing. The text of the new
scans is extracted by the worker (`manage.py worker`), or here with --extract-now.
"""
from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from archive import files, services
from parcels.models import Issuer


class Command(BaseCommand):
    help = "Import scanned paper acts (PDF/TIFF) with a manifest CSV into an issuer's archive."

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", help="A folder or a .zip with the scans")
        parser.add_argument("--manifest", help="The manifest CSV (default: manifest.csv inside the source)")
        parser.add_argument("--issuer", required=True, help="Issuer id, or the SIRUTA code of its UAT")
        parser.add_argument("--language", default="ro", choices=["ro", "en"], help="Language of the report")
        parser.add_argument("--extract-now", action="store_true", help="Extract the text here instead of in the worker")

    def handle(self, *args, **options) -> None:
        with translation.override(options["language"]):
            self._run(options)

    def _run(self, options) -> None:
        issuer = self._issuer(options["issuer"])
        source_path = Path(options["source"])
        if not source_path.exists():
            raise CommandError(_("Sursa „%(path)s” nu există.") % {"path": source_path})
        try:
            source = files.open_source(source_path)
        except files.FileRefused as refused:
            raise CommandError(str(refused)) from None
        try:
            if options["manifest"]:
                with open(options["manifest"], "rb") as fh:  # bounded: a longer manifest is refused, not read
                    manifest = fh.read(services.MANIFEST_MAX_BYTES + 1)
            else:
                found = source.manifest()
                if found is None:
                    raise CommandError(_("Lipsește manifestul (--manifest sau manifest.csv în sursă)."))
                manifest = found
            try:
                report = services.archive_import(issuer=issuer, manifest=manifest, source=source)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        finally:
            source.close()
        for row in report.rows:
            if row.errors:
                self.stderr.write(_("Rândul %(row)s: %(errors)s") % {"row": row.row, "errors": " ".join(row.errors)})
        self.stdout.write(_("Importate: %(created)s noi, %(updated)s actualizate, %(unchanged)s neschimbate, "
                            "%(errors)s cu erori; %(placed)s plasate pe parcele, %(queued)s în coada de verificare.")
                          % {"created": report.count("created"), "updated": report.count("updated"),
                             "unchanged": report.count("unchanged"), "errors": report.count("error"),
                             "placed": report.placed, "queued": report.queued})
        if options["extract_now"]:
            for row in report.rows:
                if row.act_id and row.outcome != "unchanged":
                    services.act_text_extract(act_id=row.act_id)

    def _issuer(self, value: str) -> Issuer:
        issuer = None
        if value.isdigit():
            issuer = Issuer.objects.filter(pk=int(value)).first() or Issuer.objects.filter(uat__siruta=int(value)).first()
        if issuer is None:
            raise CommandError(_("Nu există emitentul „%(issuer)s”.") % {"issuer": value})
        return issuer
