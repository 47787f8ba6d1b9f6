"""Coordinate reference systems: the EPSG whitelist and plausibility checks for Romania.

Only codes from settings.ALLOWED_SRIDS are ever handed to PROJ/GDAL. The checks catch the
classic mistakes: latitude/longitude swapped, Stereo 70 northing/easting swapped, WGS 84
coordinates declared as Stereo 70 and the reverse.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
        raise ValidationError({field: [_("Sistem de coordonate necunoscut %(crs)s; folosiți unul dintre EPSG:%(allowed)s.")
                                       % {"crs": repr(value)[:40], "allowed": _allowed()}]}) from None
    if srid not in settings.ALLOWED_SRIDS:
        raise ValidationError({field: [_("Sistemul de coordonate EPSG:%(srid)s nu este acceptat; folosiți unul dintre EPSG:%(allowed)s.")
                                       % {"srid": srid, "allowed": _allowed()}]})
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
                _("Coordonatele (%(x)s, %(y)s) par inversate: GeoJSON și acest API folosesc întâi longitudinea, "
                  "apoi latitudinea (ați vrut (%(y)s, %(x)s)?).") % {"x": x, "y": y}]})
        if _inside(x, y, RO_STEREO70):
            raise ValidationError({field: [
                _("Coordonatele (%(x)s, %(y)s) par metri Stereo 70; declarați EPSG:3844.") % {"x": x, "y": y}]})
        raise ValidationError({field: [_outside(x, y, srid)]})
    if srid == 3844:
        if _inside(x, y, RO_STEREO70):
            return
        if _inside(y, x, RO_STEREO70):
            raise ValidationError({field: [
                _("Coordonatele Stereo 70 (%(x)s, %(y)s) par inversate: puneți estul (Y pe planurile românești) "
                  "ca x și nordul (X) ca y (ați vrut (%(y)s, %(x)s)?).") % {"x": x, "y": y}]})
        if _inside(x, y, RO_LONLAT):
            raise ValidationError({field: [
                _("Coordonatele (%(x)s, %(y)s) par grade de longitudine/latitudine, nu metri Stereo 70.")
                % {"x": x, "y": y}]})
        raise ValidationError({field: [_outside(x, y, 3844)]})
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
        raise ValidationError({field: [_("Dreptunghiul bbox %(bbox)s pare inversat: dați întâi x (longitudine / est), "
                                         "apoi y (latitudine / nord).") % {"bbox": list(box)}]})
    raise ValidationError({field: [_("Dreptunghiul bbox %(bbox)s nu intersectează România (EPSG:%(srid)s).")
                                   % {"bbox": list(box), "srid": srid}]})


def _outside(x: float, y: float, srid: int) -> str:
    return _("Coordonatele (%(x)s, %(y)s) sunt în afara României (EPSG:%(srid)s).") % {"x": x, "y": y, "srid": srid}
