"""Query-parameter parsing for the parcel API: every bad value is a 400 naming the field and why."""
from __future__ import annotations

import math

from django.core.exceptions import ValidationError

from gis_portal.api.crs import RO_LONLAT, RO_STEREO70, check_in_romania, parse_srid

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100


def _number(value: str, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [f"{value!r} is not a number."]}) from None
    if not math.isfinite(number):
        raise ValidationError({field: ["Must be a finite number."]})
    return number


def parse_crs(params, field: str = "crs") -> int:
    return parse_srid(params.get(field), field=field, default=4326)


def parse_bbox(value: str | None, *, srid: int) -> tuple[float, float, float, float] | None:
    """minx,miny,maxx,maxy in `srid` (lon/lat by default), inside a plausible envelope of Romania."""
    if not value:
        return None
    parts = value.split(",")
    if len(parts) != 4:
        raise ValidationError({"bbox": ["Expected four comma-separated numbers: minlon,minlat,maxlon,maxlat."]})
    x0, y0, x1, y1 = (_number(p.strip(), "bbox") for p in parts)
    if x0 >= x1 or y0 >= y1:
        raise ValidationError({"bbox": [f"Inverted or empty bbox: min ({x0}, {y0}) must be below max ({x1}, {y1})."]})
    if srid in (4326, 4258):
        box = RO_LONLAT
        if y0 >= box[0] and y1 <= box[2] and x0 >= box[1] and x1 <= box[3] and not (x0 >= box[0] and x1 <= box[2]):
            raise ValidationError({"bbox": ["The bbox looks swapped: use longitude first (minlon,minlat,maxlon,maxlat)."]})
    elif srid == 3844:
        box = RO_STEREO70
    else:
        check_in_romania(x0, y0, srid, field="bbox")
        check_in_romania(x1, y1, srid, field="bbox")
        return x0, y0, x1, y1
    if x1 < box[0] or x0 > box[2] or y1 < box[1] or y0 > box[3]:
        raise ValidationError({"bbox": [f"The bbox does not intersect Romania in EPSG:{srid}."]})
    if x1 - x0 > 2 * (box[2] - box[0]) or y1 - y0 > 2 * (box[3] - box[1]):
        raise ValidationError({"bbox": [f"The bbox is larger than any plausible range in EPSG:{srid}."]})
    return x0, y0, x1, y1


def parse_point(params) -> tuple[float, float, int]:
    """lon/lat (EPSG:4326) or, with crs=3844 (or another whitelisted CRS), x/y."""
    srid = parse_srid(params.get("crs"), field="crs", default=4326)
    if srid in (4326, 4258) and ("lon" in params or "lat" in params or "x" not in params):
        names = ("lon", "lat")
    else:
        names = ("x", "y")
    missing = [n for n in names if params.get(n) in (None, "")]
    if missing:
        raise ValidationError({missing[0]: [f"Required: give {' and '.join(names)}."]})
    x, y = _number(params[names[0]], names[0]), _number(params[names[1]], names[1])
    check_in_romania(x, y, srid, field=names[0])
    return x, y, srid


def parse_page(params) -> tuple[int, int]:
    limit = params.get("limit") or str(DEFAULT_PAGE_SIZE)
    offset = params.get("offset") or "0"
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE_SIZE:
        raise ValidationError({"limit": [f"Must be an integer from 1 to {MAX_PAGE_SIZE}."]})
    if not offset.isdigit():
        raise ValidationError({"offset": ["Must be a non-negative integer."]})
    return int(limit), int(offset)


def parse_int(params, field: str) -> int | None:
    value = params.get(field)
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > 9:
        raise ValidationError({field: [f"{value!r} is not a valid code (digits only)."]})
    return int(value)
