"""Small read helpers for the pages: map extents and GeoJSON for the few shapes a page shows.

GeoJSON is built in SQL (ST_AsGeoJSON(ST_Transform(...))), never by a per-row Python transform.
"""
from __future__ import annotations

import json
from typing import Any

from django.db import connection

from parcels.models import UAT


def territory_bounds() -> list[float] | None:
    """[west, south, east, north] in EPSG:4326 around every UAT, or None when there are none."""
    if not UAT.objects.exists():
        return None
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM "
            "(SELECT ST_Transform(ST_SetSRID(ST_Extent(boundary)::geometry, 3844), 4326) AS b FROM parcels_uat) t"
        )
        row = cur.fetchone()
    return [round(v, 6) for v in row] if row and row[0] is not None else None


def features_geojson(sql: str, params: list[Any]) -> dict[str, Any]:
    """Run `sql` selecting (geom_3844, properties_json) rows; return a FeatureCollection in EPSG:4326."""
    wrapped = (
        "SELECT coalesce(json_agg(json_build_object('type', 'Feature', "
        "'geometry', ST_AsGeoJSON(ST_Transform(q.geom, 4326), 7)::json, 'properties', q.props)), '[]'::json) "
        f"FROM ({sql}) q"
    )
    with connection.cursor() as cur:
        cur.execute(wrapped, params)
        features = cur.fetchone()[0]
    if isinstance(features, str):
        features = json.loads(features)
    return {"type": "FeatureCollection", "features": features}
