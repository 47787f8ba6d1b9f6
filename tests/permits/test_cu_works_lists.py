"""CU requests of different declared works list what the AC request needs (issue 16, F.6 list).

Each test registers a CU request through the API on a parcel it creates in the test territory
(tests/conftest.py), with the shipped rules and institutions, and reads the frozen analysis.
"""
from __future__ import annotations

import pytest

from permits.models import Application
from tests.conftest import BACAU_E, BACAU_N
from tests.rules.conftest import Point, box, make_layer, seeded  # noqa: F401 (fixtures)

HOUSE = {"works_kind": "building", "works_destination": "house", "works_built_area_m2": "120.00",
         "works_gross_floor_area_m2": "220.00", "works_levels": 2, "works_height_m": "8.50",
         "works_connections": ["water", "sewerage", "electricity"], "works_road_access": "street"}
SHOP = {"works_kind": "building", "works_destination": "commercial", "works_built_area_m2": "700.00",
        "works_gross_floor_area_m2": "700.00", "works_levels": 1, "works_height_m": "6.00",
        "works_occupants": 120, "works_connections": ["gas"], "works_road_access": "street",
        "works_description": "Magazin"}


@pytest.fixture
def intravilan_all(make_layer, territory):
    return make_layer("intravilan_limit", [(box(BACAU_E - 6000, BACAU_N - 2000, BACAU_E + 2000, BACAU_N + 2000), {})])


@pytest.fixture
def registered(submitted_cu, parcel_factory, seeded, intravilan_all):  # noqa: F811
    """registered(**works) -> the frozen analysis of a CU request registered for a 30 m lot."""

    def make(**works) -> dict:
        parcel = parcel_factory(e=BACAU_E + 300, n=BACAU_N + 300, size=30)
        _, pk = submitted_cu(parcels=[parcel], **works)
        return Application.objects.get(pk=pk).analysis_result

    return make


def codes(result: dict) -> set[str]:
    return {a["institution"]["code"] for a in result["required_avize"]}


def kinds(result: dict) -> set[str]:
    return {a["institution"]["kind"] for a in result["required_avize"]}


def lines(result: dict, group: str) -> list[tuple[str, str | None]]:
    return [(i["label"]["ro"], i["institution"]["code"] if i["institution"] else None)
            for i in result["ac_requirements"] if i["group"] == group]


def test_a_house_with_water_sewerage_and_electricity_lists_those_operators_and_no_dsp_isu_or_environment(registered):
    result = registered(**HOUSE)
    assert result["locality_class"] == "urban"
    assert codes(result) == {"crab-bacau", "delgaz-grid-bacau"}
    assert lines(result, "d1_utilities") == [("Alimentare cu apă", "crab-bacau"),
                                             ("Alimentare cu energie electrică", "delgaz-grid-bacau"),
                                             ("Canalizare", "crab-bacau")]
    assert not kinds(result) & {"health", "fire", "environment"}
    assert lines(result, "d2_fire_health") == [] and lines(result, "e_environment") == []
    # the studies, the documentation and the fees of a new building are still listed
    assert {label for label, _ in lines(result, "d4_studies")} == {"Studiu geotehnic", "Ridicare topografică vizată de OCPI"}
    assert [label[:8] for label, _ in lines(result, "c_documentation")] == ["D.T.A.C.", "D.T.O.E."]
    assert len(lines(result, "f_fees")) == 1
    crab = next(a for a in result["required_avize"] if a["institution"]["code"] == "crab-bacau")
    assert [(r["rule"], r["legal_basis"][:12]) for r in crab["reasons"]] == [("W1", "Legea 241/20"), ("W2", "Legea 241/20")]
    assert {r["code"] for r in result["versions"]["works_rules"]} >= {"W1", "W2", "W3", "W14", "W40"}


def test_a_shop_of_hg_571_annex_1_with_gas_lists_gas_isu_dsp_and_the_environmental_authority(registered):
    result = registered(**SHOP)
    assert codes(result) == {"delgaz-grid-gaz", "isu-bacau", "dsp-bacau", "apm-bacau"}
    assert lines(result, "d1_utilities") == [("Gaze naturale", "delgaz-grid-gaz")]
    assert lines(result, "d2_fire_health") == [("Securitatea la incendiu", "isu-bacau"),
                                               ("Sănătatea populației", "dsp-bacau")]
    assert lines(result, "e_environment") == [
        ("Punctul de vedere / actul administrativ al autorității de mediu", "apm-bacau")]
    isu = next(h for h in result["works_rule_hits"] if h["rule"] == "W10")
    assert isu["default_value"] is True and isu["confidence"] == "U"  # HG 571/2016 thresholds: an editable default


def test_a_smaller_shop_is_below_the_seeded_isu_threshold(registered):
    result = registered(**{**SHOP, "works_built_area_m2": "80.00", "works_gross_floor_area_m2": "80.00"})
    assert "fire" not in kinds(result) and {"health", "environment", "gas"} <= kinds(result)


def test_the_same_house_near_a_monument_also_lists_the_culture_directorate(registered, make_layer):  # noqa: F811
    make_layer("lmi_monument", [(Point(BACAU_E + 300 + 15, BACAU_N + 300 + 90), {"name": "Biserica Precista"})])
    result = registered(**HOUSE)
    assert codes(result) == {"crab-bacau", "delgaz-grid-bacau", "djc-bacau"}
    assert lines(result, "d3_specific") == [("Aviz Cultură (DJC / Ministerul Culturii)", "djc-bacau")]
    culture = next(a for a in result["required_avize"] if a["institution"]["code"] == "djc-bacau")
    assert [r["rule"] for r in culture["reasons"]] == ["R2"]


def test_an_information_only_cu_lists_no_avize(registered, make_layer):  # noqa: F811
    make_layer("lmi_monument", [(Point(BACAU_E + 300 + 15, BACAU_N + 300 + 90), {"name": "Biserica Precista"})])
    result = registered(**HOUSE, purpose="informare")
    assert result["required_avize"] == [] and result["ac_requirements"] == [] and result["works_rule_hits"] == []
    assert "R2" in {h["rule"] for h in result["rule_hits"]}  # the regime still says the monument is near


def test_the_declared_works_are_bounded_and_checked(cu_draft, seeded):  # noqa: F811
    client, pk = cu_draft(docs=False)
    for field, value in (("works_connections", ["water", "steam"]), ("works_occupants", -1),
                         ("works_built_area_m2", "99999999.00"), ("works_road_access", "motorway"),
                         ("works_destination", "castle")):
        response = client.patch(f"/api/v1/applications/{pk}/", {field: value}, format="json")
        assert response.status_code == 400, (field, response.json())
        assert field in str(response.json())
    response = client.patch(f"/api/v1/applications/{pk}/", {"works_connections": ["gas", "water", "gas"],
                                                             "works_occupants": 12}, format="json")
    assert response.status_code == 200, response.json()
    app = Application.objects.get(pk=pk)
    assert app.works_connections == ["gas", "water"] and app.works_occupants == 12
