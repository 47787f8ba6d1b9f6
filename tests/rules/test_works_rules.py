"""Rules on the declared works (rules.works, rules/data/works_rules.csv), rule revisions, and the spatial
rules that name an administrator (R8) or follow a table (R30)."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from rules.models import RuleRevision, WorksRule
from rules.services import analysis_create, rule_update, works_rules_load_csv
from tests.helpers import otp_login
from tests.rules.conftest import BACAU_E, BACAU_N, LineString, box, square
from tests.rules.test_legal_triggers import aviz_codes, hit_codes, parcel_south_of

pytestmark = pytest.mark.django_db
LOT = square(BACAU_E, BACAU_N, 20)


def run(geom=LOT, **works):
    return analysis_create(geometry=geom, works=works or None, crs=3844).result


# --- works rules -------------------------------------------------------------------------------

def test_an_access_from_a_national_road_lists_cnair_and_the_traffic_police(intravilan, seeded):
    result = run(kind="house", operation="building", road_access="national")
    assert {"drdp-iasi", "ipj-bacau-rutiera"} <= set(aviz_codes(result))
    assert "cj-bacau-drumuri" not in aviz_codes(result)
    county = run(kind="house", operation="building", road_access="county")
    assert "cj-bacau-drumuri" in aviz_codes(county) and "drdp-iasi" not in aviz_codes(county)


def test_a_demolition_needs_a_dtad_and_no_geotechnical_study(intravilan, seeded):
    result = run(kind="house", operation="demolition")
    labels = [i["label"]["ro"][:8] for i in result["ac_requirements"]]
    assert "D.T.A.D." in labels and "D.T.A.C." not in labels
    assert not any(i["group"] == "d4_studies" for i in result["ac_requirements"])


def test_crowded_rooms_need_isu_whatever_the_destination(intravilan, seeded):
    assert "isu-bacau" in aviz_codes(run(kind="other", operation="building", occupants=200))
    assert "isu-bacau" not in aviz_codes(run(kind="other", operation="building", occupants=20))


def test_an_analysis_without_declared_works_lists_only_the_spatial_avize(intravilan, seeded):
    result = run()
    assert result["works_rule_hits"] == [] and result["ac_requirements"] == []


def test_bad_declared_works_are_refused_with_the_field_named(intravilan, seeded):
    for works, field in (({"connections": ["steam"]}, "works.connections"), ({"road_access": "motorway"}, "works.road_access"),
                         ({"occupants": -3}, "works.occupants"), ({"operation": "castle"}, "works.operation")):
        with pytest.raises(ValidationError) as error:
            run(**works)
        assert field in error.value.message_dict


def test_a_works_rule_with_bad_conditions_is_refused(seeded):
    rule = WorksRule.objects.get(code="W1")
    for conditions, words in (({"connections_any": ["steam"]}, "unknown values"), ({"colour": ["red"]}, "Unknown condition"),
                              ({"min": {"built_area_m2": "big"}}, "must be numbers"), ([], "JSON object")):
        with pytest.raises(ValidationError) as error:
            rule_update(rule=rule, conditions=conditions)
        assert words in str(error.value)
    assert WorksRule.objects.get(code="W1").version == 1


# --- versions ----------------------------------------------------------------------------------

def test_a_changed_works_rule_keeps_its_old_version_and_analyses_record_the_one_they_used(intravilan, seeded):
    before = run(kind="commercial", operation="building", built_area_m2=400)
    assert "W10" not in [h["rule"] for h in before["works_rule_hits"]]
    rule = WorksRule.objects.get(code="W10")
    rule_update(rule=rule, conditions={**rule.conditions, "any_min": {"built_area_m2": 300}})
    after = run(kind="commercial", operation="building", built_area_m2=400)
    hit = next(h for h in after["works_rule_hits"] if h["rule"] == "W10")
    assert hit["rule_version"] == 2
    used = {r["code"]: r["version"] for r in after["versions"]["works_rules"]}
    assert used["W10"] == 2 and {r["code"]: r["version"] for r in before["versions"]["works_rules"]}["W10"] == 1
    revisions = RuleRevision.objects.filter(catalogue="works", code="W10").order_by("version")
    assert [(r.version, r.data["conditions"]["any_min"]) for r in revisions] == [
        (1, {"built_area_m2": 600, "gross_floor_area_m2": 600}), (2, {"built_area_m2": 300})]


def test_reloading_the_shipped_works_rules_changes_nothing(seeded):
    assert works_rules_load_csv() == {"created": 0, "updated": 0, "unchanged": WorksRule.objects.count()}


# --- R8: the road administrator in the safety zone --------------------------------------------------

def test_works_in_a_road_safety_zone_list_the_administrator_of_that_road(make_layer, intravilan, seeded):
    make_layer("road_ampriza", [(box(BACAU_E - 500, BACAU_N, BACAU_E + 500, BACAU_N + 12), {"road_class": "national"}),
                                (box(BACAU_E - 500, BACAU_N + 300, BACAU_E + 500, BACAU_N + 310), {"road_class": "county"})])
    national = run(parcel_south_of(BACAU_E, BACAU_N, 1.0))
    county = run(parcel_south_of(BACAU_E, BACAU_N + 300, 1.0))
    for result, admin, other in ((national, "drdp-iasi", "cj-bacau-drumuri"), (county, "cj-bacau-drumuri", "drdp-iasi")):
        assert "R8" in result["prohibitions"]
        assert admin in aviz_codes(result) and other not in aviz_codes(result)
    assert "R8" not in hit_codes(run(parcel_south_of(BACAU_E, BACAU_N, 3.0)))


# --- R30: livestock farms by species and herd size ------------------------------------------------

@pytest.mark.parametrize(("species", "heads", "gap", "hit"), [
    ("cattle", 40, 60, False), ("cattle", 40, 40, True), ("cattle", 150, 90, True), ("cattle", 150, 120, False),
    ("cattle", 600, 450, True), ("horses", 15, 60, False), ("pigs", 30, 90, True), ("pigs", 30, 120, False),
    ("poultry", 500, 60, False), ("poultry", 5000, 900, True), ("sheep_goats", 2000, 150, True),
    ("cattle", None, 450, True),  # heads unknown: the species' largest distance
])
def test_livestock_farm_distances_follow_species_and_herd_size(make_layer, intravilan, seeded, species, heads, gap, hit):
    attrs = {"species": species, **({"heads": heads} if heads is not None else {})}
    make_layer("livestock_farm", [(box(BACAU_E - 50, BACAU_N, BACAU_E + 50, BACAU_N + 50), attrs)])
    result = run(parcel_south_of(BACAU_E, BACAU_N, gap))
    assert ("R30" in hit_codes(result)) is hit
    assert ("dsp-bacau" in aviz_codes(result)) is hit


def test_a_line_is_not_needed_for_the_farm_table(make_layer, intravilan, seeded):
    """The R30 overrides are data: a farm drawn as a line still gets its distance."""
    make_layer("livestock_farm", [(LineString((BACAU_E - 50, BACAU_N), (BACAU_E + 50, BACAU_N)),
                                   {"species": "rabbits", "heads": 6000})])
    assert "R30" in hit_codes(run(parcel_south_of(BACAU_E, BACAU_N, 150)))
    assert "R30" not in hit_codes(run(parcel_south_of(BACAU_E, BACAU_N, 250)))


def test_an_administrator_edits_a_works_rule_in_the_admin_and_both_versions_are_kept(client, cast, seeded):
    rule = WorksRule.objects.get(code="W14")
    otp_login(client, cast["root"])
    page = client.get(f"/admin/rules/worksrule/{rule.pk}/change/")
    assert page.status_code == 200 and "conditions" in page.content.decode()
    form = {name: getattr(rule, name) for name in ("code", "title", "item", "group", "label_ro", "label_en",
                                                   "message_ro", "message_en", "legal_basis", "source_url",
                                                   "confidence", "notes")}
    form.update(conditions='{"operations": ["building"], "not_destinations": ["house"]}',
                institution_kinds="health", active="on")
    response = client.post(f"/admin/rules/worksrule/{rule.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.version == 2 and rule.conditions == {"operations": ["building"], "not_destinations": ["house"]}
    revisions = RuleRevision.objects.filter(catalogue="works", code="W14").order_by("version")
    assert [r.version for r in revisions] == [1, 2]
    assert revisions[0].data["conditions"]["not_destinations"] == ["house", "annex", "fence", "network"]
    assert revisions[1].created_by == cast["root"]
    bad = client.post(f"/admin/rules/worksrule/{rule.pk}/change/", {**form, "conditions": '{"colour": 1}'})
    assert bad.status_code == 200 and "Unknown condition" in bad.content.decode()
    assert WorksRule.objects.get(pk=rule.pk).version == 2
    assert client.post(f"/admin/rules/rulerevision/{revisions[0].pk}/delete/").status_code == 403


def test_an_exemption_by_destination_needs_a_declared_destination(intravilan, seeded):
    unknown = run(operation="building")
    assert not {"health", "environment"} & {a["institution"]["kind"] for a in unknown["required_avize"]}
    office = run(kind="other", operation="building")
    assert {"dsp-bacau", "apm-bacau"} <= set(aviz_codes(office))
