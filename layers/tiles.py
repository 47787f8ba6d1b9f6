"""Mapbox vector tiles straight from PostGIS (ST_AsMVT) for parcels, buildings and vector layers.

The tile envelope is computed in Web Mercator (ST_TileEnvelope) and transformed once to
EPSG:3844 so the `&&` filter uses the GiST index on the stored geometry. A plain Django view (no
DRF negotiation) keeps the per-tile overhead small: this is the hottest endpoint of the map.

Reprojecting every vertex 3844 → 3857 (ST_Transform: a datum shift through geographic
coordinates, ~7 µs per vertex) used to be most of the cost of a tile. From zoom 13 on, a tile is
small enough that the mapping is affine to well under one tile unit: the affine map is fitted
(least squares) on a 5 × 5 grid of points transformed by PROJ with EPSG codes, and PostGIS applies
it with ST_Affine. Maximum error over Romania (bench/tiles_bench.py, tests/perf): 0.6 tile units
at z13, 0.3 at z14, 0.08 at z16, for an extent of 4096 units (8 units per screen pixel of a
512 px tile). Lower zooms keep ST_Transform.

The query runs as a server-side prepared statement with a binary result (fetch_tile): Django's own
cursors bind parameters client side, so PostgreSQL would parse and plan the whole statement for
every tile and send the tile back hex-encoded. The statement text depends only on the source and on
whether the affine map is used (layer name, version and tile are parameters), so a connection holds
a handful of prepared statements.

A client that accepts gzip (Accept-Encoding) gets the tile gzip-compressed (a 40 kB parcel tile
is ~18 kB), with `Vary: Accept-Encoding` and its own strong ETag (the identity ETag with "-gzip":
RFC 9110 §8.8.3, two representations, two validators); If-None-Match compares against the ETag
of the representation the request selects. GET and HEAD are answered alike.
"""
from __future__ import annotations

import gzip
import hashlib
import threading

import numpy as np
import psycopg
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile
from django.views.decorators.http import require_safe

from gis_portal.db_router import read_connection
from gis_portal.ratelimit import rate_limit
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
LAYER_TABLE, LAYER_WHERE = "layers_feature t", "t.version_id = %(version)s"
# HTTP caching (browsers and the nginx cache of deploy/nginx/): built-in tiles and unversioned layer tiles
# for settings.TILE_CACHE_SECONDS, then revalidated by ETag; a layer tile asked with ?v=<its current
# version> (the URLs of the map style) never changes, so it is cached for a day.
VERSIONED_CACHE_SECONDS = 86400
AFFINE_MIN_ZOOM = 13
GZIP_LEVEL = 5  # ~1 ms for a 40 kB tile; higher levels gain little on MVT
ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")
PSYCOPG_PREPARE_THRESHOLD = 5  # psycopg's default: a server-side-bound query is prepared on its 5th run
WEB_MERCATOR_HALF = 20037508.342789244  # half the width of the EPSG:3857 world square (m)
_local = threading.local()


def _to_3844():
    transformer = getattr(_local, "to_3844", None)
    if transformer is None:
        from pyproj import Transformer

        transformer = _local.to_3844 = Transformer.from_crs(3857, 3844, always_xy=True)
    return transformer


def tile_affine(z: int, x: int, y: int) -> dict[str, float] | None:
    """Coefficients of the affine map 3844 → 3857 over tile z/x/y and its buffer (ST_Affine's
    a, b, d, e, xoff, yoff), or None below AFFINE_MIN_ZOOM where the map is not affine enough."""
    if z < AFFINE_MIN_ZOOM:
        return None
    size = 2 * WEB_MERCATOR_HALF / 2 ** z
    cx = -WEB_MERCATOR_HALF + (x + 0.5) * size
    cy = WEB_MERCATOR_HALF - (y + 0.5) * size
    half = size / 2 * (1 + 2 * MARGIN)
    u, v = (g.ravel() for g in np.meshgrid(np.linspace(-half, half, 5), np.linspace(-half, half, 5)))
    sx, sy = _to_3844().transform(cx + u, cy + v)
    sx, sy = np.asarray(sx), np.asarray(sy)
    mx, my = sx.mean(), sy.mean()  # centred regressors keep the normal equations well conditioned
    design = np.column_stack([sx - mx, sy - my, np.ones_like(sx)])
    (a, b, c0), *_ = np.linalg.lstsq(design, u, rcond=None)
    (d, e, f0), *_ = np.linalg.lstsq(design, v, rcond=None)
    return {"a": float(a), "b": float(b), "d": float(d), "e": float(e),
            "xoff": float(cx + c0 - a * mx - b * my), "yoff": float(cy + f0 - d * mx - e * my)}


def tile_params(z: int, x: int, y: int) -> tuple[dict, bool]:
    """The parameters of tile_sql for a tile, and whether it uses the affine map."""
    affine = tile_affine(z, x, y)
    return {"z": z, "x": x, "y": y, **(affine or {})}, affine is not None


def tile_sql(*, props: str, table: str, where: str, affine: bool = False) -> str:
    """The tile query; parameters: name (the MVT layer), z, x, y, the affine coefficients when
    affine, and whatever `where` uses."""
    geom = ("ST_SetSRID(ST_Affine(t.geom, %(a)s, %(b)s, %(d)s, %(e)s, %(xoff)s, %(yoff)s), 3857)" if affine
            else "ST_Transform(t.geom, 3857)")
    return f"""
        WITH b AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS m,
                          ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {MARGIN}), 3844) AS s)
        SELECT ST_AsMVT(q, %(name)s, {EXTENT}, 'geom', 'id') FROM (
            SELECT {props}, ST_AsMVTGeom({geom}, b.m, {EXTENT}, {BUFFER}, true) AS geom
            FROM {table}, b WHERE {where} AND t.geom && b.s
        ) q
    """


