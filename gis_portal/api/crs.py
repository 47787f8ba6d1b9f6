"""Coordinate reference systems: the EPSG whitelist and plausibility checks for Romania.

Only codes from settings.ALLOWED_SRIDS are ever handed to PROJ/GDAL. The checks catch the
classic mistakes: latitude/longitude swapped, Stereo 70 northing/easting swapped, WGS 84
coordinates declared as Stereo 70 and the reverse.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

# Generous envelopes around Romania's territory (onshore and the Black Sea shelf).
RO_LONLAT = (20.0, 43.4, 30.2, 48.4)  # min lon, min lat, max lon, max lat
RO_STEREO70 = (100_000.0, 200_000.0, 950_000.0, 800_000.0)  # min E, min N, max E, max N


def parse_srid(value, *, field: str = "crs", default: int = 4326) -> int:
    """Accept 4326, "3844", "EPSG:3844" or an OGC CRS URI; anything not whitelisted is a 400."""
    if value in (None, ""):
        return default
    text = str(value).strip()
    for prefix in ("http://www.opengis.net/def/crs/EPSG/0/", "urn:ogc:def:crs:EPSG::", "EPSG:", "epsg:"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    if text in ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84", "CRS84"):
        return 4326
    try:
        srid = int(text)
    except ValueError:
        raise ValidationError({field: [f"Unknown CRS {value!r}; use one of EPSG:{_allowed()}."]}) from None
    if srid not in settings.ALLOWED_SRIDS:
        raise ValidationError({field: [f"CRS EPSG:{srid} is not supported; use one of EPSG:{_allowed()}."]})
    return srid


def _allowed() -> str:
    return ", ".join(str(s) for s in settings.ALLOWED_SRIDS)


def _inside(x: float, y: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def check_in_romania(x: float, y: float, srid: int, *, field: str) -> None:
    """Raise a ValidationError that says what is wrong with a coordinate outside Romania."""
    if srid in (4326, 4258):
        if _inside(x, y, RO_LONLAT):
            return
        if _inside(y, x, RO_LONLAT):
            raise ValidationError({field: [
                f"Coordinates ({x}, {y}) look swapped: GeoJSON and this API use longitude first, "
                f"then latitude (did you mean ({y}, {x}))?"]})
        if _inside(x, y, RO_STEREO70):
            raise ValidationError({field: [
                f"Coordinates ({x}, {y}) look like Stereo 70 metres; declare EPSG:3844."]})
        raise ValidationError({field: [f"Coordinates ({x}, {y}) are outside Romania (EPSG:{srid})."]})
    if srid == 3844:
        if _inside(x, y, RO_STEREO70):
            return
        if _inside(y, x, RO_STEREO70):
            raise ValidationError({field: [
                f"Stereo 70 coordinates ({x}, {y}) look swapped: store easting (Y on Romanian plans) "
                f"as x and northing (X) as y (did you mean ({y}, {x}))?"]})
        if _inside(x, y, RO_LONLAT):
            raise ValidationError({field: [
                f"Coordinates ({x}, {y}) look like longitude/latitude degrees, not Stereo 70 metres."]})
        raise ValidationError({field: [f"Coordinates ({x}, {y}) are outside Romania (EPSG:3844)."]})
    # Other whitelisted CRSs: check after transforming to 4326.
    from django.contrib.gis.geos import Point

    point = Point(x, y, srid=srid)
    point.transform(4326)
    check_in_romania(point.x, point.y, 4326, field=field)


def check_bbox_in_romania(box: tuple[float, float, float, float], srid: int, *, field: str = "bbox") -> None:
    """A bbox that misses Romania is a mistake in this API: say whether its axes look swapped."""
    if srid in (4326, 4258):
        envelope = RO_LONLAT
    elif srid == 3844:
        envelope = RO_STEREO70
    else:
        check_in_romania(box[0], box[1], srid, field=field)
        return

    def meets(b) -> bool:
        return b[0] <= envelope[2] and b[2] >= envelope[0] and b[1] <= envelope[3] and b[3] >= envelope[1]

    if meets(box):
        return
    if meets((box[1], box[0], box[3], box[2])):
        raise ValidationError({field: [f"The bbox {list(box)} looks swapped: give x (longitude / easting) first, "
                                       f"then y (latitude / northing)."]})
    raise ValidationError({field: [f"The bbox {list(box)} does not intersect Romania (EPSG:{srid})."]})
