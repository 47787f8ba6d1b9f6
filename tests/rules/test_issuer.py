"""The competent issuer (Legea 50/1991 art. 4): the mayor, or the county council president with the
mayors' aviz for a lot across a UAT limit and for UATs without an urbanism department of their own."""
from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from parcels.models import Issuer
from rules.services import analysis_create
from tests.rules.conftest import BACAU_E, BACAU_N, box, square

pytestmark = pytest.mark.django_db

# Hemeiuș (uat_b, a commune) lies west of Bacău (uat_a); their limit is the line E = BACAU_E - 2000.
LIMIT_E = BACAU_E - 2000


@pytest.fixture
def county(seeded):
    return Issuer.objects.create(name="Președintele Consiliului Județean Bacău", kind=Issuer.Kind.PRESEDINTE_CJ,
                                 county="Bacău")


def without_department(uat):
    uat.has_urbanism_department = False
    uat.save(update_fields=["has_urbanism_department"])
    return uat


def test_a_lot_across_two_uats_goes_to_the_county_with_both_mayors_aviz(intravilan, county, seeded):
    result = analysis_create(geometry=box(LIMIT_E - 50, BACAU_N, LIMIT_E + 60, BACAU_N + 20)).result
    issuer = result["issuer"]
    assert (issuer["id"], issuer["kind"], issuer["basis"], issuer["registered"]) == (
        county.pk, "presedinte_cj", "multi_uat", True)
    assert "art. 4(1)(a) pct. 1" in issuer["legal_basis"]
    # Largest share first: Bacău (60 m) before Hemeiuș (50 m).
    assert [(m["siruta"], m["issuer_id"], m["name"]) for m in issuer["mayors_aviz"]] == [
        (20297, seeded["issuer_a"].pk, "Primarul municipiului Bacău"),
        (22936, seeded["issuer_b"].pk, "Primarul comunei Hemeiuș")]
    # The act's list of avize names both mayors beside the institutions.
    html = render_to_string("permits/_avize.html", {"required_avize": result["required_avize"], "result": result})
    assert "Primarul comunei Hemeiuș (avizul primarului)" in html and "Primarul municipiului Bacău (avizul" in html


def test_two_parcels_in_two_uats_are_one_lot_for_the_county(intravilan, county, seeded, parcel_factory):
    west = parcel_factory(uat=seeded["uat_b"], e=LIMIT_E - 20, n=BACAU_N, size=20)
    east = parcel_factory(uat=seeded["uat_a"], e=LIMIT_E, n=BACAU_N, size=20)
    issuer = analysis_create(parcels=[west.pk, east.pk]).result["issuer"]
    assert issuer["id"] == county.pk and issuer["basis"] == "multi_uat"
    assert {m["issuer_id"] for m in issuer["mayors_aviz"]} == {seeded["issuer_a"].pk, seeded["issuer_b"].pk}


def test_extravilan_works_in_a_commune_without_a_department_go_to_the_county(make_layer, county, seeded):
    without_department(seeded["uat_b"])
    # The intravilan of Hemeiuș ends 1 km inside it: the lot lies among the fields.
    make_layer("intravilan_limit", [(box(BACAU_E - 6000, BACAU_N - 2000, BACAU_E - 5000, BACAU_N + 2000), {})])
    result = analysis_create(geometry=square(BACAU_E - 4000, BACAU_N, 20)).result
    assert result["locality_class"] == "extravilan"
    issuer = result["issuer"]
    assert (issuer["id"], issuer["basis"]) == (county.pk, "extravilan_no_department")
    assert "art. 4(1)(a) pct. 2" in issuer["legal_basis"]
    assert [m["issuer_id"] for m in issuer["mayors_aviz"]] == [seeded["issuer_b"].pk]


def test_intravilan_works_in_a_commune_without_a_department_go_to_the_county(intravilan, county, seeded):
    without_department(seeded["uat_b"])
    result = analysis_create(geometry=square(BACAU_E - 4000, BACAU_N, 20)).result
    assert result["locality_class"] == "rural"
    issuer = result["issuer"]
    assert (issuer["id"], issuer["basis"]) == (county.pk, "no_department")
    assert [m["name"] for m in issuer["mayors_aviz"]] == ["Primarul comunei Hemeiuș"]


def test_a_municipality_with_a_department_is_its_mayors(intravilan, county, seeded, parcel_factory):
    assert seeded["uat_a"].has_urbanism_department  # the default
    parcel = parcel_factory(e=BACAU_E + 100, n=BACAU_N + 100)
    issuer = analysis_create(parcels=[parcel.pk]).result["issuer"]
    assert (issuer["id"], issuer["kind"], issuer["basis"], issuer["mayors_aviz"]) == (
        seeded["issuer_a"].pk, "primar", "single_uat", [])


def test_a_commune_with_a_department_keeps_its_extravilan_works(make_layer, county, seeded):
    make_layer("intravilan_limit", [(box(BACAU_E - 6000, BACAU_N - 2000, BACAU_E - 5000, BACAU_N + 2000), {})])
    issuer = analysis_create(geometry=square(BACAU_E - 4000, BACAU_N, 20)).result["issuer"]
    assert (issuer["id"], issuer["basis"]) == (seeded["issuer_b"].pk, "single_uat")


def test_without_a_registered_county_issuer_the_competent_one_is_still_named(intravilan, seeded):
    without_department(seeded["uat_b"])
    issuer = analysis_create(geometry=square(BACAU_E - 4000, BACAU_N, 20)).result["issuer"]
    assert (issuer["id"], issuer["name"], issuer["registered"]) == (
        None, "Președintele Consiliului Județean Bacău", False)

