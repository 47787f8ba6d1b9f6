"""Mapbox vector tiles straight from PostGIS (ST_AsMVT) for parcels, buildings and vector layers.

The tile envelope is computed in Web Mercator (ST_TileEnvelope) and transformed once to
EPSG:3844 so the `&&` filter uses the GiST index on the stored geometry; only the rows found are
transformed to 3857 for ST_AsMVTGeom. A plain Django view (no DRF negotiation) keeps the
per-tile overhead small: this is the hottest endpoint of the map.
"""
from __future__ import annotations

import hashlib

from django.db import connection
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.http import require_GET

from layers import selectors

MVT_TYPE = "application/vnd.mapbox-vector-tile"
MAX_ZOOM = 24
EXTENT, BUFFER = 4096, 64
MARGIN = BUFFER / EXTENT  # include features in the tile's buffer so strokes continue across tiles

# Source tables: minimum zoom, SELECT of properties, FROM clause (geometry column is t.geom).
BUILTIN = {
    "parcels": (14, "t.id, t.cadastral_number, u.siruta AS uat_siruta, round(t.measured_area_m2) AS area_m2",
                "parcels_parcel t JOIN parcels_uat u ON u.id = t.uat_id", "TRUE"),
    "buildings": (15, "t.id, t.parcel_id, t.cadastral_id, t.levels, t.height_m, t.destination",
                  "(SELECT id, parcel_id, cadastral_id, levels, height_m, destination, footprint AS geom "
                  "FROM parcels_building) t", "TRUE"),
}
LAYER_PROPS = "t.id, t.attrs || jsonb_build_object('feature_id', t.id, 'name', t.name) AS props"
CACHE_SECONDS = {"parcels": 300, "buildings": 300}
LAYER_CACHE_SECONDS = 3600


def tile_sql(*, name: str, props: str, table: str, where: str) -> str:
    return f"""
        WITH b AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS m,
                          ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {MARGIN}), 3844) AS s)
        SELECT ST_AsMVT(q, '{name}', {EXTENT}, 'geom', 'id') FROM (
            SELECT {props}, ST_AsMVTGeom(ST_Transform(t.geom, 3857), b.m, {EXTENT}, {BUFFER}, true) AS geom
            FROM {table}, b WHERE {where} AND t.geom && b.s
        ) q
    """


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": {"tile": [detail]}}, status=status)


@require_GET
def tile(request, layer: str, z: int, x: int, y: int):
    if z > MAX_ZOOM:
        return _error(400, f"Zoom {z} is above the maximum {MAX_ZOOM}.")
    if x >= 2 ** z or y >= 2 ** z:
        return _error(400, f"Tile {x}/{y} does not exist at zoom {z} (0 ≤ x, y < {2 ** z}).")
    if layer in BUILTIN:
        min_zoom, props, table, where = BUILTIN[layer]
        etag_seed, max_age = None, CACHE_SECONDS[layer]
        name = layer
    else:
        version_id = selectors.current_version_id(slug=layer, user=request.user)
        if version_id is None:
            return _error(404, f"No vector layer {layer!r}.")
        min_zoom, props, table, where = 0, LAYER_PROPS, "layers_feature t", f"t.version_id = {int(version_id)}"
        # A published version never changes, so its tiles can be validated without running the query.
        etag_seed, max_age, name = f"{layer}-{version_id}-{z}-{x}-{y}", LAYER_CACHE_SECONDS, layer.replace("'", "")
    if etag_seed is not None:
        etag = f'"{hashlib.md5(etag_seed.encode()).hexdigest()}"'
        if _matches(request, etag):
            return _not_modified(etag, max_age)
    if z < min_zoom:
        data = b""  # too many features to draw at this scale: an empty tile, not an error
    else:
        with connection.cursor() as cursor:
            cursor.execute(tile_sql(name=name, props=props, table=table, where=where), {"z": z, "x": x, "y": y})
            data = bytes(cursor.fetchone()[0] or b"")
    if etag_seed is None:
        etag = f'"{hashlib.md5(data).hexdigest()}"'
        if _matches(request, etag):
            return _not_modified(etag, max_age)
    response = HttpResponse(data, content_type=MVT_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def _matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return header.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in header.split(",")]


def _not_modified(etag: str, max_age: int) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response
