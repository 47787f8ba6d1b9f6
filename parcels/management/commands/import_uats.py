"""manage.py import_uats FILE [--srid EPSG]"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from parcels.imports import ImportFileError
from parcels.imports.uats import import_uats_file
from parcels.management.commands._output import write_report


class Command(BaseCommand):
    help = ("Import UAT boundaries (attributes siruta, name, county, kind) from GeoJSON, GeoPackage or a zipped "
            "Shapefile; upsert by SIRUTA and create the mayor (issuer) of each new UAT.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--srid", type=int, help="EPSG code of the coordinates when the file declares none")

    def handle(self, *args, **options):
        try:
            report = import_uats_file(path=options["file"], srid=options["srid"])
        except ImportFileError as exc:
            raise CommandError(f"{options['file']}: {exc}") from None
        write_report(self, report, max_issues=None)
