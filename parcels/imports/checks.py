"""Row checks done in bulk with Shapely (GEOS, the same library behind ST_IsValid/ST_MakeValid).

Each check works on whole arrays and only falls back to per-row Python for the rows it rejects,
so a million clean rows cost a few vectorised GEOS calls.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from pyproj import Transformer

from gis_portal.api.crs import RO_LONLAT, RO_STEREO70, check_in_romania
from parcels.imports.facts import GeometryFacts, geometry_facts, parse
from parcels.imports.report import ImportReport

# A repair (ST_MakeValid) is accepted only when it changes the area by less than this fraction.
MAX_REPAIR_AREA_CHANGE = 0.001
POLYGON, MULTIPOLYGON = 3, 6  # shapely type ids
TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
              5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def _lonlat_bounds(bounds: np.ndarray, srid: int) -> tuple[np.ndarray, tuple[float, ...]]:
    """Bounds in a CRS with a Romania envelope: Stereo 70 and degrees are checked as they are, other
    whitelisted CRSs are brought to degrees first (EPSG codes only, through PROJ)."""
    if srid == 3844:
        return bounds, RO_STEREO70
    if srid in (4326, 4258):
        return bounds, RO_LONLAT
    transformer = Transformer.from_crs(srid, 4326, always_xy=True)
    x0, y0 = transformer.transform(bounds[:, 0], bounds[:, 1])
    x1, y1 = transformer.transform(bounds[:, 2], bounds[:, 3])
    return np.column_stack([x0, y0, x1, y1]), RO_LONLAT


def check_geometries(wkb: list | np.ndarray, *, srid: int, identifiers: Sequence[str], report: ImportReport,
                     first_row: int = 1, what: str = "parcel",
                     facts: GeometryFacts | None = None) -> tuple[np.ndarray, list | np.ndarray, np.ndarray]:
    """Return (accepted mask, WKB with rewritten geometries replaced, area of each geometry) and
    record rejections. The WKB is `wkb` itself when no row was rewritten (a repair, or Z dropped).
    `facts` may come precomputed (parcels.imports.facts); only rows that need a closer look are
    parsed here."""
    n = len(wkb)
    facts = geometry_facts(wkb) if facts is None else facts
    ok = np.ones(n, dtype=bool)
    out = wkb
    area, valid, type_ids = facts.area.copy(), facts.valid.copy(), facts.type_ids
    for i in np.flatnonzero(facts.missing):
        report.reject(first_row + i, identifiers[i], f"The {what} has no geometry (empty or unreadable).")
    ok &= ~facts.missing
    wrong_type = ok & (type_ids != POLYGON) & (type_ids != MULTIPOLYGON)
    for i in np.flatnonzero(wrong_type):
        report.reject(first_row + i, identifiers[i],
                      f"Geometry type {TYPE_NAMES.get(int(type_ids[i]), '?')}: a {what} must be a Polygon or "
                      f"MultiPolygon (the file mixes geometry types).")
    ok &= ~wrong_type
    flat = np.flatnonzero(ok & facts.has_z)
    if len(flat):  # Z is dropped; validity is decided on the 2D geometry
        out = list(wkb)
        geoms = shapely.force_2d(parse([wkb[i] for i in flat]))
        for i, geom, is_valid in zip(flat.tolist(), geoms, shapely.is_valid(geoms).tolist(), strict=True):
            out[i], valid[i] = shapely.to_wkb(geom), is_valid

    plane, box = _lonlat_bounds(facts.bounds, srid)
    bounds = facts.bounds
    inside = ((plane[:, 0] >= box[0]) & (plane[:, 1] >= box[1]) & (plane[:, 2] <= box[2]) & (plane[:, 3] <= box[3]))
    for i in np.flatnonzero(ok & ~inside):
        try:
            check_in_romania(float(bounds[i, 0]), float(bounds[i, 1]), srid, field="geometry")
            check_in_romania(float(bounds[i, 2]), float(bounds[i, 3]), srid, field="geometry")
            reason = f"The {what} extends outside Romania in EPSG:{srid}."
        except ValidationError as exc:
            reason = exc.message_dict["geometry"][0]
        report.reject(first_row + i, identifiers[i], reason)
    ok &= inside

    for i in np.flatnonzero(ok & ~valid):
        geom = shapely.force_2d(shapely.from_wkb(out[i]))
        reason = shapely.is_valid_reason(geom)
        fixed = shapely.get_parts(shapely.make_valid(geom))
        fixed = shapely.multipolygons(fixed[shapely.get_type_id(fixed) == POLYGON])
        before, after = abs(shapely.area(geom)), shapely.area(fixed)
        change = abs(after - before) / before if before > 0 else float("inf")
        if change < MAX_REPAIR_AREA_CHANGE and not shapely.is_empty(fixed):
            if out is wkb:
                out = list(wkb)
            out[i] = shapely.to_wkb(fixed)
            area[i] = after
            report.warn(first_row + i, identifiers[i], f"Invalid geometry ({reason}) repaired; the area changed "
                                                       f"by {change * 100:.4f} %.")
        else:
            shown = "more than 100" if change == float("inf") or change > 1 else f"{change * 100:.2f}"
            report.reject(first_row + i, identifiers[i],
                          f"Invalid geometry ({reason}); repairing it would change the area by {shown} % "
                          f"(limit {MAX_REPAIR_AREA_CHANGE * 100:g} %).")
            ok[i] = False
    return ok, out, area
