"""Helpers shared by the vector and raster importers: layer lookup, kinds, CRS, coverage."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.text import slugify

from layers.models import Layer, LayerVersion

RASTER_SUFFIXES = (".tif", ".tiff", ".geotiff")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")

# Themes whose kind is not "constraint" (the default for every theme of the rules catalogue).
THEME_KINDS = {
    "utr_polygon": Layer.Kind.ZONING,
    "intravilan_limit": Layer.Kind.REFERENCE,
    "uat_boundary": Layer.Kind.REFERENCE,
    "dem": Layer.Kind.RASTER,
    "flood_depth": Layer.Kind.RASTER,
}

# Coverage modes (see layer_import): the UATs the data touches, the data's buffered extent,
# the whole territory of the project, or an explicit polygon file.
COVERAGE_UATS = "uats"
COVERAGE_EXTENT = "extent"
COVERAGE_TERRITORY = "territory"
EXTENT_BUFFER_M = 500.0


def default_kind(theme: str, *, raster: bool) -> str:
    if raster:
        return Layer.Kind.RASTER
    return THEME_KINDS.get(theme, Layer.Kind.CONSTRAINT)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def srid_from_crs(crs_text: str | None, *, declared: int | None, field: str = "srid") -> int:
    """The EPSG code of the source: the declared one wins; otherwise the file's, if whitelisted.

    Only whitelisted EPSG codes ever reach PROJ; a file without an identifiable EPSG code needs
    an explicit --srid.
    """
    if declared is not None:
        if declared not in settings.ALLOWED_SRIDS:
            raise ValidationError({field: [f"EPSG:{declared} is not supported; use one of {settings.ALLOWED_SRIDS}."]})
        return declared
    if not crs_text:
        raise ValidationError({field: ["The file declares no CRS; pass --srid with an EPSG code."]})
    from pyproj import CRS

    try:
        epsg = CRS.from_user_input(crs_text).to_epsg(min_confidence=70)
    except Exception:  # noqa: BLE001 - pyproj raises several error types for odd WKT
        epsg = None
    if crs_text.upper() in ("OGC:CRS84", "CRS84"):
        epsg = 4326
    if epsg is None:
        raise ValidationError({field: [f"Cannot identify an EPSG code for the file's CRS ({crs_text[:80]}); pass --srid."]})
    if epsg not in settings.ALLOWED_SRIDS:
        raise ValidationError({field: [f"The file's CRS EPSG:{epsg} is not supported; use one of {settings.ALLOWED_SRIDS}."]})
    return epsg


def layer_for_import(*, theme: str, name: str | None, slug: str | None, kind: str | None, raster: bool) -> Layer:
    """Find the layer by slug (default: the theme) or create it."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", theme or ""):
        raise ValidationError({"theme": [f"Theme {theme!r} must be a code such as lmi_monument or power_line_110kV."]})
    slug = slug or slugify(theme.replace("_", "-"))
    if kind is not None and kind not in Layer.Kind.values:
        raise ValidationError({"kind": [f"Unknown kind {kind!r}; use one of {', '.join(Layer.Kind.values)}."]})
    layer = Layer.objects.filter(slug=slug).first()
    if layer is None:
        return Layer.objects.create(slug=slug, name=name or theme.replace("_", " ").capitalize(), theme=theme,
                                    kind=kind or default_kind(theme, raster=raster))
    if layer.theme != theme:
        raise ValidationError({"theme": [f"Layer {slug} has theme {layer.theme}, not {theme}."]})
    changed = []
    if name and layer.name != name:
        layer.name = name
        changed.append("name")
    if kind and layer.kind != kind:
        layer.kind = kind
        changed.append("kind")
    if changed:
        layer.save(update_fields=changed)
    return layer


def coverage_set(*, version: LayerVersion, mode: str | None, coverage_wkb: bytes | None = None) -> None:
    """Store the version's coverage, computed in SQL from its features (vector layers).

    Default (`uats`): the union of the UAT boundaries the features touch — a layer is digitised for
    whole UATs, so inside them a missing feature means "no constraint". If the features touch no
    UAT, fall back to `extent` (their envelope buffered by 500 m). `territory` leaves it null.
    """
    mode = mode or COVERAGE_UATS
    sql_extent = """
        SELECT ST_Multi(ST_Buffer(ST_Envelope(ST_Collect(geom)), %s)) FROM layers_feature WHERE version_id = %s
    """
    with connection.cursor() as cursor:
        if mode == COVERAGE_TERRITORY:
            cursor.execute("UPDATE layers_layerversion SET coverage = NULL WHERE id = %s", [version.pk])
            return
        if coverage_wkb is not None:
            cursor.execute("UPDATE layers_layerversion SET coverage = ST_Multi(ST_GeomFromWKB(%s, 3844)) WHERE id = %s",
                           [coverage_wkb, version.pk])
            return
        if mode == COVERAGE_UATS:
            cursor.execute(
                """
                UPDATE layers_layerversion v SET coverage = (
                    SELECT ST_Multi(ST_CollectionExtract(ST_Union(u.boundary), 3)) FROM parcels_uat u
                    WHERE EXISTS (SELECT 1 FROM layers_feature f WHERE f.version_id = v.id
                                  AND ST_Intersects(f.geom, u.boundary)))
                WHERE v.id = %s RETURNING coverage IS NOT NULL
                """,
                [version.pk],
            )
            if cursor.fetchone()[0]:
                return
        cursor.execute(f"UPDATE layers_layerversion SET coverage = ({sql_extent}) WHERE id = %s",
                       [EXTENT_BUFFER_M, version.pk, version.pk])
