"""Zoning regime and compliance of proposed works (POT, CUT, height, setbacks, lot size)."""
from __future__ import annotations

import json

import pytest

from layers.models import ZoningUnit
from rules.compliance import levels_count
from rules.services import analysis_create
from tests.rules.conftest import BACAU_E, BACAU_N, box, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def utr(make_layer, intravilan, seeded):
    """Two UTRs: L1a (houses) west of BACAU_E, C1 (centre) east of it, both in Bacău."""
    make_layer("utr_polygon", [(box(BACAU_E - 500, BACAU_N - 500, BACAU_E, BACAU_N + 500), {"utr_code": "L1a"}),
                               (box(BACAU_E, BACAU_N - 500, BACAU_E + 500, BACAU_N + 500), {"utr_code": "C1"})])
    uat = seeded["uat_a"]
    l1a = ZoningUnit.objects.create(uat=uat, code="L1a", name="Locuințe individuale", pot_max=40, cut_max=1.2,
                                    height_max_m=10, levels_max="P+1E+M", setback_side_m=2, setback_rear_m=5,
                                    min_lot_area_m2=250, allowed_functions=["locuire"], plan="PUG Bacău, HCL 1/2020")
    ZoningUnit.objects.create(uat=uat, code="C1", name="Zona centrală", pot_max=80, cut_max=3.5, height_max_m=30)
    return l1a


def rect(e0, n0, e1, n1):
    return json.loads(box(e0, n0, e1, n1)[0].json)


def checks(result) -> dict:
    return {c["check"]: c for c in result["compliance"]["checks"]}


def test_the_zoning_lists_each_utr_with_its_share_and_full_regime(utr):
    result = analysis_create(geometry=box(BACAU_E - 15, BACAU_N, BACAU_E + 5, BACAU_N + 20)).result
    assert [(z["utr_code"], z["share"]) for z in result["zoning"]] == [("L1a", 0.75), ("C1", 0.25)]
    regime = result["zoning"][0]["regime"]
    assert (regime["pot_max"], regime["cut_max"], regime["levels_max"], regime["plan"]) == (40, 1.2, "P+1E+M", "PUG Bacău, HCL 1/2020")


def test_pot_cut_and_height_failures_are_reported_with_values(utr):
    lot = square(BACAU_E - 30, BACAU_N, 20)  # 400 m² inside L1a
    works = {"footprint": rect(BACAU_E - 27.5, BACAU_N + 2.5, BACAU_E - 12.5, BACAU_N + 17.5),  # 15 × 15 = 225 m²
             "gross_floor_area_m2": 600, "height_m": 12, "levels": 4}
    result = analysis_create(geometry=lot, works=works, crs=3844).result
    c = checks(result)
    assert c["pot"] == {"check": "pot", "value": 56.25, "limit": 40.0, "unit": "%", "status": "fail", "rule": "R36"}
    assert (c["cut"]["value"], c["cut"]["limit"], c["cut"]["status"]) == (1.5, 1.2, "fail")
    assert (c["height_m"]["value"], c["height_m"]["limit"], c["height_m"]["status"]) == (12, 10, "fail")
    assert (c["levels"]["value"], c["levels"]["limit"], c["levels"]["status"]) == (4, 3, "fail")
    assert (c["min_lot_area"]["value"], c["min_lot_area"]["status"]) == (400, "pass")
    assert result["compliance"]["passed"] is False and result["compliance"]["utr"] == "L1a"


def test_compliant_works_pass_and_a_close_facade_without_window_list_is_only_a_warning(utr):
    lot = square(BACAU_E - 30, BACAU_N, 20)
    works = {"footprint": rect(BACAU_E - 29, BACAU_N + 5, BACAU_E - 21, BACAU_N + 13), "gross_floor_area_m2": 128,
             "height_m": 7, "levels": 2}
    c = checks(analysis_create(geometry=lot, works=works, crs=3844).result)
    assert c["pot"]["status"] == "pass" and c["cut"]["status"] == "pass" and c["height_m"]["status"] == "pass"
    assert (c["setback_civil_code"]["value"], c["setback_civil_code"]["status"]) == (1.0, "pass")
    assert c["setback_windows"]["status"] == "warning" and c["setback_windows"]["limit"] == 2.0


def test_a_footprint_closer_than_60_cm_to_the_boundary_fails_the_civil_code(utr):
    lot = square(BACAU_E - 30, BACAU_N, 20)
    works = {"footprint": rect(BACAU_E - 29.7, BACAU_N + 5, BACAU_E - 21, BACAU_N + 13),
             "window_facades": [{"type": "LineString", "coordinates": [[BACAU_E - 21, BACAU_N + 5], [BACAU_E - 21, BACAU_N + 13]]}]}
    c = checks(analysis_create(geometry=lot, works=works, crs=3844).result)
    assert (c["setback_civil_code"]["value"], c["setback_civil_code"]["status"]) == (0.3, "fail")
    assert (c["setback_windows"]["value"], c["setback_windows"]["status"]) == (5.0, "pass")


def test_a_footprint_outside_the_lot_fails(utr):
    lot = square(BACAU_E - 30, BACAU_N, 20)
    works = {"footprint": rect(BACAU_E - 35, BACAU_N + 5, BACAU_E - 21, BACAU_N + 13)}
    c = checks(analysis_create(geometry=lot, works=works, crs=3844).result)
    assert c["footprint_inside_lot"]["status"] == "fail" and c["setback_civil_code"]["status"] == "fail"


def test_without_works_there_is_no_compliance_section(utr):
    assert analysis_create(geometry=square(BACAU_E - 30, BACAU_N, 20)).result["compliance"] is None


@pytest.mark.parametrize("regime, levels", [("P+1E+M", 3), ("P+2E+M", 4), ("S+P+4E", 5), ("P", 1), ("P+1+2R", 4), ("", None)])
def test_height_regimes_count_above_ground_levels(regime, levels):
    assert levels_count(regime) == levels
