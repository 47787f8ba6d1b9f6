"""Demo rasters: a DEM and a flood-depth grid over the county, GeoTIFF in EPSG:3844.

The terrain rises to the west (the Subcarpathian hills) and dips into the Bistrița valley;
the flood depth is deepest at the river bank and fades to zero at the edge of the flood zone.
"""
from __future__ import annotations

import math

import numpy as np
import shapely
from django.core.files.base import ContentFile

from demo.layout import RIVERS, CountyLayout
from layers.models import LayerVersion

NODATA = -9999.0
MAX_PIXELS_PER_SIDE = 1200
COARSE = 4


def _grid(layout: CountyLayout):
    x0, y0, x1, y1 = layout.county.bounds
    res = max(20.0, math.ceil(max(x1 - x0, y1 - y0) / MAX_PIXELS_PER_SIDE))
    x0, y1 = math.floor(x0 / res) * res, math.ceil(y1 / res) * res
    width, height = math.ceil((x1 - x0) / res), math.ceil((y1 - y0) / res)
    xs = x0 + (np.arange(width) + 0.5) * res
    ys = y1 - (np.arange(height) + 0.5) * res
    return x0, y1, res, width, height, xs, ys


def _encode(data: np.ndarray, x0: float, y1: float, res: float) -> bytes:
    import rasterio
    from rasterio.io import MemoryFile
    from rasterio.transform import from_origin

    profile = dict(driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype="float32",
                   crs=rasterio.crs.CRS.from_epsg(3844), transform=from_origin(x0, y1, res, res),
                   nodata=NODATA, compress="deflate", tiled=True, blockxsize=256, blockysize=256)
    with MemoryFile() as mem:
        with mem.open(**profile) as ds:
            ds.write(data.astype("float32"), 1)
        return mem.read()


def _distance_to_river(layout: CountyLayout, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Distance from every pixel centre to the Bistrița bank, through an index of its axis segments
    (a plain distance to the whole polygon costs minutes for a million-parcel county)."""
    coords = [shapely.get_coordinates(part) for part in shapely.get_parts(layout.lines["bistrita"])]
    segments = np.concatenate([shapely.linestrings(np.stack([c[:-1], c[1:]], axis=1)) for c in coords if len(c) > 1])
    tree = shapely.STRtree(segments)
    # Every COARSE-th pixel only, then repeated: the valley and the flood depth are smooth surfaces.
    xs, ys = X[::COARSE, ::COARSE], Y[::COARSE, ::COARSE]
    points = shapely.points(xs.ravel(), ys.ravel())
    (inputs, _), dist = tree.query_nearest(points, return_distance=True, all_matches=False)
    out = np.empty(len(points))
    out[inputs] = dist
    coarse = np.maximum(out - RIVERS["bistrita"][1] / 2, 0.0).reshape(xs.shape)
    return np.repeat(np.repeat(coarse, COARSE, axis=0), COARSE, axis=1)[: X.shape[0], : X.shape[1]]


def build(layout: CountyLayout, rng: np.random.Generator) -> dict[str, tuple[bytes, dict]]:
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    x0, y1, res, width, height, xs, ys = _grid(layout)
    transform = from_origin(x0, y1, res, res)
    X, Y = np.meshgrid(xs, ys)
    inside = rasterize([layout.county], out_shape=(height, width), transform=transform).astype(bool)
    cx = layout.uats["bacau"].centre[0]
    p1, p2, p3 = rng.uniform(0, 2 * math.pi, 3)
    d_river = _distance_to_river(layout, X, Y)
    # Rising westwards towards the hills, capped: a plausible valley-and-hills surface, not the real relief.
    dem = (165.0 + np.clip(0.004 * (cx - X), -20.0, 200.0) + 18.0 * np.sin(X / 2300.0 + p1) * np.cos(Y / 1700.0 + p2)
           + 6.0 * np.sin(X / 700.0 + Y / 900.0 + p3) - 12.0 * np.exp(-((d_river / 400.0) ** 2)))
    dem = np.where(inside, np.round(dem, 2), NODATA)
    flood_mask = rasterize([layout.flood], out_shape=(height, width), transform=transform).astype(bool)
    depth = np.where(flood_mask, np.clip(2.5 * (1.0 - d_river / 200.0), 0.05, 2.5), 0.0)
    depth = np.where(inside, np.round(depth, 2), NODATA)
    common = {"units": "m", "nodata": NODATA, "resolution_m": res, "width": width, "height": height,
              "crs": "EPSG:3844"}
    return {
        "dem": (_encode(dem, x0, y1, res), {"theme": "dem", "vertical_datum": "Marea Neagră 1975", **common}),
        "flood_depth": (_encode(depth, x0, y1, res), {"theme": "flood_depth", "return_period": "1%", **common}),
    }


def attach(version: LayerVersion, *, data: bytes, meta: dict, seed: int) -> None:
    """Store the GeoTIFF through Django storage (local disk or S3) on the version."""
    version.raster_file.save(f"demo/{meta['theme']}-seed{seed}.tif", ContentFile(data), save=False)
    version.raster_meta = meta
    version.save(update_fields=["raster_file", "raster_meta"])
