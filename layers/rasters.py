"""Raster sampling for the rules engine: DEM elevation/slope and flood depth over a polygon.

`sample(version=..., geom=...)` reads only the window around the polygon (plus one pixel, so
the slope at the edge uses real neighbours) and masks the pixels whose centre lies inside it.
A polygon smaller than a pixel falls back to the pixels it touches.

Opening a GeoTIFF (header, tags, overview list, GDAL environment) costs far more than reading a
parcel-sized window, so open datasets are kept per thread, keyed by version id and the file's
path, mtime and size: a replaced file is reopened, a published version's file never changes.
"""
from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.gis.geos import GEOSGeometry

from layers.models import LayerVersion

MAX_OPEN = 16  # datasets kept open per thread (a county has a handful of current rasters)
WHOLE_BAND_PIXELS = 2_000_000  # a raster up to this size is kept in memory (8 MB as float32)
_local = threading.local()


def _cache() -> OrderedDict:
    cache = getattr(_local, "datasets", None)
    if cache is None:
        import rasterio

        # One GDAL environment for the thread's lifetime: rasterio otherwise builds and tears
        # down an Env around every open/rasterize call.
        _local.env = rasterio.Env()
        _local.env.__enter__()
        cache = _local.datasets = OrderedDict()
    return cache


@dataclass
class _Raster:
    """An open raster and what sampling reads of it on every call: geotransform, size and, for a
    raster of up to WHOLE_BAND_PIXELS, band 1 itself (float32, NaN for no data), so that a sample
    is NumPy slicing instead of a GDAL read (a county DEM at 25-80 m is well under that size)."""

    handles: tuple
    transform: object
    width: int
    height: int
    band: np.ndarray | None = None

    @classmethod
    def open(cls, handles: tuple) -> _Raster:
        ds = handles[-1]
        raster = cls(handles, ds.transform, ds.width, ds.height)
        if ds.width * ds.height <= WHOLE_BAND_PIXELS:
            raster.band = ds.read(1, masked=True).astype("float32").filled(np.nan)
        return raster

    def window(self, col0: int, row0: int, col1: int, row1: int) -> np.ndarray:
        """Band 1 over [row0, row1) × [col0, col1), NaN where there is no data."""
        if self.band is not None:
            return self.band[row0:row1, col0:col1].astype("float64")
        from rasterio.windows import Window

        data = self.handles[-1].read(1, window=Window(col0, row0, col1 - col0, row1 - row0), masked=True)
        return data.astype("float64").filled(np.nan)


def _dataset(version_id: int, storage, name: str) -> _Raster:
    """The open raster of a version's file, from the per-thread cache when unchanged."""
    import rasterio
    from rasterio.io import MemoryFile

    try:
        path = storage.path(name)
    except NotImplementedError:  # remote storage (S3): read the object into memory once
        path = None
    if path is not None:
        st = os.stat(path)
        key: tuple[Any, ...] = (version_id, path, st.st_mtime_ns, st.st_size)
    else:
        key = (version_id, name)
    cache = _cache()
    entry = cache.get(key)
    if entry is not None:
        cache.move_to_end(key)
        return entry
    if path is not None:
        entry = _Raster.open((rasterio.open(path),))
    else:
        with storage.open(name, "rb") as fh:
            mem = MemoryFile(fh.read())
        entry = _Raster.open((mem, mem.open()))
    cache[key] = entry
    while len(cache) > MAX_OPEN:
        _key, old = cache.popitem(last=False)
        for handle in reversed(old.handles):
            handle.close()
    return entry


def clear_cache() -> None:
    """Close every dataset this thread keeps open (tests, file maintenance)."""
    cache = getattr(_local, "datasets", None)
    while cache:
        _key, old = cache.popitem()
        for handle in reversed(old.handles):
            handle.close()


def sample(*, version: LayerVersion, geom: GEOSGeometry) -> dict:
    """Summarise the raster under `geom` (EPSG:3844): DEM → elevation and slope; flood_depth → depth."""
    theme = version.raster_meta.get("raster_theme") or version.layer.theme
    field = version.raster_file
    return sample_file(version_id=version.pk, storage=field.storage, name=field.name or "", theme=theme,
                       slug=version.layer.slug, number=version.number, geom=geom)


