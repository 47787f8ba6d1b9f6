"""GeoTIFF import (reprojection to EPSG:3844, metadata, footprint) and sampling for the rules engine."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from django.core.exceptions import ValidationError

from layers.imports import layer_import
from layers.models import LayerVersion
from layers.rasters import sample
from tests.conftest import BACAU_E, BACAU_N, square
from tests.layers.conftest import write_tiff

pytestmark = pytest.mark.django_db
WEST, NORTH, RES = BACAU_E - 500, BACAU_N + 500, 10.0


def _plane_dem(tmp_path: Path) -> Path:
    """100 × 100 pixels of 10 m: a plane rising 0.1 m per metre eastwards (slope atan 0.1 = 5.71°)."""
    cols = np.arange(100) * RES + RES / 2
    return write_tiff(tmp_path / "dem.tif", np.tile(100 + 0.1 * cols, (100, 1)), west=WEST, north=NORTH, res=RES)


def test_a_dem_is_stored_in_stereo70_with_metadata_and_footprint_coverage(territory, media, tmp_path):
    version = layer_import(path=_plane_dem(tmp_path), theme="dem", name="DEM Bacău").version
    assert version.layer.kind == "raster" and version.is_current
    assert version.raster_meta["raster_theme"] == "dem" and version.raster_meta["units"] == "m"
    assert version.raster_meta["resolution"] == [10.0, 10.0] and version.raster_meta["bands"] == 1
    assert version.coverage.area == pytest.approx(1000 * 1000, rel=0.01)
    with rasterio.open(version.raster_file.path) as ds:
        assert ds.crs.to_epsg() == 3844 and ds.bounds.left == pytest.approx(WEST)


def test_a_raster_in_wgs84_is_reprojected(territory, media, tmp_path):
    path = write_tiff(tmp_path / "wgs.tif", np.full((50, 50), 7.0), west=26.90, north=46.58, res=0.0002, epsg=4326)
    version = layer_import(path=path, theme="flood_depth").version
    assert version.source_srid == 4326
    with rasterio.open(version.raster_file.path) as ds:
        assert ds.crs.to_epsg() == 3844
        assert RO_box_contains(ds.bounds)
        assert float(np.nanmax(ds.read(1, masked=True))) == pytest.approx(7.0)


def RO_box_contains(bounds) -> bool:  # noqa: N802 - reads as a sentence in the assert
    return 100_000 < bounds.left < bounds.right < 950_000 and 200_000 < bounds.bottom < bounds.top < 800_000


def test_a_raster_outside_romania_is_refused_and_nothing_is_stored(territory, media, tmp_path):
    path = write_tiff(tmp_path / "far.tif", np.ones((10, 10)), west=2.0, north=48.0, res=0.01, epsg=4326)
    with pytest.raises(ValidationError, match="outside Romania"):
        layer_import(path=path, theme="dem")
    assert LayerVersion.objects.count() == 0
    assert not list(Path(media).rglob("*.tif"))


def test_dem_sampling_gives_elevation_and_slope_over_the_parcel(territory, media, tmp_path):
    version = layer_import(path=_plane_dem(tmp_path), theme="dem").version
    # A 50 m square 500 m east of the west edge: 25 pixel centres at 505…545 m → 150.5…154.5 m.
    result = sample(version=version, geom=square(BACAU_E, BACAU_N, 50))
    assert result["pixels"] == 25
    assert (result["elevation_min_m"], result["elevation_mean_m"], result["elevation_max_m"]) == (150.5, 152.5, 154.5)
    assert result["slope_mean_deg"] == pytest.approx(math.degrees(math.atan(0.1)), abs=0.01)
    assert result["slope_max_deg"] == pytest.approx(5.71, abs=0.01)


def test_a_parcel_smaller_than_a_pixel_still_gets_a_value(territory, media, tmp_path):
    version = layer_import(path=_plane_dem(tmp_path), theme="dem").version
    result = sample(version=version, geom=square(BACAU_E + 2, BACAU_N + 2, 3))
    assert result["pixels"] == 1 and result["elevation_mean_m"] == 150.5


def test_flood_sampling_gives_max_depth_and_flooded_share(territory, media, tmp_path):
    depth = np.zeros((100, 100))
    depth[:, 52:] = 1.2  # flooded from 520 m east of the west edge
    depth[48, 53] = 2.5
    version = layer_import(path=write_tiff(tmp_path / "flood.tif", depth, west=WEST, north=NORTH, res=RES),
                           theme="flood_depth").version
    result = sample(version=version, geom=square(BACAU_E, BACAU_N, 50))  # columns 50…54, rows 45…49
    assert result["max_depth_m"] == 2.5
    assert result["flooded_share"] == pytest.approx(3 / 5)


def test_a_polygon_outside_the_raster_is_no_data(territory, media, tmp_path):
    version = layer_import(path=_plane_dem(tmp_path), theme="dem").version
    assert sample(version=version, geom=square(BACAU_E + 5000, BACAU_N, 50))["no_data"] is True


def test_a_raster_in_memory_and_one_read_by_window_give_the_same_samples(territory, media, tmp_path, monkeypatch):
    """Small rasters are kept in memory, large ones read window by window: same answers, no data included."""
    from layers import rasters

    cols = np.arange(100) * RES + RES / 2
    dem = np.tile(100 + 0.1 * cols, (100, 1)) + np.arange(100)[:, None] * 0.05
    dem[40:46, 48:53] = -9999.0  # a hole of no data under part of the parcels
    version = layer_import(path=write_tiff(tmp_path / "dem.tif", dem, west=WEST, north=NORTH, res=RES),
                           theme="dem").version
    sites = [square(BACAU_E, BACAU_N, 50), square(BACAU_E + 2, BACAU_N + 2, 3), square(BACAU_E - 480, BACAU_N + 470, 30),
             square(BACAU_E + 5000, BACAU_N, 50)]
    rasters.clear_cache()
    in_memory = [sample(version=version, geom=site) for site in sites]
    assert all(entry.band is not None for entry in rasters._cache().values())
    rasters.clear_cache()
    monkeypatch.setattr(rasters, "WHOLE_BAND_PIXELS", 0)
    by_window = [sample(version=version, geom=site) for site in sites]
    assert all(entry.band is None for entry in rasters._cache().values())
    rasters.clear_cache()
    assert by_window == in_memory
    assert in_memory[0]["pixels"] < 25  # the hole's pixels are not counted
    assert in_memory[3]["no_data"] is True


def test_two_rasters_on_one_grid_test_the_pixels_under_a_site_once(territory, media, tmp_path, monkeypatch):
    import shapely

    from layers import rasters

    dem = layer_import(path=_plane_dem(tmp_path), theme="dem").version
    depth = np.zeros((100, 100))
    depth[:, 52:] = 1.2
    flood = layer_import(path=write_tiff(tmp_path / "flood.tif", depth, west=WEST, north=NORTH, res=RES),
                         theme="flood_depth").version
    site = shapely.from_wkb(bytes(square(BACAU_E, BACAU_N, 50).wkb))
    calls = []
    real = rasters._pixels_inside
    monkeypatch.setattr(rasters, "_pixels_inside", lambda *args: calls.append(args) or real(*args))

    def both(memo):
        return [rasters.sample_file(version_id=v.pk, storage=v.raster_file.storage, name=v.raster_file.name,
                                    theme=v.layer.theme, slug=v.layer.slug, number=v.number, geom=site, memo=memo)
                for v in (dem, flood)]

    alone = both(None)
    assert len(calls) == 2
    memo: dict = {}
    assert both(memo) == alone
    assert len(calls) == 3 and len(memo) == 1
    assert alone[0]["pixels"] == 25 and alone[1]["flooded_share"] == pytest.approx(3 / 5)
