"""The analysis reports slope/elevation from the current DEM and flood depth over the parcel."""
from __future__ import annotations

import numpy as np
import pytest

from layers.imports import layer_import
from rules.services import analysis_create
from tests.layers.conftest import write_tiff
from tests.rules.conftest import BACAU_E, BACAU_N, square

pytestmark = pytest.mark.django_db
WEST, NORTH, RES = BACAU_E - 500, BACAU_N + 500, 10.0


def test_the_analysis_carries_dem_slope_and_flood_depth(settings, tmp_path, intravilan, seeded):
    settings.MEDIA_ROOT = tmp_path / "media"
    cols = np.arange(100) * RES + RES / 2
    layer_import(path=write_tiff(tmp_path / "dem.tif", np.tile(100 + 0.1 * cols, (100, 1)), west=WEST, north=NORTH,
                                 res=RES), theme="dem", name="DEM")
    depth = np.zeros((100, 100))
    depth[50:, :] = 1.25  # the southern half of the raster is flooded 1.25 m deep
    layer_import(path=write_tiff(tmp_path / "flood.tif", depth, west=WEST, north=NORTH, res=RES),
                 theme="flood_depth", name="Flood depth")
    rasters = analysis_create(geometry=square(BACAU_E, BACAU_N - 100, 40)).result["rasters"]
    assert rasters["dem"]["slope_mean_deg"] == pytest.approx(5.71, abs=0.05)
    assert 150 < rasters["dem"]["elevation_mean_m"] < 160
    assert rasters["flood_depth"]["max_depth_m"] == pytest.approx(1.25)
    outside = analysis_create(geometry=square(BACAU_E + 1000, BACAU_N, 20)).result
    assert "dem" not in outside["rasters"]
    assert any(d["theme"] == "dem" and d["reason"] == "outside_coverage" for d in outside["no_data"])
