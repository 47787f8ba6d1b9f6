"""Where the pages' maps open: the territory's extent and the main town's centre.

The GeoJSON of the few shapes a page shows is built in SQL by gis_portal.api.geojson.features_geojson.
"""
from __future__ import annotations

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
