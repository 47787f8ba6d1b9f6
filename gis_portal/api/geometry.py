"""GeoJSON geometry input: parse, validate and bring to Stereo 70 (EPSG:3844).

Every geometry a client sends goes through `geometry_from_geojson`, so limits (vertex count,
area), CRS whitelisting and the Romania plausibility checks are enforced in one place.
"""
from __future__ import annotations

import json
import math
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError

from gis_portal.api.crs import check_in_romania, parse_srid
from gis_portal.api.jsoninput import JSONInputError, loads

POLYGONAL = ("Polygon", "MultiPolygon")
_ALL_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _positions(coords: Any, depth: int, field: str):
    """Yield every position of a coordinates array of the given nesting depth, type-checked."""
    if depth == 0:
        if not isinstance(coords, (list, tuple)) or len(coords) < 2:
            raise _error(field, "Each position must be an array [x, y].")
        if len(coords) > 2:
            raise _error(field, "3D coordinates are not accepted: send [x, y] positions only.")
        for value in coords:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _error(field, "Coordinates must be numbers.")
            if not math.isfinite(value):
                raise _error(field, "Coordinates must be finite numbers (no NaN or Infinity).")
        yield coords
        return
    if not isinstance(coords, (list, tuple)):
        raise _error(field, "Malformed GeoJSON coordinates array.")
    for item in coords:
        yield from _positions(item, depth - 1, field)


_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def geometry_from_geojson(
    data: Any,
    *,
    field: str = "geometry",
    srid: int | str | None = None,
    allowed_types: tuple[str, ...] = POLYGONAL,
    max_vertices: int | None = None,
    max_area_m2: float | None = None,
) -> GEOSGeometry:
    """Return a valid GEOS geometry in EPSG:3844, or raise ValidationError naming the problem.

    `srid` is the CRS declared by the request (default EPSG:4326); a legacy GeoJSON `crs`
    member inside the geometry overrides it.
    """
    if isinstance(data, str):
        # Bounded by the bytes read before any parsing: GEOMETRY_MAX_BYTES (vertices × 64 by default).
        if len(data) > settings.GEOMETRY_MAX_BYTES:
            raise _error(field, f"The geometry text is larger than {settings.GEOMETRY_MAX_BYTES} bytes (the limit).")
        try:
            data = loads(data)
        except JSONInputError as exc:
            raise _error(field, str(exc)) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict):
        raise _error(field, "Expected a GeoJSON geometry object.")
    gtype = data.get("type")
    if gtype not in _ALL_TYPES:
        raise _error(field, f"Unsupported or missing geometry type {gtype!r}.")
    if gtype not in allowed_types:
        raise _error(field, f"Geometry type {gtype} is not accepted here; expected {' or '.join(allowed_types)}.")
    if "coordinates" not in data:
        raise _error(field, "GeoJSON geometry has no coordinates.")
    crs_member = data.get("crs")
    if isinstance(crs_member, dict):
        srid = (crs_member.get("properties") or {}).get("name", srid)
    srid = parse_srid(srid, field="crs", default=4326)

    limit = max_vertices if max_vertices is not None else settings.GEOMETRY_MAX_VERTICES
    count = 0
    for x, y in _positions(data["coordinates"], _DEPTH[gtype], field):
        count += 1
        if count > limit:
            raise _error(field, f"Too many vertices: more than {limit} (the limit).")
        if count == 1 or count % 50 == 0:
            check_in_romania(float(x), float(y), srid, field=field)
    if count == 0:
        raise _error(field, "The geometry is empty.")
    try:
        # GEOS tags parsed GeoJSON as EPSG:4326 and refuses a different srid argument: set it after.
        geom = GEOSGeometry(json.dumps({"type": gtype, "coordinates": data["coordinates"]}))
        geom.srid = srid
    except (GEOSException, ValueError, TypeError) as exc:
        raise _error(field, f"Malformed GeoJSON geometry ({exc}).") from None
    if geom.empty:
        raise _error(field, "The geometry is empty.")
    if not geom.valid:
        raise _error(field, f"Invalid geometry: {geom.valid_reason}.")
    if srid != settings.STORAGE_SRID:
        geom.transform(settings.STORAGE_SRID)
    area_limit = max_area_m2 if max_area_m2 is not None else settings.GEOMETRY_MAX_AREA_M2
    if geom.area > area_limit:
        raise _error(field, f"The geometry covers {geom.area / 1e6:.2f} km², more than the limit of "
                            f"{area_limit / 1e6:.2f} km².")
    return geom


def as_multipolygon(geom: GEOSGeometry) -> MultiPolygon:
    if isinstance(geom, Polygon):
        return MultiPolygon(geom, srid=geom.srid)
    assert isinstance(geom, MultiPolygon), geom.geom_type
    return geom
