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


def tile_for(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile containing a WGS 84 point."""
    import math

    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture
def layers_world(territory, parcel_factory, tmp_path):
    """A public constraint layer (2 monument polygons), a private one, and two parcels near Bacău."""
    from layers.imports import layer_import
    from layers.models import Layer

    e, n = BACAU_E, BACAU_N
    ring = [(e, n), (e + 30, n), (e + 30, n + 30), (e, n + 30), (e, n)]
    far = [(e + 1500, n), (e + 1530, n), (e + 1530, n + 30), (e + 1500, n + 30), (e + 1500, n)]
    path = geojson_file(tmp_path / "mon.geojson", [polygon_feature(ring, grupa="A", cod_lmi="BC-1", name="Biserica"),
                                                   polygon_feature(far, grupa="B", cod_lmi="BC-2", name="Casa")],
                        crs="EPSG:3844")
    public = layer_import(path=path, theme="lmi_monument", name="Monumente").version
    private = layer_import(path=path, theme="gas_pipeline", slug="secret-gas").layer
    Layer.objects.filter(pk=private.pk).update(public=False)
    p1 = parcel_factory(e=e + 5, n=n + 5, size=20, cadastral_number="70001")
    p2 = parcel_factory(e=e + 1000, n=n + 1000, size=20, cadastral_number="70002")
    return {"version": public, "layer": public.layer, "private": private, "p1": p1, "p2": p2, **territory}


@pytest.fixture
def root(db):
    """A portal admin without a password (the full `cast` hashes eight passwords, which is slow)."""
    from accounts.models import User

    return User.objects.create(username="root", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
