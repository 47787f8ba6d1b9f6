"""GeoJSON geometry output (RFC 7946): the one place that decides winding and precision.

RFC 7946 §3.1.6: exterior rings counterclockwise, holes clockwise. Degrees carry 7 decimals
(~1 cm), metres 2. In SQL a geometry leaves the database through `geometry_sql` (ST_ForcePolygonCCW
after the reprojection, before any axis swap, so the rings keep their geographic orientation); a
GEOS geometry already in Python goes through `geometry_dict` (shapely's orient + rounding).
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import shapely
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry
from shapely.geometry import mapping

from gis_portal.db_router import read_connection

GEOGRAPHIC = (4326, 4258)
STORAGE_SRID = 3844


def decimals(srid: int) -> int:
    return 7 if srid in GEOGRAPHIC else 2


def geometry_sql(column: str, srid: int = 4326, *, flip: bool = False) -> str:
    """SQL text of `column` (an EPSG:3844 geometry expression) as GeoJSON geometry text in `srid`.
    `srid` must already be a whitelisted EPSG code (parse_srid), never request text."""
    srid = int(srid)
    geom = column if srid == STORAGE_SRID else f"ST_Transform({column}, {srid})"
    # Only areas: PostGIS's ST_ForcePolygonCCW also reverses LineStrings (a line's direction means
    # something, e.g. the hit marks' first point lies on the feature).
    geom = f"CASE WHEN ST_Dimension({column}) = 2 THEN ST_ForcePolygonCCW({geom}) ELSE {geom} END"
    if flip:
        geom = f"ST_FlipCoordinates({geom})"
    return f"ST_AsGeoJSON({geom}, {decimals(srid)}, 0)"  # 0: no crs member inside geometries


@lru_cache(maxsize=8)
def _transform(source: int, target: int) -> CoordTransform:
    """Building a transformation looks the CRSs up in PROJ's database (~50 ms): once per process."""
    return CoordTransform(SpatialReference(source), SpatialReference(target))


def _rounded(coords: Any, places: int) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [round(float(v), places) for v in coords]
    return [_rounded(c, places) for c in coords]


def geometry_dict(geom: GEOSGeometry, srid: int = 4326) -> dict[str, Any]:
    """A GEOS geometry (with its SRID set) as a GeoJSON geometry in `srid`, right-hand-ruled."""
    ogr = geom.ogr
    if geom.srid and geom.srid != srid:
        ogr.transform(_transform(geom.srid, srid))
    shape = shapely.orient_polygons(shapely.from_wkb(bytes(ogr.wkb)), exterior_cw=False)
    out = mapping(shape)
    if out["type"] == "GeometryCollection":
        return {"type": out["type"], "geometries": [
            {"type": g["type"], "coordinates": _rounded(g["coordinates"], decimals(srid))} for g in out["geometries"]]}
    return {"type": out["type"], "coordinates": _rounded(out["coordinates"], decimals(srid))}


def features_geojson(sql: str, params: list[Any]) -> dict[str, Any]:
    """Run `sql` selecting (geom_3844, properties_json) rows; return a FeatureCollection in EPSG:4326."""
    wrapped = (
        "SELECT coalesce(json_agg(json_build_object('type', 'Feature', "
        f"'geometry', {geometry_sql('q.geom')}::json, 'properties', q.props)), '[]'::json) "
        f"FROM ({sql}) q"
    )
    with read_connection().cursor() as cur:
        cur.execute(wrapped, params)
        features = cur.fetchone()[0]
    if isinstance(features, str):
        features = json.loads(features)
    return {"type": "FeatureCollection", "features": features}
