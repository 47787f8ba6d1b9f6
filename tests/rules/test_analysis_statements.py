"""An analysis of one parcel sends two statements (context with the candidates, insert; the
institutions of required avize come from memory) and still sees every change:
rule edits, institution edits, zoning regimes as stored, monuments in protection zones, the stored rows."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.models import ZoningUnit
from rules.models import Analysis, Rule
from rules.serializers import AnalysisOutputSerializer
from rules.services import analysis_create, rule_update
from tests.rules.conftest import BACAU_E, BACAU_N, Point, box

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(make_layer, intravilan, seeded, parcel_factory):
    make_layer("lmi_monument", [(Point(BACAU_E, BACAU_N + 100), {"name": "Casa Ghika"}),
                                (Point(BACAU_E + 60, BACAU_N - 60), {"name": "Han"})])
    make_layer("monument_protection_zone", [(box(BACAU_E + 40, BACAU_N - 80, BACAU_E + 80, BACAU_N - 40), {})])
    make_layer("utr_polygon", [(box(BACAU_E - 500, BACAU_N - 500, BACAU_E + 500, BACAU_N + 500), {"utr_code": "L1a"})])
    ZoningUnit.objects.create(uat=seeded["uat_a"], code="L1a", name="Locuințe", pot_max=40, cut_max=1, height_max_m=10,
                              levels_max="P+1E+M", allowed_functions=["locuire"], plan="PUG Bacău")
    return parcel_factory(e=BACAU_E, n=BACAU_N, size=20)


def test_a_parcel_analysis_is_two_statements_even_with_avize(site):
    analysis_create(parcels=[site.pk])  # first run: loads the rules and the institutions
    with CaptureQueriesContext(connection) as queries:
        analysis = analysis_create(parcels=[site.pk])
    # R2: the culture directorate, found by institutions_covering among the institutions in memory.
    assert [a["institution"]["kind"] for a in analysis.result["required_avize"]] == ["culture"]
    sent = [q["sql"] for q in queries]
    assert len(sent) == 2, sent
    assert "rules_generation" in sent[0] and "ST_DWithin" in sent[0] and "institutions_generation" in sent[0], sent
    assert "INSERT INTO rules_analysis" in sent[1]
    stored = Analysis.objects.get(pk=analysis.pk)
    assert stored.result == json.loads(json.dumps(analysis.result))
    assert [p.pk for p in stored.parcels.all()] == [site.pk] and [u.pk for u in stored.uats.all()] == [site.uat_id]
    assert stored.created_at == analysis.created_at and stored.created_by is None


def test_a_rule_edit_reaches_the_next_analysis(site):
    before = analysis_create(parcels=[site.pk]).result
    assert "R2" in [h["rule"] for h in before["rule_hits"]]
    rule_update(rule=Rule.objects.get(code="R2"), distance_m=50.0)
    after = analysis_create(parcels=[site.pk]).result
    assert "R2" not in [h["rule"] for h in after["rule_hits"]]
    assert {r["code"]: r["version"] for r in after["versions"]["rules"]}["R2"] == \
        {r["code"]: r["version"] for r in before["versions"]["rules"]}["R2"] + 1


def test_a_queryset_update_of_rules_reaches_the_next_analysis(site):
    """rules_generation is set by a trigger: an update() that moves no updated_at or version is seen."""
    before = analysis_create(parcels=[site.pk]).result
    assert "R2" in [h["rule"] for h in before["rule_hits"]]
    Rule.objects.filter(code="R2").update(active=False)
    after = analysis_create(parcels=[site.pk]).result
    assert "R2" not in [h["rule"] for h in after["rule_hits"]]
    Rule.objects.filter(code="R2").update(active=True)
    assert "R2" in [h["rule"] for h in analysis_create(parcels=[site.pk]).result["rule_hits"]]


def test_a_rule_edit_that_widens_the_search_is_seen_by_the_same_analysis(site, make_layer):
    make_layer("lmi_monument", [(Point(BACAU_E, BACAU_N + 100), {"name": "Casa Ghika"}),
                                (Point(BACAU_E + 1500, BACAU_N), {"name": "Far"})])
    analysis_create(parcels=[site.pk])  # the process caches the rules: the next context searches with them
    rule_update(rule=Rule.objects.get(code="R2"), distance_m=2000.0)
    with CaptureQueriesContext(connection) as queries:
        result = analysis_create(parcels=[site.pk]).result
    r2 = next(h for h in result["rule_hits"] if h["rule"] == "R2")
    assert [f["name"] for f in r2["features"]] == ["Casa Ghika", "Far"]
    assert sum("ST_DWithin" in q["sql"] for q in queries) == 2  # the context's search was too narrow: again


def test_a_drawn_geometry_and_several_parcels_get_the_same_answer_as_before(site, parcel_factory):
    other = parcel_factory(e=BACAU_E + 20, n=BACAU_N, size=20)
    both = analysis_create(parcels=[site.pk, other.pk]).result
    drawn = analysis_create(geometry=box(BACAU_E, BACAU_N, BACAU_E + 40, BACAU_N + 20)).result
    assert both["area_m2"] == drawn["area_m2"] == 800.0
    assert [h["rule"] for h in both["rule_hits"]] == [h["rule"] for h in drawn["rule_hits"]]
    assert both["zoning"] == drawn["zoning"] and both["rule_hits"] == drawn["rule_hits"]


def test_the_regime_is_the_stored_zoning_unit_and_zoned_monuments_use_their_zone(site):
    result = analysis_create(parcels=[site.pk]).result
    unit = ZoningUnit.objects.get(code="L1a")  # read back: FloatFields are floats (40.0, not 40)
    regime = result["zoning"][0]["regime"]
    assert json.dumps(regime) == json.dumps({
        "id": unit.pk, "uat_siruta": unit.uat.siruta, "allowed_functions": unit.allowed_functions,
        "conditioned_functions": unit.conditioned_functions, "forbidden_functions": unit.forbidden_functions,
        "pot_max": unit.pot_max, "cut_max": unit.cut_max, "height_max_m": unit.height_max_m,
        "levels_max": unit.levels_max, "setback_street_m": None, "setback_side_m": None, "setback_rear_m": None,
        "min_lot_area_m2": None, "min_frontage_m": None, "plan": "PUG Bacău"})
    # Casa Ghika (100 m, no zone) triggers R2; the Han lies in its protection zone, so not R2–R4.
    r2 = next(h for h in result["rule_hits"] if h["rule"] == "R2")
    assert [f["name"] for f in r2["features"]] == ["Casa Ghika"]


@pytest.mark.parametrize("crs", ["", "?crs=3844"])
def test_running_and_reading_an_analysis_serve_the_serializers_document(api, cast, site, crs):
    body = api(cast["carol"]).post("/api/v1/analyses/", {"parcels": [site.pk], "works": {"levels": 2}},
                                   format="json").json()
    response = api(cast["carol"]).get(f"/api/v1/analyses/{body['id']}/{crs}")  # issuer staff: the DISTINCT query
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    analysis = Analysis.objects.get(pk=body["id"])
    expected = AnalysisOutputSerializer(analysis, context={"srid": 3844 if crs else 4326}).data
    assert response.json() == json.loads(json.dumps(expected))
    assert response.json()["parcels"] == [site.pk] and response.json()["works"] == {"levels": 2}
    if not crs:  # the POST answered the same document (in 4326, its default)
        assert body == response.json()


def _culture(analysis) -> list[str]:
    return [a["institution"]["code"] for a in analysis.result["required_avize"]
            if a["institution"]["kind"] == "culture"]


def test_an_institution_edit_reaches_the_next_analysis(site):
    from institutions.models import Institution

    code = _culture(analysis_create(parcels=[site.pk]))[0]
    culture = Institution.objects.get(code=code)
    Institution.objects.filter(pk=culture.pk).update(name="Direcția de Cultură (nou)")  # a bulk update too
    renamed = analysis_create(parcels=[site.pk]).result["required_avize"][0]["institution"]["name"]
    assert renamed == "Direcția de Cultură (nou)"
    other = Institution.objects.create(code="dj-cultura-bis", name="Alta", kind=culture.kind, county="")
    other.jurisdiction_uats.add(site.uat)  # only the m2m table changes: UATs beat a county
    assert _culture(analysis_create(parcels=[site.pk])) == ["dj-cultura-bis"]
    other.jurisdiction_uats.clear()  # now national: the county's directorate comes first again
    assert _culture(analysis_create(parcels=[site.pk])) == [code]
    Institution.objects.filter(kind=culture.kind).update(active=False)
    analysis = analysis_create(parcels=[site.pk])
    assert _culture(analysis) == [] and [u["kind"] for u in analysis.result["unresolved_avize"]] == ["culture"]


def test_a_rolled_back_change_never_hands_its_generation_to_a_later_one(site):
    from django.db import transaction

    from institutions.models import Institution

    def generation() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n FROM institutions_generation")
            return cursor.fetchone()[0]

    start = generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        Institution.objects.update(name="rolled back")
        assert generation() > start
        analysis_create(parcels=[site.pk])  # caches the rolled-back names under that generation
        raise RuntimeError
    assert generation() == start
    Institution.objects.filter(kind="culture").update(response_days=20)  # a new change: a new number
    avize = analysis_create(parcels=[site.pk]).result["required_avize"]
    assert avize[0]["institution"]["name"] != "rolled back" and avize[0]["response_days"] == 20
