"""AC/AD extension regimes keyed by the AC issue date (Law 176/2022, in force 13.06.2022): worked examples."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from permits import fees
from permits.choices import ApplicantType, Kind, Status
from permits.extensions import regime_for
from permits.models import Application, IssuedAct
from tests.permits.conftest import VALID_CNP, pdf_upload
from workdays.calendar import add_months

pytestmark = pytest.mark.django_db


def test_the_regime_changes_on_13_june_2022():
    assert regime_for(date(2022, 6, 12)).code == "before_2022"
    assert regime_for(date(2022, 6, 13)).code == "law_176_2022"
    assert regime_for(None).code == "law_176_2022"  # no known issue date: the law in force


def test_after_law_176_the_request_is_due_45_working_days_before_expiry_free_for_up_to_24_months():
    regime = regime_for(date(2025, 7, 1))
    # Valid until Tuesday 30 June 2026. Counting back 45 working days skips 1 June (Rusalii Monday and
    # Children's Day), 1 May (Friday) and the weekends: the last day to ask is Friday 24 April 2026.
    assert regime.request_deadline(date(2026, 6, 30)) == date(2026, 4, 24)
    assert regime.max_months() == 24 and regime.max_extensions == 1
    quote = fees.fee_quote(kind="ac_extension", issued_on=date(2025, 7, 1), initial_fee_ron="1500")
    assert quote.amount_ron == Decimal("0.00") and "176/2022" in quote.legal_basis


def test_before_law_176_the_request_is_due_15_days_before_expiry_for_up_to_12_months_at_30_percent():
    regime = regime_for(date(2022, 3, 1))
    assert regime.request_deadline(date(2023, 3, 1)) == date(2023, 2, 14)  # 15 calendar days
    assert regime.max_months() == 12 and regime.max_extensions == 1
    quote = fees.fee_quote(kind="ac_extension", issued_on=date(2022, 3, 1), initial_fee_ron="1500")
    assert quote.amount_ron == Decimal("450.00")
    with pytest.raises(Exception) as missing:
        fees.fee_quote(kind="ac_extension", issued_on=date(2022, 3, 1))
    assert "initial_fee_ron" in str(missing.value)


def test_the_public_fee_quote_picks_the_regime_by_issue_date(api):
    quote = api().post
    old = quote("/api/v1/fees/quote/", {"kind": "ac_extension", "issued_on": "2022-06-12",
                                        "initial_fee_ron": "1500"}, format="json")
    assert old.status_code == 200 and old.json()["amount_ron"] == "450.00"
    new = quote("/api/v1/fees/quote/", {"kind": "ac_extension", "issued_on": "2022-06-13",
                                        "initial_fee_ron": "1500"}, format="json")
    assert new.json()["amount_ron"] == "0.00"
    assert quote("/api/v1/fees/quote/", {"kind": "ac_extension"}, format="json").json()["amount_ron"] == "0.00"
    bad = quote("/api/v1/fees/quote/", {"kind": "ac_extension", "issued_on": "2022-02-30"}, format="json")
    assert bad.status_code == 400 and "issued_on" in bad.json()["errors"]


@pytest.fixture
def issued_ac(cast, parcel_factory):
    """issued_ac(issued_on, valid_for_days): an issued AC (fee 1,500 lei) with its act."""

    def make(issued_on: date, valid_for_days: int) -> Application:
        ac = Application.objects.create(
            owner=cast["alice"], uat=cast["uat_a"], issuer=cast["issuer_a"], kind=Kind.AC, status=Status.ISSUED,
            applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu", applicant_id_code=VALID_CNP,
            fee_ron=Decimal("1500.00"), valid_until=timezone.localdate() + timedelta(days=valid_for_days))
        ac.parcels.add(parcel_factory())
        IssuedAct.objects.create(application=ac, register="ac_ad", number=1, year=issued_on.year, issued_on=issued_on,
                                 issued_by=cast["carol"], sha256="0" * 64)
        return ac

    return make


def _request_extension(api, cast, ac) -> tuple:
    alice = api(cast["alice"])
    ext = alice.post("/api/v1/applications/", {
        "kind": "ac_extension", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": VALID_CNP, "based_on": ac.pk}, format="json")
    assert ext.status_code == 201, ext.json()
    pk = ext.json()["id"]
    alice.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": "cerere", "file": pdf_upload()},
               format="multipart")
    return alice, pk, ext.json()


def test_an_ac_issued_before_june_2022_is_extended_for_30_percent_and_at_most_12_months(api, cast, issued_ac):
    ac = issued_ac(date(2022, 5, 20), valid_for_days=20)  # 20 days left: enough under the old 15-day notice
    alice, pk, ext = _request_extension(api, cast, ac)
    assert ext["fee_ron"] == "450.00"
    assert alice.post(f"/api/v1/applications/{pk}/submit/").status_code == 200
    carol, url = api(cast["carol"]), f"/api/v1/applications/{pk}/transitions/"
    assert carol.post(url, {"action": "accept"}, format="json").status_code == 200
    unpaid = api(cast["erin"]).post(url, {"action": "issue", "validity_months": 12}, format="json")
    assert unpaid.status_code == 400 and "450.00" in unpaid.json()["detail"]
    carol.post(f"/api/v1/applications/{pk}/payments/", {"amount_ron": "450.00", "reference": "EXT-1"}, format="json")
    too_long = api(cast["erin"]).post(url, {"action": "issue", "validity_months": 13}, format="json")
    assert too_long.status_code == 400 and "12 luni" in too_long.json()["detail"]
    until = ac.valid_until
    assert api(cast["erin"]).post(url, {"action": "issue", "validity_months": 12}, format="json").status_code == 200
    ac.refresh_from_db()
    assert ac.extended and ac.valid_until == add_months(until, 12)


def test_an_ac_issued_after_june_2022_is_extended_free_for_24_months_if_asked_45_working_days_ahead(
        api, cast, issued_ac):
    late = issued_ac(date(2025, 9, 1), valid_for_days=20)  # 20 days is too late under the new regime
    alice, pk, ext = _request_extension(api, cast, late)
    assert ext["fee_ron"] == "0.00"
    refused = alice.post(f"/api/v1/applications/{pk}/submit/")
    assert refused.status_code == 400 and "trebuia cerută până la" in refused.json()["detail"]

    ac = issued_ac(date(2025, 9, 1), valid_for_days=120)
    alice, pk, ext = _request_extension(api, cast, ac)
    assert alice.post(f"/api/v1/applications/{pk}/submit/").status_code == 200
    carol, url = api(cast["carol"]), f"/api/v1/applications/{pk}/transitions/"
    carol.post(url, {"action": "accept"}, format="json")
    assert api(cast["erin"]).post(url, {"action": "issue", "validity_months": 25}, format="json").status_code == 400
    until = ac.valid_until
    issued = api(cast["erin"]).post(url, {"action": "issue", "validity_months": 24}, format="json")
    assert issued.status_code == 200, issued.json()
    ac.refresh_from_db()
    assert ac.extended and ac.valid_until == add_months(until, 24)
    again = _request_extension(api, cast, ac)
    refused = again[0].post(f"/api/v1/applications/{again[1]}/submit/")
    assert refused.status_code == 400 and "o singură prelungire" in refused.json()["detail"]
