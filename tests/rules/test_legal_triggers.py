"""The legal triggers of the catalogue, each as a parcel at a measured distance from a feature."""
from __future__ import annotations

import pytest

from rules.services import analysis_create
from tests.rules.conftest import BACAU_E, BACAU_N, LineString, Point, box, square

pytestmark = pytest.mark.django_db


def run(geom, **kw):
    return analysis_create(geometry=geom, **kw).result


def hit_codes(result) -> list[str]:
    return [h["rule"] for h in result["rule_hits"]]


def aviz_codes(result) -> list[str]:
    return [a["institution"]["code"] for a in result["required_avize"]]


def parcel_south_of(e: float, n: float, gap: float, size: float = 20.0):
    """A size×size parcel whose north edge lies `gap` metres south of the point (e, n)."""
    return square(e - size / 2, n - gap - size, size)


# --- monuments (R2 / R3) ----------------------------------------------------------------------

@pytest.fixture
def monuments(make_layer, intravilan, seeded):
    urban = (BACAU_E, BACAU_N + 500)
    rural = (BACAU_E - 4000, BACAU_N + 500)
    make_layer("lmi_monument", [(Point(*urban), {"name": "Casa Ghika", "lmi_code": "BC-II-m-B-00871", "group": "B"}),
                                (Point(*rural), {"name": "Biserica de lemn", "group": "B"})])
    return {"urban": urban, "rural": rural}


def test_a_parcel_80_m_from_a_monument_in_an_urban_uat_needs_the_culture_aviz(monuments):
    result = run(parcel_south_of(*monuments["urban"], gap=80))
    assert result["locality_class"] == "urban"
    hit = next(h for h in result["rule_hits"] if h["rule"] == "R2")
    assert hit["distance_m"] == pytest.approx(80.0, abs=0.01)
    assert hit["layer"] == "lmi-monument" and hit["layer_version"] == 1
    assert hit["legal_basis"] == "Legea 5/2000 art. 10" and hit["confidence"] == "S"
    culture = next(a for a in result["required_avize"] if a["institution"]["kind"] == "culture")
    assert culture["institution"]["code"] == "djc-bacau"
    assert [r["rule"] for r in culture["reasons"]] == ["R2"]


def test_a_parcel_150_m_from_a_monument_in_an_urban_uat_needs_no_culture_aviz(monuments):
    result = run(parcel_south_of(*monuments["urban"], gap=150))
    assert "R2" not in hit_codes(result) and "R3" not in hit_codes(result)
    assert "djc-bacau" not in aviz_codes(result)


def test_a_parcel_150_m_from_a_monument_in_a_rural_uat_needs_the_culture_aviz(monuments):
    result = run(parcel_south_of(*monuments["rural"], gap=150))
    assert result["locality_class"] == "rural"
    assert result["uats"][0]["siruta"] == 22936
    assert "R3" in hit_codes(result) and "R2" not in hit_codes(result)
    assert "djc-bacau" in aviz_codes(result)


def test_a_monument_with_a_delimited_protection_zone_uses_the_zone_not_the_radius(monuments, make_layer):
    e, n = monuments["urban"]
    make_layer("monument_protection_zone", [(box(e - 30, n - 30, e + 30, n + 30), {})])
    result = run(parcel_south_of(e, n, gap=80))
    assert "R2" not in hit_codes(result) and "R5" not in hit_codes(result)
    inside = run(square(e - 25, n - 25, 10))
    assert "R5" in hit_codes(inside) and "R2" not in hit_codes(inside)


def test_a_parcel_outside_the_intravilan_is_extravilan_and_gets_the_500_m_radius(make_layer, seeded):
    make_layer("intravilan_limit", [(box(BACAU_E - 6000, BACAU_N - 2000, BACAU_E + 2000, BACAU_N), {})])
    make_layer("lmi_monument", [(Point(BACAU_E, BACAU_N + 1000), {})])
    result = run(parcel_south_of(BACAU_E, BACAU_N + 1000, gap=400))
    assert result["locality_class"] == "extravilan"
    assert result["locality"]["intravilan_share"] == 0
    assert "R4" in hit_codes(result)


# --- power lines (R12) ------------------------------------------------------------------------

@pytest.fixture
def line_110kv(make_layer, intravilan, seeded):
    n = BACAU_N + 300
    make_layer("power_line_110kV", [(LineString((BACAU_E - 1000, n), (BACAU_E + 1000, n)), {"voltage_kv": 110})])
    return n


