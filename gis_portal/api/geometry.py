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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
            raise _error(field, _("Fiecare poziție trebuie să fie o listă [x, y]."))
        if len(coords) > 2:
            raise _error(field, _("Coordonatele 3D nu sunt acceptate: trimiteți numai poziții [x, y]."))
        for value in coords:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _error(field, _("Coordonatele trebuie să fie numere."))
            if not math.isfinite(value):
                raise _error(field, _("Coordonatele trebuie să fie numere finite (nu NaN sau Infinity)."))
        yield coords
        return
    if not isinstance(coords, (list, tuple)):
        raise _error(field, _("Lista de coordonate GeoJSON este greșit formată."))
    for item in coords:
        yield from _positions(item, depth - 1, field)


# GEOS' reasons (IsValidOp) said in the user's language; the place GEOS gives stays as it is.
_INVALID = {
    "Self-intersection": gettext_noop("Conturul se autointersectează"),
    "Ring Self-intersection": gettext_noop("Un inel se autointersectează"),
    "Too few points": gettext_noop("Prea puține puncte"),
    "Hole lies outside shell": gettext_noop("Un gol se află în afara conturului"),
    "Nested shells": gettext_noop("Contururi incluse unul în altul"),
    "Interior is disconnected": gettext_noop("Interiorul este despărțit în bucăți"),
    "Duplicate Rings": gettext_noop("Inele duplicate"),
    "Invalid Coordinate": gettext_noop("Coordonată invalidă"),
}


def _invalid(reason: str) -> str:
    kind, bracket, where = reason.partition("[")
    label = _INVALID.get(kind.strip())
    return _("Geometrie invalidă: %(reason)s%(place)s.") % {
        "reason": _(label) if label else kind.strip(), "place": f" [{where}" if bracket else ""}


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
            raise _error(field, _("Textul geometriei depășește limita de %(limit)s octeți.") % {"limit": settings.GEOMETRY_MAX_BYTES})
        try:
            data = loads(data)
        except JSONInputError as exc:
            raise _error(field, str(exc)) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict):
        raise _error(field, _("Se aștepta un obiect de geometrie GeoJSON."))
    gtype = data.get("type")
    if gtype not in _ALL_TYPES:
        raise _error(field, _("Tip de geometrie neacceptat sau lipsă: %(type)s.") % {"type": repr(gtype)[:40]})
    if gtype not in allowed_types:
        raise _error(field, _("Tipul de geometrie %(type)s nu este acceptat aici; se așteaptă %(allowed)s.")
                            % {"type": gtype, "allowed": " / ".join(allowed_types)})
    if "coordinates" not in data:
        raise _error(field, _("Geometria GeoJSON nu are coordonate."))
    crs_member = data.get("crs")
    if isinstance(crs_member, dict):
        srid = (crs_member.get("properties") or {}).get("name", srid)
    srid = parse_srid(srid, field="crs", default=4326)

    limit = max_vertices if max_vertices is not None else settings.GEOMETRY_MAX_VERTICES
    count = 0
    for x, y in _positions(data["coordinates"], _DEPTH[gtype], field):
        count += 1
        if count > limit:
            raise _error(field, _("Prea multe vârfuri: mai mult de %(limit)s (limita).") % {"limit": limit})
        if count == 1 or count % 50 == 0:
            check_in_romania(float(x), float(y), srid, field=field)
    if count == 0:
        raise _error(field, _("Geometria este goală."))
    try:
        # GEOS tags parsed GeoJSON as EPSG:4326 and refuses a different srid argument: set it after.
        geom = GEOSGeometry(json.dumps({"type": gtype, "coordinates": data["coordinates"]}))
        geom.srid = srid
    except (GEOSException, ValueError, TypeError) as exc:
        raise _error(field, _("Geometrie GeoJSON greșit formată (%(error)s).") % {"error": str(exc)[:120]}) from None
    if geom.empty:
        raise _error(field, _("Geometria este goală."))
    if not geom.valid:
        raise _error(field, _invalid(geom.valid_reason))
    if srid != settings.STORAGE_SRID:
        geom.transform(settings.STORAGE_SRID)
    area_limit = max_area_m2 if max_area_m2 is not None else settings.GEOMETRY_MAX_AREA_M2
    if geom.area > area_limit:
        raise _error(field, _("Geometria acoperă %(area).2f km², mai mult decât limita de %(limit).2f km².")
                            % {"area": geom.area / 1e6, "limit": area_limit / 1e6})
    return geom


def as_multipolygon(geom: GEOSGeometry) -> MultiPolygon:
    if isinstance(geom, Polygon):
        return MultiPolygon(geom, srid=geom.srid)
    assert isinstance(geom, MultiPolygon), geom.geom_type
    return geom
