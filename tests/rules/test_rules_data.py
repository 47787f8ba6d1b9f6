"""Rules as data: the shipped catalogue, re-seeding, editing and loading another CSV."""
from __future__ import annotations

import csv

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from rules.models import Rule
from rules.services import DEFAULT_CSV, rule_update, rules_load_csv

pytestmark = pytest.mark.django_db


def test_the_shipped_catalogue_holds_r1_to_r37_and_the_excavation_series_with_their_confidence(db):
    call_command("seed_rules")
    codes = sorted(Rule.objects.values_list("code", flat=True), key=lambda c: (c[0], int(c[1:])))
    assert codes == [f"R{i}" for i in range(1, 38)] + [f"X{i}" for i in range(1, 7)]
    assert all(r.works_kinds == ["excavation"] for r in Rule.objects.filter(code__startswith="X"))
    assert Rule.objects.get(code="R10").confidence == "U" and Rule.objects.get(code="R10").is_default
    r12 = Rule.objects.get(code="R12")
    assert (r12.distance_m, r12.feature_filter, r12.institution_kinds) == (18.5, {"voltage_kv": [110, "110"]}, ["electricity"])
    assert Rule.objects.get(code="R3").locality_classes == ["rural"]


def test_seeding_twice_changes_nothing(db):
    assert rules_load_csv()["created"] == 43
    assert rules_load_csv() == {"created": 0, "updated": 0, "unchanged": 43}
    assert set(Rule.objects.values_list("version", flat=True)) == {1}


def test_editing_a_rule_increments_its_version_only_when_something_changes(db):
    rules_load_csv()
    rule = Rule.objects.get(code="R10")
    rule_update(rule=rule, distance_m=100.0)
    assert rule.version == 1
    rule_update(rule=rule, distance_m=80.0)
    rule.refresh_from_db()
    assert (rule.distance_m, rule.version) == (80.0, 2)


def test_a_csv_with_a_bad_row_loads_nothing(tmp_path, db):
    with open(DEFAULT_CSV, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[5]["distance_m"] = "far"
    bad = tmp_path / "rules.csv"
    with open(bad, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ValidationError) as info:
        rules_load_csv(path=bad)
    assert "line 7" in str(info.value) and "distance_m" in str(info.value)
    assert Rule.objects.count() == 0


def test_the_rules_list_is_public_and_in_catalogue_order(api, db):
    rules_load_csv()
    body = api().get("/api/v1/rules/").json()
    assert [r["code"] for r in body][:3] == ["R1", "R2", "R3"] and body[9]["code"] == "R10"
