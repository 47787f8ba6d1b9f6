"""Checks measured from the street axes and the lot's buildings: frontage (R35), street / side / rear
setbacks (R36 regime), distance between buildings on the same parcel (R34)."""
from __future__ import annotations

import json

import pytest
from django.contrib.gis.geos import LineString
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.models import ZoningUnit
from parcels.models import Building
from rules.services import analysis_create
from tests.rules.conftest import BACAU_E, BACAU_N, box, square

pytestmark = pytest.mark.django_db

E0, N0 = BACAU_E - 100, BACAU_N  # south-west corner of the lots; the street runs 6 m south of them


@pytest.fixture
def regime(make_layer, intravilan, seeded):
    make_layer("utr_polygon", [(box(BACAU_E - 500, BACAU_N - 500, BACAU_E, BACAU_N + 500), {"utr_code": "L1a"})])
    return ZoningUnit.objects.create(uat=seeded["uat_a"], code="L1a", name="Locuințe", pot_max=60, cut_max=2,
                                     height_max_m=12, setback_street_m=5, setback_side_m=2, setback_rear_m=5,
                                     min_lot_area_m2=250, min_frontage_m=12)


def street(y: float, width: float | None = 12, x: float | None = None) -> tuple:
    """An east-west street axis at northing y (or a north-south one at easting x)."""
    line = (LineString((x, N0 - 200), (x, N0 + 200)) if x is not None
            else LineString((E0 - 200, y), (E0 + 200, y)))
    return line, ({"width_m": width} if width is not None else {})


@pytest.fixture
def streets(make_layer, regime):
    return make_layer("street_axis", [street(N0 - 6)], slug="demo-streets")


def rect(e0, n0, e1, n1):
    return json.loads(box(e0, n0, e1, n1)[0].json)


def checks(result) -> dict:
    return {c["check"]: c for c in result["compliance"]["checks"]}


def analyse(lot, **works):
    return analysis_create(geometry=lot, works=works, crs=3844).result


def test_the_frontage_is_the_boundary_along_the_street_and_passes_the_minimum(streets):
    lot = box(E0, N0, E0 + 15, N0 + 30)  # 15 m on the street; the sides' first 2 m inside the band do not count
    c = checks(analyse(lot, height_m=7))
    assert c["min_frontage"] == {"check": "min_frontage", "value": 15.0, "limit": 12.0, "unit": "m",
                                 "status": "pass", "rule": "R35"}


def test_a_narrow_lot_fails_the_minimum_frontage(streets):
    c = checks(analyse(box(E0, N0, E0 + 10, N0 + 30), height_m=7))  # 300 m²: the area passes
    assert (c["min_frontage"]["value"], c["min_frontage"]["limit"], c["min_frontage"]["status"]) == (10.0, 12.0, "fail")
    assert c["min_lot_area"]["status"] == "pass"


def test_the_tolerance_follows_the_street_width(make_layer, regime):
    # The lot is 9 m from the axis: beyond a 12 m street's 6 + 2 m, within a 16 m street's 8 + 2 m.
    lot = box(E0, N0 + 3, E0 + 15, N0 + 33)
    make_layer("street_axis", [street(N0 - 6, width=12)], slug="demo-streets")
    c = checks(analyse(lot, height_m=7))
    assert (c["min_frontage"]["value"], c["min_frontage"]["status"]) == (0.0, "fail")
    assert c["min_frontage"]["reason"] == "no boundary of the lot faces a street axis"
    make_layer("street_axis", [street(N0 - 6, width=16)], slug="demo-streets")
    assert checks(analyse(lot, height_m=7))["min_frontage"]["value"] == 15.0


def test_without_a_street_layer_the_frontage_is_not_evaluated_and_setbacks_stay_one_soft_check(regime):
    lot = box(E0, N0, E0 + 15, N0 + 30)
    result = analyse(lot, footprint=rect(E0 + 3, N0 + 4, E0 + 12, N0 + 20))
    c = checks(result)
    assert c["min_frontage"]["status"] == "not_evaluated" and c["min_frontage"]["value"] is None
    assert c["min_frontage"]["reason"].startswith("no street_axis layer")
    assert {"theme": "street_axis", "layer": None, "reason": "no_layer"} in result["no_data"]
    assert (c["setback_rlu"]["value"], c["setback_rlu"]["limit"], c["setback_rlu"]["status"]) == (3.0, 2.0, "pass")
    assert "setback_street" not in c and "setback_side" not in c


def test_a_street_layer_not_covering_the_lot_leaves_the_frontage_not_evaluated(make_layer, regime):
    make_layer("street_axis", [street(N0 - 6)], coverage=box(E0 + 1000, N0, E0 + 2000, N0 + 1000), slug="demo-streets")
    c = checks(analyse(box(E0, N0, E0 + 15, N0 + 30), height_m=7))
    assert c["min_frontage"]["status"] == "not_evaluated"
    assert c["min_frontage"]["reason"].startswith("the street_axis layer does not cover the whole lot")


def test_street_side_and_rear_setbacks_are_measured_apart(streets):
    lot = box(E0, N0, E0 + 15, N0 + 30)
    # 6 m from the street front, 3 m from each side, 9 m from the rear.
    c = checks(analyse(lot, footprint=rect(E0 + 3, N0 + 6, E0 + 12, N0 + 21)))
    assert (c["setback_street"]["value"], c["setback_street"]["limit"], c["setback_street"]["status"]) == (6.0, 5.0, "pass")
    assert (c["setback_side"]["value"], c["setback_side"]["limit"], c["setback_side"]["status"]) == (3.0, 2.0, "pass")
    assert (c["setback_rear"]["value"], c["setback_rear"]["limit"], c["setback_rear"]["status"]) == (9.0, 5.0, "pass")
    assert "setback_rlu" not in c and c["setback_civil_code"]["value"] == 3.0


