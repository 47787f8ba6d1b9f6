"""manage.py import_parcels FILE [FILE ...] [--uat SIRUTA] [--srid EPSG] [--strict]

Several files are one load (a country's counties, say): one transaction, rows only added, indexes
rebuilt once when the load at least doubles the table (parcels.imports.loader.several_files).
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from parcels.imports import ImportFileError, IndexBuildError, import_parcels_file, import_parcels_files
from parcels.management.commands._output import ProgressBar, stdout_stream, write_report


class Command(BaseCommand):
    # A bulk load needs no URL/template/admin checks; skipping them saves ~0.5 s of CPU per run.
    requires_system_checks: list = []
    help = ("Import cadastral parcels (and their buildings) from GeoJSON, GeoPackage, a zipped Shapefile or a "
            "CGXML eTerra export. Upserts by (UAT, cadastral number) in one transaction.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="+")
        parser.add_argument("--uat", type=int, help="SIRUTA of the UAT of every parcel in the file (one file only)")
        parser.add_argument("--srid", type=int, help="EPSG code of the coordinates when the file declares none")
        parser.add_argument("--strict", action="store_true", help="import nothing if any row is rejected")
        parser.add_argument("--all-issues", action="store_true", help="print every issue (default: first 200)")

    def handle(self, *args, **options):
        if len(options["file"]) > 1:
            return self._several(options)
        options["file"] = options["file"][0]
        bar = ProgressBar(stdout_stream(self))
        failure = None
        try:
            report = import_parcels_file(path=options["file"], uat_siruta=options["uat"], srid=options["srid"],
                                         strict=options["strict"], progress=bar)
        except ImportFileError as exc:
            raise CommandError(f"{options['file']}: {exc}") from None
        except IndexBuildError as exc:  # the parcels are in: report them, then fail
            report, failure = exc.report, exc
        finally:
            bar.close()
        write_report(self, report, max_issues=None if options["all_issues"] else 200)
        if failure:
            raise CommandError(f"{options['file']}: {failure}")

    def _several(self, options) -> None:
        if options["uat"] is not None:
            raise CommandError("--uat applies to one file; with several files every parcel gives its SIRUTA.")
        bar = ProgressBar(stdout_stream(self))
        failure = None
        try:
            reports = import_parcels_files(paths=options["file"], srid=options["srid"], strict=options["strict"],
                                           progress=bar)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        except IndexBuildError as exc:  # the parcels are in: report them, then fail
            reports, failure = [exc.report], exc
        finally:
            bar.close()
        for report in reports:
            write_report(self, report, max_issues=None if options["all_issues"] else 200)
        if failure:
            raise CommandError(str(failure))
