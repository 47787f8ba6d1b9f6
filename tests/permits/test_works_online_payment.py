"""The positive fee difference after the works, paid online through the existing provider machinery
(session → the loopback 'bank' → signed HTTP callback), idempotent; the fee itself is untouched."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.utils import timezone
from rest_framework.authtoken.models import Token

from permits import works
from permits.choices import ApplicantType, Kind, Status
from permits.models import Application, IssuedAct, Payment
from tests.permits.conftest import VALID_CNP, pdf_upload


@pytest.mark.django_db(transaction=True)
def test_the_holder_pays_the_regularisation_difference_online(live_server, cast, parcel_factory, settings):
    settings.SITE_URL = live_server.url
    today = timezone.localdate()
    ac = Application.objects.create(
        owner=cast["alice"], uat=cast["uat_a"], issuer=cast["issuer_a"], kind=Kind.AC, status=Status.ISSUED,
        applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu", applicant_id_code=VALID_CNP,
        works_value_ron=Decimal("300000"), residential=True, fee_ron=Decimal("1500.00"), paid_at=timezone.now(),
        valid_until=today + timedelta(days=100))
    ac.parcels.add(parcel_factory())
    IssuedAct.objects.create(application=ac, register="ac_ad", number=1, year=today.year, issued_on=today,
                             issued_by=cast["erin"], sha256="0" * 64)
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=cast['alice'])[0].key}"}
    url = f"{live_server.url}/api/v1/applications/{ac.pk}/payments/"
    early = requests.post(url, json={"provider": "loopback", "purpose": "regularisation"}, headers=headers, timeout=60)
    assert early.status_code == 400  # nothing regularised yet
    works.works_start_announce(application=ac, by=cast["alice"], start_date=today, duration_months=6,
                               documents=[pdf_upload()])
    works.works_end_announce(application=ac, by=cast["alice"], end_date=today, final_value_ron="312345.67")
    ac.works.refresh_from_db()
    assert ac.works.regularisation_ron == Decimal("61.73")  # 0.5 % of 312,345.67 = 1,561.73 − 1,500.00
    session = requests.post(url, json={"provider": "loopback", "purpose": "regularisation"}, headers=headers,
                            timeout=60)
    assert session.status_code == 201, session.text
    assert session.json()["amount_ron"] == "61.73"
    paid = requests.post(session.json()["pay_url"], headers=headers, timeout=60)
    assert paid.status_code == 200 and paid.json()["state"] == "paid"
    ac.works.refresh_from_db()
    assert ac.works.regularisation_paid_at is not None
    payment = Payment.objects.get(application=ac, purpose="regularisation")
    assert (payment.amount_ron, payment.state) == (Decimal("61.73"), "paid")
    again = requests.post(url, json={"provider": "loopback", "purpose": "regularisation"}, headers=headers, timeout=60)
    assert again.status_code == 400  # already paid