def test_a_parcel_10_m_from_a_110_kv_line_needs_the_electricity_operator(line_110kv):
    result = run(parcel_south_of(BACAU_E, line_110kv, gap=10))
    hit = next(h for h in result["rule_hits"] if h["rule"] == "R12")
    assert hit["distance_m"] == pytest.approx(10.0, abs=0.01)
    assert hit["features"][0]["rule_distance_m"] == 18.5
    operator = next(a for a in result["required_avize"] if a["institution"]["kind"] == "electricity")
    assert operator["institution"]["code"] == "delgaz-grid-bacau"
    assert operator["reasons"][0]["rule"] == "R12"


def test_a_parcel_30_m_from_a_110_kv_line_needs_no_electricity_aviz(line_110kv):
    result = run(parcel_south_of(BACAU_E, line_110kv, gap=30))
    assert "R12" not in hit_codes(result)
    assert all(a["institution"]["kind"] != "electricity" for a in result["required_avize"])


def test_a_20_kv_line_stored_in_the_generic_power_line_theme_only_triggers_its_own_rule(make_layer, intravilan, seeded):
    n = BACAU_N + 300
    make_layer("power_line", [(LineString((BACAU_E - 1000, n), (BACAU_E + 1000, n)), {"voltage_kv": 20})])
    result = run(parcel_south_of(BACAU_E, n, gap=10))
    assert "R11" in hit_codes(result) and "R12" not in hit_codes(result)


# --- rivers (R17–R19) -------------------------------------------------------------------------

@pytest.fixture
def rivers(make_layer, intravilan, seeded):
    """Three parallel river beds (albia minoră polygons) 600 m apart, north edge at N + 100 + k·600."""
    def bed(k):
        n = BACAU_N - 1500 + k * 600
        return box(BACAU_E - 1000, n - 8, BACAU_E + 1000, n), n
    beds = {cls: bed(k) for k, cls in enumerate(("lt10", "10_50", "gt50"))}
    regulated = box(BACAU_E + 1500, BACAU_N - 1500, BACAU_E + 1506, BACAU_N - 1000)
    make_layer("river_albia_minora", [(geom, {"width_class": cls, "regulated": False}) for cls, (geom, _) in beds.items()]
               + [(regulated, {"width_class": "lt10", "regulated": True, "name": "canalized brook"})])
    return {cls: n for cls, (_, n) in beds.items()}


def north_of(n: float, gap: float):
    return square(BACAU_E - 10, n + gap, 20)


@pytest.mark.parametrize("cls, gap, expected", [
    ("lt10", 4, "R17"), ("lt10", 6, None),
    ("10_50", 14, "R18"), ("10_50", 16, None),
    ("gt50", 19, "R19"), ("gt50", 21, None),
])
def test_river_protection_strips_depend_on_the_width_class(rivers, cls, gap, expected):
    result = run(north_of(rivers[cls], gap))
    water = [h["rule"] for h in result["rule_hits"] if h["rule"] in ("R17", "R18", "R19")]
    assert water == ([expected] if expected else [])
    assert ("sga-bacau" in aviz_codes(result)) is bool(expected)


def test_a_regulated_brook_has_a_2_m_strip(rivers):
    near = run(square(BACAU_E + 1507.5, BACAU_N - 1200, 20))
    far = run(square(BACAU_E + 1509, BACAU_N - 1200, 20))
    assert "R17" in hit_codes(near) and "R17" not in hit_codes(far)


# --- shared edges and overlaps ----------------------------------------------------------------

def test_a_parcel_touching_a_flood_zone_only_along_a_shared_edge_is_not_a_hit(make_layer, intravilan, seeded):
    make_layer("flood_hazard_zone", [(box(BACAU_E, BACAU_N, BACAU_E + 200, BACAU_N + 200), {})])
    touching = run(square(BACAU_E - 20, BACAU_N + 50, 20))
    overlapping = run(square(BACAU_E - 15, BACAU_N + 50, 20))
    assert "R22" not in hit_codes(touching)
    hit = next(h for h in overlapping["rule_hits"] if h["rule"] == "R22")
    assert hit["overlap_m2"] == pytest.approx(100.0)


