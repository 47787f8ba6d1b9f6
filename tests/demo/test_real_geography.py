"""The demo county on the real Bacău geography: where the data comes from, what the map attributes,
and the competent issuer on real UATs (a commune without an urbanism department, a lot across a limit)."""
from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from django.contrib.gis.geos import Polygon
from django.test import Client

from demo import bacau
from demo.selectors import showcase_parcels
from parcels.models import UAT, Issuer
from rules.services import analysis_create

pytestmark = pytest.mark.django_db
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bacau"


def test_the_data_is_read_from_the_shared_folder_beside_the_repository(settings):
    if not (SHARED / "uat.geojson").is_file():
        pytest.skip("no ../shared/data/bacau beside this checkout")
    settings.BACAU_DATA_DIR = SHARED
    assert bacau.data_dir() == SHARED


def test_without_the_shared_folder_the_derived_fixture_gives_the_same_county(settings, tmp_path):
    settings.BACAU_DATA_DIR = tmp_path / "missing"
    assert bacau.data_dir() == bacau.FIXTURE_DIR
    fixture = {u.siruta: u for u in bacau.uats()}
    assert len(fixture) == 93 and len(bacau.localities()) == 510
    located = [m for m in bacau.monuments() if m.point is not None]
    assert (len(bacau.monuments()), len(located)) == (366, 12)
    if (SHARED / "uat.geojson").is_file():
        settings.BACAU_DATA_DIR = SHARED
        for real in bacau.uats():  # rounding to 1e-5° moves an outline by about a metre at most
            assert shapely.hausdorff_distance(real.boundary, fixture[real.siruta].boundary) < 2.0


def test_the_map_shows_the_attribution_of_every_source(county):
    style = Client().get("/map/style.json").json()
    sources = style["sources"]
    assert "ANCPI" in sources["demo-uat"]["attribution"] and "SIRUTA" in sources["demo-uat"]["attribution"]
    assert "CC BY-SA" in sources["demo-lmi"]["attribution"] and "2828/2015" in sources["demo-lmi"]["attribution"]
    assert "sintetice" in sources["demo-utr"]["attribution"]
    assert sources["parcels"]["attribution"] == sources["buildings"]["attribution"] == (
        "Parcele și clădiri: date sintetice (demo)")


def test_a_cu_in_the_demo_commune_without_a_department_goes_to_the_county(county):
    result = analysis_create(parcels=[showcase_parcels()["monument-150m-rural"]]).result
    cj = Issuer.objects.get(kind=Issuer.Kind.PRESEDINTE_CJ, county="Bacău")
    assert (result["issuer"]["id"], result["issuer"]["basis"]) == (cj.pk, "no_department")
    assert [m["name"] for m in result["issuer"]["mayors_aviz"]] == ["Primarul comunei Valea Seacă"]
    extravilan = analysis_create(parcels=[showcase_parcels()["monument-300m-extravilan"]]).result
    assert (extravilan["locality_class"], extravilan["issuer"]["basis"]) == ("extravilan", "extravilan_no_department")


def test_a_cu_in_bacau_is_its_mayors(county):
    result = analysis_create(parcels=[showcase_parcels()["monument-80m-urban"]]).result
    assert result["issuer"]["name"] == "Primarul municipiului Bacău" and result["issuer"]["mayors_aviz"] == []


def test_a_lot_across_the_real_limit_of_bacau_and_hemeius_goes_to_the_county_with_both_mayors(county):
    bacau_uat, hemeius = UAT.objects.get(siruta=20297), UAT.objects.get(siruta=20313)
    # A 40 m square on the middle of their common border (about 850 m long, away from any third UAT).
    border = shapely.line_merge(shapely.from_wkb(bytes(bacau_uat.boundary.intersection(hemeius.boundary).wkb)))
    point = max(shapely.get_parts(border), key=lambda part: part.length).interpolate(0.5, normalized=True)
    lot = Polygon.from_bbox((point.x - 20, point.y - 20, point.x + 20, point.y + 20))
    lot.srid = 3844
    issuer = analysis_create(geometry=lot, crs=3844).result["issuer"]
    assert issuer["basis"] == "multi_uat" and issuer["kind"] == "presedinte_cj"
    assert {m["name"] for m in issuer["mayors_aviz"]} == {"Primarul municipiului Bacău", "Primarul comunei Hemeiuș"}
