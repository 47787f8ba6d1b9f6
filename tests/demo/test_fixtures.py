"""The committed fixtures describe the default county (seed 1, 5,000 parcels) exactly.

They pin determinism across machines and library versions: if numpy, shapely or GEOS changed
what the generator draws, these tests say so.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.gis.geos import GEOSGeometry

from demo.selectors import showcase_list
from parcels.models import Parcel

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def test_the_committed_showcase_list_matches_the_generated_county(county):
    saved = json.loads((FIXTURES / "showcase.json").read_text(encoding="utf-8"))
    assert (saved["parcels"], saved["seed"]) == (5_000, 1)
    expected = {s["key"]: (s["siruta"], s["cadastral_number"]) for s in saved["showcase"]}
    actual = {s.key: (s.parcel.uat.siruta, s.parcel.cadastral_number) for s in showcase_list()}
    assert actual == expected


def test_the_sample_parcels_have_the_committed_geometry_area_and_buildings(county):
    sample = json.loads((FIXTURES / "parcels-seed1-sample.geojson").read_text(encoding="utf-8"))
    assert len(sample["features"]) >= 20
    for feature in sample["features"]:
        props = feature["properties"]
        parcel = Parcel.objects.get(uat__siruta=props["siruta"], cadastral_number=props["cadastral_number"])
        expected = GEOSGeometry(json.dumps(feature["geometry"]), srid=3844)
        assert parcel.geom.equals_exact(expected, tolerance=0.006), props["cadastral_number"]
        assert parcel.measured_area_m2 == pytest.approx(props["measured_area_m2"], abs=0.01)
        assert parcel.measured_area_m2 == pytest.approx(expected.area, abs=0.5)
        assert (parcel.legal_area_m2, parcel.use_category, parcel.address) == (
            props["legal_area_m2"], props["use_category"], props["address"])
        assert parcel.buildings.count() == props["buildings"]
