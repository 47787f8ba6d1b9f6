"""What the server says to a person is in the language they chose: messages, choice labels, dates, plurals."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, timezone, translation
from rest_framework.test import APIClient

from permits.choices import Kind, Status
from permits.models import Application
from tests.helpers import otp_login

pytestmark = pytest.mark.django_db
BAD_CNP = "1800101040010"


def api_for(user, language: str | None) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize(("language", "expected"), [
    (None, "Cifra de control a CNP-ului este greșită."),
    ("en", "The check digit of the CNP is wrong."),
])
def test_a_bad_cnp_is_refused_in_the_chosen_language_without_the_field_name(cast, parcel_factory, language, expected):
    parcel = parcel_factory()
    response = api_for(cast["alice"], language).post("/api/v1/applications/", {
        "kind": "cu", "applicant_type": "person", "applicant_name": "Alice", "applicant_id_code": BAD_CNP,
        "parcel_ids": [parcel.pk]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"applicant_id_code": [expected]}
    assert body["detail"] == expected  # the reason itself: no "applicant_id_code:" prefix
    assert not Application.objects.exists()


def test_a_missing_document_is_named_as_people_name_it(cast, parcel_factory):
    parcel = parcel_factory()
    client = api_for(cast["alice"], "en")
    pk = client.post("/api/v1/applications/", {
        "kind": "cu", "applicant_type": "person", "applicant_name": "Alice", "applicant_id_code": "1800101040017",
        "parcel_ids": [parcel.pk], "purpose": "construire"}, format="json").json()["id"]
    response = client.post(f"/api/v1/applications/{pk}/submit/")
    assert response.status_code == 400
    missing = response.json()["errors"]["documents"]
    assert "Missing mandatory document: Land register extract (for information)." in missing
    assert not any("extras_cf" in line for line in missing)
    assert Application.objects.get(pk=pk).status == Status.DRAFT


@pytest.mark.parametrize(("language", "expected"), [
    (None, "Scrieți un număr cadastral complet"), ("en", "Type a full cadastral number"),
])
def test_a_two_letter_search_is_refused_in_the_chosen_language(db, language, expected):
    client = Client()
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/api/v1/parcels/search/", {"q": "ab"})
    assert response.status_code == 400
    assert response.json()["errors"]["q"][0].startswith(expected)


def test_english_dates_are_day_month_year_and_romanian_ones_unchanged():
    day = date(2026, 12, 7)
    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "7 Dec 2026"
    with translation.override("ro"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "07.12.2026"


def test_the_english_pages_show_kinds_roles_and_the_wizard_choices_in_english(cast, parcel_factory):
    alice = cast["alice"]
    cu = Application.objects.create(kind=Kind.CU, owner=alice, applicant_type="person", applicant_name="Alice",
                                    applicant_id_code="1800101040017", status=Status.ISSUED,
                                    valid_until=timezone.localdate() + timedelta(days=300))
    cu.parcels.add(parcel_factory())
    client = Client()
    otp_login(client, alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    mine = client.get("/requests/").content.decode()
    assert "Urbanism certificate #" in mine and "Investor / applicant" in mine
    assert "Certificat de urbanism" not in mine
    wizard = client.get("/requests/new/cu/").content.decode()
    assert ">Natural person<" in wizard and ">Land register extract (for information)<" in wizard
    assert ">Authorising construction works<" in wizard and "Persoană fizică" not in wizard
    detail = client.get(f"/requests/{cu.pk}/").content.decode()
    assert "Request the building permit" in detail
    ac = client.get(f"/requests/new/ac/?based_on={cu.pk}").content.decode()
    assert "Request for a building permit" in ac and f'value="{cu.pk}" selected' in ac


def test_a_draft_reopens_only_for_its_owner(cast, parcel_factory):
    draft = Application.objects.create(kind=Kind.AD, owner=cast["alice"], applicant_type="person",
                                       applicant_name="Alice", applicant_id_code="1800101040017")
    draft.parcels.add(parcel_factory())
    alice, bob = Client(), Client()
    otp_login(alice, cast["alice"])
    otp_login(bob, cast["bob"])
    page = alice.get(f"/requests/new/cu/?draft={draft.pk}")
    assert page.status_code == 200 and b'data-kind="ad"' in page.content
    assert bob.get(f"/requests/new/cu/?draft={draft.pk}").status_code == 404
    assert alice.get("/requests/new/nonsense/").status_code == 404
    assert alice.get("/requests/new/cu/?draft=99999999999999999999").status_code == 404  # never a 500
    assert alice.get("/requests/new/ac/?based_on=99999999999999999999&parcel=x").status_code == 200