def test_a_footprint_too_close_to_the_street_and_the_rear_fails_those_setbacks_only(streets):
    lot = box(E0, N0, E0 + 15, N0 + 30)
    # 4 m from the front (< 5), 3 m from the sides, 3 m from the rear (< 5): the sides pass.
    c = checks(analyse(lot, footprint=rect(E0 + 3, N0 + 4, E0 + 12, N0 + 27)))
    assert (c["setback_street"]["value"], c["setback_street"]["status"]) == (4.0, "fail")
    assert (c["setback_side"]["value"], c["setback_side"]["status"]) == (3.0, "pass")
    assert (c["setback_rear"]["value"], c["setback_rear"]["status"]) == (3.0, "fail")
    assert c["setback_civil_code"]["status"] == "pass"


def test_a_corner_lot_has_two_fronts_and_no_rear(make_layer, regime):
    make_layer("street_axis", [street(N0 - 6), street(None, x=E0 - 6)], slug="demo-streets")
    lot = box(E0, N0, E0 + 15, N0 + 30)
    c = checks(analyse(lot, footprint=rect(E0 + 5, N0 + 6, E0 + 12, N0 + 27)))
    assert c["min_frontage"]["value"] == 45.0
    assert (c["setback_street"]["value"], c["setback_street"]["status"]) == (5.0, "pass")
    assert (c["setback_side"]["value"], c["setback_side"]["status"]) == (3.0, "pass")  # east and north
    assert c["setback_rear"]["status"] == "not_evaluated" and "corner" in c["setback_rear"]["reason"]


@pytest.fixture
def built_parcel(streets, parcel_factory):
    """A 30 × 30 m parcel on the street with C1 (9 m high) in its north-west and C2 (one level,
    height unknown) in its south-east."""
    parcel = parcel_factory(e=E0, n=N0, size=30)
    Building.objects.create(parcel=parcel, cadastral_id="C1", footprint=box(E0 + 2, N0 + 20, E0 + 10, N0 + 28),
                            levels=3, height_m=9, built_area_m2=64)
    Building.objects.create(parcel=parcel, cadastral_id="C2", footprint=box(E0 + 18, N0 + 6, E0 + 24, N0 + 12),
                            levels=1, height_m=None, built_area_m2=36)
    return parcel


def test_r34_fails_when_a_building_is_nearer_than_half_the_taller_height(built_parcel):
    works = {"footprint": rect(E0 + 14, N0 + 18, E0 + 26, N0 + 28), "height_m": 6}  # 4 m east of C1, 6 m north of C2
    c = checks(analysis_create(parcels=[built_parcel.pk], works=works, crs=3844).result)["building_distance"]
    assert (c["value"], c["limit"], c["status"], c["rule"], c["building"]) == (4.0, 4.5, "fail", "R34", "C1")
    assert c["buildings"] == [
        {"cadastral_id": "C1", "distance_m": 4.0, "height_m": 9.0, "limit_m": 4.5},
        {"cadastral_id": "C2", "distance_m": 6.0, "height_m": 3.0, "limit_m": 3.0, "height_estimated": True}]


def test_r34_passes_and_skips_the_building_the_works_replace(built_parcel):
    # Covers C2 whole (it is rebuilt larger); 5 m from C1, whose 9 m ask for 4.5 m.
    works = {"footprint": rect(E0 + 15, N0 + 4, E0 + 26, N0 + 22), "height_m": 8}
    c = checks(analysis_create(parcels=[built_parcel.pk], works=works, crs=3844).result)["building_distance"]
    assert (c["value"], c["limit"], c["status"], c["building"], c["replaced"]) == (5.0, 4.5, "pass", "C1", ["C2"])
    assert [b["cadastral_id"] for b in c["buildings"]] == ["C1"]


def test_r34_needs_the_height_and_a_lone_building_passes(built_parcel, parcel_factory):
    works = {"footprint": rect(E0 + 14, N0 + 18, E0 + 26, N0 + 28)}
    c = checks(analysis_create(parcels=[built_parcel.pk], works=works, crs=3844).result)["building_distance"]
    assert c["status"] == "not_evaluated" and "height" in c["reason"]
    empty = parcel_factory(e=E0 + 40, n=N0, size=30)
    c = checks(analysis_create(parcels=[empty.pk], works={**works, "height_m": 6}, crs=3844).result)["building_distance"]
    assert (c["status"], c["value"], c["reason"]) == ("pass", None, "no other building is registered on the lot")


def test_a_parcel_with_works_is_still_two_statements(built_parcel):
    works = {"footprint": rect(E0 + 14, N0 + 18, E0 + 26, N0 + 28), "height_m": 6}
    analysis_create(parcels=[built_parcel.pk], works=works, crs=3844)  # loads the rules, prepares coverages
    with CaptureQueriesContext(connection) as queries:
        result = analysis_create(parcels=[built_parcel.pk], works=works, crs=3844).result
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert checks(result)["min_frontage"]["value"] == 30.0


def test_the_analysis_of_a_parcel_without_works_is_unchanged_by_streets_and_buildings(regime, make_layer, parcel_factory):
    parcel = parcel_factory(e=E0, n=N0, size=30)
    before = analysis_create(parcels=[parcel.pk]).result
    make_layer("street_axis", [street(N0 - 6)], slug="demo-streets")
    Building.objects.create(parcel=parcel, cadastral_id="C1", footprint=square(E0 + 2, N0 + 20, 8), levels=1,
                            built_area_m2=64)
    after = analysis_create(parcels=[parcel.pk]).result
    assert after == before and after["compliance"] is None
    assert "street_axis" not in json.dumps(after)
