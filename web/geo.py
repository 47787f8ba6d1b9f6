"""Small read helpers for the pages: map extents and GeoJSON for the few shapes a page shows.

GeoJSON is built in SQL (ST_AsGeoJSON(ST_Transform(...))), never by a per-row Python transform.
"""
from __future__ import annotations

import json
from typing import Any

from gis_portal.api.geojson import geometry_sql
from gis_portal.db_router import read_connection
from parcels.models import UAT
from rules.choices import INTRAVILAN_THEME

# The investor map opens on the town at a zoom where parcels and buildings are drawn.
HOME_ZOOM = 15


def territory_bounds() -> list[float] | None:
    """[west, south, east, north] in EPSG:4326 around every UAT, or None when there are none."""
    if not UAT.objects.exists():
        return None
    with read_connection().cursor() as cur:
        cur.execute(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM "
            "(SELECT ST_Transform(ST_SetSRID(ST_Extent(boundary)::geometry, 3844), 4326) AS b FROM parcels_uat) t"
        )
        row = cur.fetchone()
    return [round(v, 6) for v in row] if row and row[0] is not None else None


def town_centre() -> list[float] | None:
    """[lon, lat] of the largest intravilan body of the public intravilan limits (the main town),
    or None when no such layer is published."""
    with read_connection().cursor() as cur:
        cur.execute(
            # The point on surface is computed for the largest body only, not for every body.
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Transform(ST_PointOnSurface(geom), 4326) AS c FROM ("
            " SELECT d.geom FROM layers_feature f JOIN layers_layerversion v ON v.id = f.version_id AND v.is_current"
            " JOIN layers_layer l ON l.id = v.layer_id AND l.public AND l.theme = %s,"
            " LATERAL ST_Dump(f.geom) d WHERE GeometryType(d.geom) = 'POLYGON'"
            " ORDER BY ST_Area(d.geom) DESC LIMIT 1) largest) t", [INTRAVILAN_THEME])
        row = cur.fetchone()
    return [round(row[0], 6), round(row[1], 6)] if row else None


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


# At most this many hit features get a distance label on the map (the nearest first).
MAX_HIT_MARKS = 50


def hit_marks_geojson(analysis_id) -> dict[str, Any]:
    """Where the map labels each feature an analysis hit: the shortest line from the feature to the
    analysed geometry (its first point lies on the feature), or a point of their overlap when they
    touch. Only features of public layers (the ones the map draws), nearest first."""
    sql = (
        "SELECT CASE WHEN ST_Intersects(f.geom, a.geometry)"
        " THEN ST_PointOnSurface(ST_Intersection(f.geom, a.geometry))"
        " ELSE ST_ShortestLine(f.geom, a.geometry) END AS geom,"
        " json_build_object('feature_id', f.id, 'layer', l.slug) AS props"
        " FROM rules_analysis a"
        " JOIN layers_feature f ON f.id IN (SELECT (jsonb_array_elements(h -> 'feature_ids'))::int"
        "  FROM jsonb_array_elements(a.result -> 'rule_hits') h)"
        " JOIN layers_layerversion v ON v.id = f.version_id"
        " JOIN layers_layer l ON l.id = v.layer_id AND l.public"
        " WHERE a.id = %s ORDER BY ST_Distance(f.geom, a.geometry), f.id LIMIT %s"
    )
    return features_geojson(sql, [analysis_id, MAX_HIT_MARKS])
