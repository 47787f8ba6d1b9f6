"""Helpers for parcel tests: small input files written on the fly with pyogrio."""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely

from tests.conftest import BACAU_E, BACAU_N

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parcels"


def write_layer(path: Path, geoms: list, fields: dict[str, list], *, crs: str | None = "EPSG:3844", layer: str = "parcels",
                driver: str | None = None, append: bool = False, geometry_type: str = "Unknown") -> Path:
    names = list(fields)
    arrays = [np.array(fields[n], dtype=object if isinstance(fields[n][0], str) else None) for n in names]
    pyogrio.raw.write(str(path), np.array(shapely.to_wkb(geoms), dtype=object), arrays, fields=names, layer=layer,
                      driver=driver, crs=crs, geometry_type=geometry_type, append=append)
    return path


def zip_shapefile(shp: Path) -> Path:
    target = shp.with_suffix(".zip")
    with zipfile.ZipFile(target, "w") as zf:
        for part in shp.parent.glob(shp.stem + ".*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    return target


def boxes(n: int, *, e: float = BACAU_E, north: float = BACAU_N, size: float = 20.0) -> list:
    return [shapely.box(e + i * size, north, e + (i + 1) * size, north + size) for i in range(n)]


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
