"""manage.py import_layer FILE --theme THEME: a new version of a layer from a vector file or GeoTIFF."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from layers.imports import layer_import


class Command(BaseCommand):
    help = "Import a GeoJSON, GeoPackage, zipped Shapefile or GeoTIFF as the next (current) version of a layer."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--theme", required=True, help="Rules catalogue code, e.g. lmi_monument, dem")
        parser.add_argument("--name")
        parser.add_argument("--slug")
        parser.add_argument("--kind", choices=["zoning", "constraint", "reference", "raster"])
        parser.add_argument("--srid", type=int, help="EPSG code of the source when the file does not declare it")
        parser.add_argument("--coverage", help="uats (default for vectors), extent, territory or a polygon file")
        parser.add_argument("--provenance", default="")
        parser.add_argument("--reject-invalid", action="store_true", help="reject invalid geometries instead of repairing")
        parser.add_argument("--strict", action="store_true", help="fail the whole import if any row is rejected")

    def handle(self, *args, **opts):
        try:
            report = layer_import(path=opts["file"], theme=opts["theme"], name=opts["name"], slug=opts["slug"],
                                  kind=opts["kind"], srid=opts["srid"], coverage=opts["coverage"],
                                  on_invalid="reject" if opts["reject_invalid"] else "repair",
                                  strict=opts["strict"], provenance=opts["provenance"])
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        for row in report.repaired + report.rejected:
            self.stderr.write(f"row {row['row']} ({row['source_id']}): {row['status']}: {row['reason']}")
        version = report.version
        self.stdout.write(self.style.SUCCESS(
            f"{report.layer.slug} v{version.number}: {report.imported} features, {len(report.repaired)} repaired, "
            f"{len(report.rejected)} rejected" + (f", raster {version.raster_file.name}" if version.raster_file else "")))
