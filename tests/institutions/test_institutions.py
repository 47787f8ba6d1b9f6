"""The seeded partner institutions of Bacău county and their public list."""
from __future__ import annotations

import pytest
from django.core.management import call_command

from institutions.models import Institution

pytestmark = pytest.mark.django_db


def test_seeding_creates_the_bacau_institutions_once_and_keeps_their_secrets(db):
    call_command("seed_institutions")
    secrets_before = dict(Institution.objects.values_list("code", "webhook_secret"))
    call_command("seed_institutions")
    assert Institution.objects.count() == 24  # 22 avizatori, the ISC (told of the start and end of works), the street administrator
    assert dict(Institution.objects.values_list("code", "webhook_secret")) == secrets_before
    assert all(len(secret) == 64 for secret in secrets_before.values())
    assert len(set(secrets_before.values())) == 24


def test_every_kind_of_the_brief_has_an_institution(db):
    call_command("seed_institutions")
    kinds = {k for i in Institution.objects.all() for k in i.kinds}
    assert kinds == {k for k in Institution.Kind.values if k != "other"}


def test_the_synthetic_utility_operators_are_marked_as_such(db):
    call_command("seed_institutions")
    synthetic = set(Institution.objects.filter(synthetic=True).values_list("kind", flat=True))
    assert synthetic == {"heating", "telecom", "sanitation", "transport"}
    assert Institution.objects.get(code="crab-bacau").kinds == {"water_utility", "sewerage"}


def test_defence_and_police_have_no_tacit_approval_and_isu_counts_working_days(db):
    call_command("seed_institutions")
    no_tacit = set(Institution.objects.filter(tacit_approval=False).values_list("code", flat=True))
    assert no_tacit == {"mapn-smg", "ipj-bacau-rutiera"}
    isu = Institution.objects.get(code="isu-bacau")
    assert isu.response_days == 15 and isu.response_working_days is True
    assert "Maior Constantin Ene" in isu.name


def test_seeded_emails_are_placeholders_on_a_reserved_domain(db):
    call_command("seed_institutions")
    assert all(email.split("@")[1].endswith(".example.ro") for email in Institution.objects.values_list("email", flat=True))


def test_seeding_updates_an_existing_institution_by_code(cast):
    call_command("seed_institutions")
    cast["culture"].refresh_from_db()
    assert cast["culture"].name == "Direcția Județeană pentru Cultură Bacău"
    assert cast["culture"].email == "avize@djc-bacau.example.ro" and cast["culture"].webhook_secret


def test_the_public_list_shows_no_secret_or_webhook(api, db):
    call_command("seed_institutions")
    response = api().get("/api/v1/institutions/")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == 24
    assert all("webhook_secret" not in r and "webhook_url" not in r for r in rows)
    assert "webhook_secret" not in response.content.decode() and rows[0]["kind"] == "aviation"