def fetch_tile(sql: str, params: dict) -> bytes:
    """Run a tile query on Django's (read) connection as a prepared statement with a binary result.

    Django turns psycopg's prepared statements off on its connections (prepare_threshold None, for
    proxies that pool transactions; behind one older than PgBouncer 1.21 tiles would fail). Its
    cursors bind parameters client side and never prepare, so turning the setting back to psycopg's
    default on a connection that serves tiles changes nothing for the ORM.
    """
    connection = read_connection()  # a replica when the request may read one (gis_portal.db_router)
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = PSYCOPG_PREPARE_THRESHOLD
    with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params, prepare=True, binary=True)
        row = cursor.fetchone()
        return bytes(row[0] or b"") if row else b""


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": {"tile": [detail]}}, status=status)


def tile_problem(z: int, x: int, y: int) -> str | None:
    """Why z/x/y is not a tile (the 400 answer), or None."""
    if z > MAX_ZOOM:
        return f"Zoom {z} is above the maximum {MAX_ZOOM}."
    if x >= 2 ** z or y >= 2 ** z:
        return f"Tile {x}/{y} does not exist at zoom {z} (0 ≤ x, y < {2 ** z})."
    return None


def _query(z: int, x: int, y: int, *, props: str, table: str, where: str, extra: dict) -> bytes:
    params, affine = tile_params(z, x, y)
    return fetch_tile(tile_sql(props=props, table=table, where=where, affine=affine), {**params, **extra})


def builtin_tile(layer: str, z: int, x: int, y: int) -> tuple[bytes, str]:
    """A tile of a built-in layer (parcels, buildings) and its ETag (the content's): public and the
    same for every caller, so shared caches may keep it (Cache-Control: public)."""
    min_zoom, props, table, where = BUILTIN[layer]
    data = b"" if z < min_zoom else _query(z, x, y, props=props, table=table, where=where, extra={"name": layer})
    return data, f'"{hashlib.md5(data).hexdigest()}"'


def builtin_response(request, layer: str, z: int, x: int, y: int) -> HttpResponse:
    data, etag = builtin_tile(layer, z, x, y)
    return _answer(request, etag, settings.TILE_CACHE_SECONDS, lambda: data)


def _layer_response(request, layer: str, z: int, x: int, y: int) -> HttpResponse:
    """A tile of a published vector layer the caller may see. A published version never changes, so
    its tiles are validated (ETag) without running the query. Tiles of a non-public layer are
    `private`: no shared cache keeps them."""
    current = selectors.current_version_id(slug=layer, user=request.user)
    if current is None:
        return _error(404, f"No vector layer {layer!r}.")
    version_id, public = current
    etag = f'"{hashlib.md5(f"{layer}-{version_id}-{z}-{x}-{y}".encode()).hexdigest()}"'
    versioned = request.GET.get("v") == str(version_id)
    max_age = VERSIONED_CACHE_SECONDS if versioned else settings.TILE_CACHE_SECONDS
    return _answer(request, etag, max_age, lambda: _query(
        z, x, y, props=LAYER_PROPS, table=LAYER_TABLE, where=LAYER_WHERE, extra={"name": layer, "version": version_id}),
        scope="public" if public else "private")


def _answer(request, etag: str, max_age: int, data, scope: str = "public") -> HttpResponse:
    """The tile (`data()` runs only when needed), gzip-compressed if the client accepts it, or a 304
    when If-None-Match holds the ETag of the representation the request selects."""
    gzipped = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    if gzipped:
        etag = f'{etag[:-1]}-gzip"'
    if etag_matches(request.headers.get("If-None-Match", ""), etag):
        response: HttpResponse = _not_modified(etag, max_age, scope)
    else:
        body = data()
        if gzipped:
            body = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        response = _tile_response(body, etag, max_age, scope)
        if gzipped:
            response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


@require_safe
@rate_limit("tiles", shared=False, by_address=True)  # per address and worker process; THROTTLE_TILES
def tile(request, layer: str, z: int, x: int, y: int):
    problem = tile_problem(z, x, y)
    if problem:
        return _error(400, problem)
    if layer in BUILTIN:
        return builtin_response(request, layer, z, x, y)
    return _layer_response(request, layer, z, x, y)


def cache_headers(etag: str, max_age: int, scope: str = "public") -> list[tuple[str, str]]:
    """The validator and caching headers of a tile answer (200 and 304 alike)."""
    return [("ETag", etag), ("Cache-Control", f"{scope}, max-age={max_age}")]


def _tile_response(data: bytes, etag: str, max_age: int, scope: str = "public") -> HttpResponse:
    return HttpResponse(data, content_type=MVT_TYPE, headers=dict(cache_headers(etag, max_age, scope)))


def etag_matches(header: str, etag: str) -> bool:
    """Whether an If-None-Match header matches the ETag."""
    return header.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in header.split(",")]


def _not_modified(etag: str, max_age: int, scope: str = "public") -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    for name, value in cache_headers(etag, max_age, scope):
        response[name] = value
    return response
