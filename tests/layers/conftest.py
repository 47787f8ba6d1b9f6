"""Helpers for layer tests: small vector files and GeoTIFFs written into tmp_path."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import BACAU_E, BACAU_N


def lonlat(e: float, n: float) -> tuple[float, float]:
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(3844, 4326, always_xy=True).transform(e, n)
    return lon, lat


def geojson_file(path: Path, features: list[dict], crs: str | None = None) -> Path:
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc))
    return path


def polygon_feature(ring: list[tuple[float, float]], **props) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}}


def write_tiff(path: Path, data: np.ndarray, *, west: float, north: float, res: float, epsg: int = 3844,
               nodata: float | None = -9999.0) -> Path:
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
                       dtype="float32", crs=f"EPSG:{epsg}", transform=from_origin(west, north, res, res),
                       nodata=nodata) as dst:
        dst.write(data.astype("float32"), 1)
    return path


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def bacau():
    return BACAU_E, BACAU_N