def sample_file(*, version_id: int, storage, name: str, theme: str, slug: str, number: int, geom,
                memo: dict | None = None) -> dict:
    """`sample` without the LayerVersion object: the analysis has these values from its own query.
    `geom`: a GEOSGeometry (EPSG:3844 unless it says otherwise) or a Shapely geometry in EPSG:3844.
    `memo`, a dict kept while one Shapely `geom` is sampled in several rasters, keeps the pixels
    under it per grid and window: a DEM and a flood map on the same grid test them once."""
    import shapely
    from rasterio.windows import from_bounds

    result: dict = {"layer": slug, "version": number, "theme": theme}
    if not name:
        return {**result, "no_data": True}
    polygon = geom
    if isinstance(geom, GEOSGeometry):
        if geom.srid and geom.srid != 3844:
            geom = geom.transform(3844, clone=True)
        polygon = shapely.from_wkb(bytes(geom.wkb))
    raster = _dataset(version_id, storage, name)
    t: Any = raster.transform  # an affine.Affine
    if t.b or t.d:  # rotated grid (never produced by our import): let rasterio do the general case
        window = from_bounds(*polygon.bounds, transform=t)
        col_off, row_off, width, height = window.col_off, window.row_off, window.width, window.height
    else:  # north-up grid: the window is plain arithmetic
        x0, y0, x1, y1 = polygon.bounds
        cols = sorted(((x0 - t.c) / t.a, (x1 - t.c) / t.a))
        rows = sorted(((y1 - t.f) / t.e, (y0 - t.f) / t.e))
        col_off, row_off, width, height = cols[0], rows[0], cols[1] - cols[0], rows[1] - rows[0]
    # One pixel of margin for the gradient, clipped to the raster.
    col0 = max(math.floor(col_off) - 1, 0)
    row0 = max(math.floor(row_off) - 1, 0)
    col1 = min(math.ceil(col_off + width) + 1, raster.width)
    row1 = min(math.ceil(row_off + height) + 1, raster.height)
    if col1 <= col0 or row1 <= row0:
        return {**result, "no_data": True}
    values = raster.window(col0, row0, col1, row1)
    res_x, res_y = abs(t.a), abs(t.e)
    memo_key = (id(polygon), tuple(t), col0, row0, col1, row1)
    inside = memo.get(memo_key) if memo is not None else None
    if inside is None:
        inside = _pixels_inside(polygon, t, col0, row0, col1, row1)
        if memo is not None:
            memo[memo_key] = inside
    valid = inside & ~np.isnan(values)
    if not valid.any():
        return {**result, "no_data": True}
    result["pixels"] = int(valid.sum())
    if theme == "flood_depth":
        depth = np.where(np.isnan(values), 0.0, values)[inside]
        result["max_depth_m"] = round(float(max(depth.max(), 0.0)), 3)
        result["flooded_share"] = round(float((depth > 0).sum() / inside.sum()), 4)
        return result
    elevation = values[valid]
    result["elevation_min_m"] = round(float(elevation.min()), 2)
    result["elevation_mean_m"] = round(float(elevation.mean()), 2)
    result["elevation_max_m"] = round(float(elevation.max()), 2)
    if theme == "dem":
        # np.gradient over rows runs north→south; the sign does not matter for the slope magnitude.
        dz_dy, dz_dx = np.gradient(values, res_y, res_x) if min(values.shape) > 1 else (np.zeros_like(values),) * 2
        slope = np.degrees(np.arctan(np.hypot(dz_dx, dz_dy)))[valid]
        slope = slope[~np.isnan(slope)]
        if slope.size:
            result["slope_mean_deg"] = round(float(slope.mean()), 2)
            result["slope_max_deg"] = round(float(slope.max()), 2)
    return result


def _pixels_inside(polygon, t, col0: int, row0: int, col1: int, row1: int) -> np.ndarray:
    """Mask of the window's pixels whose centre lies inside the polygon (GDAL's rasterize rule),
    tested with GEOS on the few window pixels (cheaper than rasterising through OGR); for a polygon
    smaller than a pixel, the pixels it touches (not those sharing only an edge or a corner)."""
    import shapely

    cc, rr = np.meshgrid(np.arange(col0, col1) + 0.5, np.arange(row0, row1) + 0.5)
    xs, ys = t.c + t.a * cc + t.b * rr, t.f + t.d * cc + t.e * rr
    inside = shapely.contains_xy(polygon, xs, ys)
    if not inside.any():
        res_x, res_y = abs(t.a), abs(t.e)
        boxes = shapely.box(xs - res_x / 2, ys - res_y / 2, xs + res_x / 2, ys + res_y / 2)
        inside = shapely.intersects(polygon, boxes) & ~shapely.touches(polygon, boxes)
    return inside


def slope_degrees(rise_m: float, run_m: float) -> float:
    """The slope angle of a plane rising `rise_m` over `run_m` (used by tests and docs)."""
    return math.degrees(math.atan2(rise_m, run_m))
