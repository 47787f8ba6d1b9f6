"""Raster sampling for the rules engine: DEM elevation/slope and flood depth over a polygon.

`sample(version=..., geom=...)` reads only the window around the polygon (plus one pixel, so
the slope at the edge uses real neighbours) and masks the pixels whose centre lies inside it.
A polygon smaller than a pixel falls back to the pixels it touches.
"""
from __future__ import annotations

import contextlib
import json
import math

import numpy as np
from django.contrib.gis.geos import GEOSGeometry

from layers.models import LayerVersion


@contextlib.contextmanager
def _open(version: LayerVersion):
    import rasterio
    from rasterio.io import MemoryFile

    field = version.raster_file
    try:
        path = field.storage.path(field.name)
    except NotImplementedError:  # remote storage (S3): read the object into memory
        path = None
    if path is not None:
        with rasterio.open(path) as ds:
            yield ds
        return
    with field.open("rb") as fh, MemoryFile(fh.read()) as mem, mem.open() as ds:
        yield ds


def sample(*, version: LayerVersion, geom: GEOSGeometry) -> dict:
    """Summarise the raster under `geom` (EPSG:3844): DEM → elevation and slope; flood_depth → depth."""
    from rasterio.features import geometry_mask
    from rasterio.windows import Window, from_bounds

    theme = version.raster_meta.get("raster_theme") or version.layer.theme
    result: dict = {"layer": version.layer.slug, "version": version.number, "theme": theme}
    if not version.raster_file:
        return {**result, "no_data": True}
    if geom.srid and geom.srid != 3844:
        geom = geom.transform(3844, clone=True)
    shape = json.loads(geom.json)
    with _open(version) as ds:
        window = from_bounds(*geom.extent, transform=ds.transform)
        # One pixel of margin for the gradient, clipped to the raster.
        col0 = max(math.floor(window.col_off) - 1, 0)
        row0 = max(math.floor(window.row_off) - 1, 0)
        col1 = min(math.ceil(window.col_off + window.width) + 1, ds.width)
        row1 = min(math.ceil(window.row_off + window.height) + 1, ds.height)
        if col1 <= col0 or row1 <= row0:
            return {**result, "no_data": True}
        window = Window(col0, row0, col1 - col0, row1 - row0)
        data = ds.read(1, window=window, masked=True).astype("float64")
        transform = ds.window_transform(window)
        res_x, res_y = abs(ds.transform.a), abs(ds.transform.e)
    inside = geometry_mask([shape], out_shape=data.shape, transform=transform, invert=True)
    if not inside.any():
        inside = geometry_mask([shape], out_shape=data.shape, transform=transform, invert=True, all_touched=True)
    valid = inside & ~np.ma.getmaskarray(data)
    if not valid.any():
        return {**result, "no_data": True}
    values = data.filled(np.nan)
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


def slope_degrees(rise_m: float, run_m: float) -> float:
    """The slope angle of a plane rising `rise_m` over `run_m` (used by tests and docs)."""
    return math.degrees(math.atan2(rise_m, run_m))
