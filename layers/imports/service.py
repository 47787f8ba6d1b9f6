"""The import service: one file in, one new current layer version out (or nothing)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from layers.imports import common
from layers.imports.raster import RASTER_UNITS, raster_reproject
from layers.imports.vector import coverage_wkb_from_file, features_load, read_rows
from layers.models import Layer, LayerVersion
from layers.services import layer_version_publish, layer_version_start


@dataclass
class ImportReport:
    """What an import did: the new version, how many features, which rows were repaired or rejected."""

    layer: Layer
    version: LayerVersion
    imported: int = 0
    repaired: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)


def layer_import(*, path: Path | str, theme: str, name: str | None = None, slug: str | None = None,
                 kind: str | None = None, srid: int | None = None, coverage: str | Path | None = None,
                 on_invalid: str = "repair", strict: bool = False, provenance: str = "") -> ImportReport:
    """Import a GeoJSON, GeoPackage, zipped Shapefile or GeoTIFF as the next version of a layer.

    `coverage`: None/"uats" (the UATs the data touches, see common.coverage_set), "extent",
    "territory" (the whole project), or a path to a polygon file. Rasters default to their footprint.
    `on_invalid`: "repair" (ST_MakeValid) or "reject" invalid geometries; rejected rows are
    reported and skipped, unless `strict`, which fails the whole import.
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError({"file": [f"{path} does not exist."]})
    if on_invalid not in ("repair", "reject"):
        raise ValidationError({"on_invalid": ["Use repair or reject."]})
    coverage_mode, coverage_file = _coverage_arg(coverage)
    suffix = path.suffix.lower()
    if suffix in common.RASTER_SUFFIXES:
        return _import_raster(path=path, theme=theme, name=name, slug=slug, kind=kind, srid=srid,
                              coverage_mode=coverage_mode, coverage_file=coverage_file, provenance=provenance)
    if suffix not in common.VECTOR_SUFFIXES:
        raise ValidationError({"file": [f"Unsupported file type {suffix or '(none)'}; use GeoJSON, GeoPackage, "
                                        f"zipped Shapefile or GeoTIFF."]})
    if suffix == ".zip":
        from gis_portal.security import zip_problem

        problem = zip_problem(path)  # zip bombs and unsafe member names, before GDAL opens a member
        if problem:
            raise ValidationError({"file": [problem]})
    source_srid, rows = read_rows(path, declared_srid=srid)
    if not rows:
        raise ValidationError({"file": [f"{path.name} holds no features."]})
    coverage_wkb = coverage_wkb_from_file(coverage_file, declared_srid=None) if coverage_file else None
    with transaction.atomic():
        layer = common.layer_for_import(theme=theme, name=name, slug=slug, kind=kind, raster=False)
        _provenance(layer, provenance)
        version = layer_version_start(layer=layer, source_name=path.name, source_sha256=common.file_sha256(path),
                                      source_srid=source_srid)
        imported, repaired, rejected = features_load(version_id=version.pk, srid=source_srid, rows=rows,
                                                     on_invalid=on_invalid)
        if imported == 0 or (strict and rejected):
            first = rejected[0] if rejected else {"row": "-", "reason": "no features"}
            raise ValidationError({"file": [f"{len(rejected)} of {len(rows)} rows rejected "
                                            f"(first: row {first['row']}: {first['reason']})."]})
        common.coverage_set(version=version, mode=coverage_mode, coverage_wkb=coverage_wkb)
        layer_version_publish(version=version)
    version.refresh_from_db()
    return ImportReport(layer=layer, version=version, imported=imported, repaired=repaired, rejected=rejected)


def _import_raster(*, path: Path, theme: str, name, slug, kind, srid, coverage_mode, coverage_file,
                   provenance: str) -> ImportReport:
    data, meta, footprint, source_srid = raster_reproject(path, declared_srid=srid)
    meta["raster_theme"] = theme
    meta["units"] = RASTER_UNITS.get(theme, "")
    coverage_wkb = coverage_wkb_from_file(coverage_file, declared_srid=None) if coverage_file else footprint
    stored: LayerVersion | None = None
    try:
        with transaction.atomic():
            layer = common.layer_for_import(theme=theme, name=name, slug=slug, kind=kind, raster=True)
            _provenance(layer, provenance)
            version = layer_version_start(layer=layer, source_name=path.name,
                                          source_sha256=common.file_sha256(path), source_srid=source_srid)
            version.raster_meta = meta
            version.raster_file.save(f"{layer.slug}-v{version.number}.tif", ContentFile(data), save=False)
            stored = version
            version.save(update_fields=["raster_file", "raster_meta"])
            mode = coverage_mode if coverage_mode == common.COVERAGE_TERRITORY else None
            if coverage_wkb is not None or mode:
                common.coverage_set(version=version, mode=mode, coverage_wkb=coverage_wkb)
            layer_version_publish(version=version)
    except BaseException:
        # The database rolled back; do not leave an orphan GeoTIFF in storage.
        if stored is not None and stored.raster_file.name:
            stored.raster_file.storage.delete(stored.raster_file.name)
        raise
    version.refresh_from_db()
    return ImportReport(layer=layer, version=version, imported=0)


def _coverage_arg(coverage: str | Path | None) -> tuple[str | None, Path | None]:
    if coverage in (None, "", common.COVERAGE_UATS, common.COVERAGE_EXTENT, common.COVERAGE_TERRITORY):
        return (str(coverage) if coverage else None), None
    assert coverage is not None
    cov_path = Path(coverage)
    if not cov_path.is_file():
        raise ValidationError({"coverage": [f"Use uats, extent, territory or an existing polygon file, not {coverage!r}."]})
    return None, cov_path


def _provenance(layer: Layer, provenance: str) -> None:
    if provenance and layer.provenance != provenance:
        layer.provenance = provenance
        layer.save(update_fields=["provenance"])