def test_a_works_kind_alone_triggers_attribute_rules(intravilan, seeded):
    footprint = {"type": "Polygon", "coordinates": [[[BACAU_E + 2, BACAU_N + 2], [BACAU_E + 8, BACAU_N + 2],
                                                      [BACAU_E + 8, BACAU_N + 8], [BACAU_E + 2, BACAU_N + 2]]]}
    result = run(square(BACAU_E, BACAU_N, 20), works={"kind": "fuel_station", "footprint": footprint}, crs=3844)
    assert "R27" in hit_codes(result)
    defence = next(a for a in result["required_avize"] if a["institution"]["kind"] == "defence")
    assert defence["tacit_approval"] is False


# --- issuer, no data ---------------------------------------------------------------------------

def test_works_spanning_two_uats_are_issued_by_the_county_council_president(intravilan, seeded):
    from parcels.models import Issuer
    cj = Issuer.objects.create(name="Președintele Consiliului Județean Bacău", kind=Issuer.Kind.PRESEDINTE_CJ,
                               county="Bacău")
    result = run(box(BACAU_E - 2050, BACAU_N, BACAU_E - 1950, BACAU_N + 20))
    assert [u["siruta"] for u in result["uats"]] == [20297, 22936] or [u["siruta"] for u in result["uats"]] == [22936, 20297]
    issuer = {k: v for k, v in result["issuer"].items() if k not in ("legal_basis", "mayors_aviz")}
    assert issuer == {"id": cj.pk, "name": cj.name, "kind": "presedinte_cj", "uat_id": None, "basis": "multi_uat",
                      "registered": True}
    assert len(result["issuer"]["mayors_aviz"]) == 2


def test_a_single_uat_is_issued_by_its_mayor(intravilan, seeded):
    result = run(square(BACAU_E, BACAU_N, 20))
    assert result["issuer"]["id"] == seeded["issuer_a"].pk and result["issuer"]["basis"] == "single_uat"


def test_outside_a_layers_coverage_the_answer_is_no_data_not_no_constraint(make_layer, intravilan, seeded):
    make_layer("railway_axis", [(LineString((BACAU_E - 500, BACAU_N + 500), (BACAU_E + 500, BACAU_N + 500)), {})],
               coverage=box(BACAU_E - 600, BACAU_N + 400, BACAU_E + 600, BACAU_N + 600))
    outside = run(square(BACAU_E, BACAU_N - 500, 20))
    inside = run(square(BACAU_E, BACAU_N + 470, 20))
    assert {"theme": "railway_axis", "layer": "railway-axis", "layer_version": 1,
            "reason": "outside_coverage"} in outside["no_data"]
    assert not any(d["theme"] == "railway_axis" for d in inside["no_data"])
    assert "R9" in hit_codes(inside)
    assert {"theme": "lmi_monument", "layer": None, "reason": "no_layer"} in inside["no_data"]


def test_the_result_lists_the_versions_of_layers_and_rules_used(line_110kv):
    result = run(parcel_south_of(BACAU_E, line_110kv, gap=10))
    layers = {(v["theme"], v["version"]) for v in result["versions"]["layers"]}
    assert ("power_line_110kV", 1) in layers and ("intravilan_limit", 1) in layers
    codes = [r["code"] for r in result["versions"]["rules"]]
    assert "R12" in codes and "R36" in codes and "R2" in codes and "R3" not in codes
    assert codes == sorted(codes, key=lambda c: int(c[1:]))


def test_the_institution_is_the_one_whose_jurisdiction_covers_the_parcel(monuments):
    from institutions.models import Institution
    local = Institution.objects.create(code="djc-hemeius-test", name="Oficiu cultură Hemeiuș", kind="culture",
                                       county="Bacău")
    local.jurisdiction_uats.set([monuments_uat_b()])
    rural = run(parcel_south_of(*monuments["rural"], gap=150))
    urban = run(parcel_south_of(*monuments["urban"], gap=80))
    assert [a["institution"]["code"] for a in rural["required_avize"]] == ["djc-hemeius-test"]
    assert [a["institution"]["code"] for a in urban["required_avize"]] == ["djc-bacau"]


def monuments_uat_b():
    from parcels.models import UAT
    return UAT.objects.get(siruta=22936)


def test_a_feature_naming_its_operator_sends_the_aviz_to_that_operator(make_layer, intravilan, seeded):
    n = BACAU_N + 300
    make_layer("gas_pipeline", [(LineString((BACAU_E - 500, n), (BACAU_E + 500, n)), {"institution_code": "transgaz"})])
    result = run(parcel_south_of(BACAU_E, n, gap=10))
    assert [a["institution"]["code"] for a in result["required_avize"]] == ["transgaz"]
    assert result["required_avize"][0]["reasons"][0]["rule"] == "R16"
