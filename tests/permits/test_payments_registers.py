"""Online payment through a real HTTP callback on loopback, and the public registers."""
from __future__ import annotations

import json

import pytest
import requests
from rest_framework.authtoken.models import Token

from permits.models import Application, Payment
from permits.payments import SIGNATURE_HEADER, sign


@pytest.mark.django_db(transaction=True)
def test_the_loopback_provider_confirms_a_payment_by_a_signed_idempotent_http_callback(
        live_server, cu_draft, cast, settings):
    settings.SITE_URL = live_server.url
    _, pk = cu_draft(docs=False)
    token = Token.objects.get(user=cast["alice"]).key
    headers = {"Authorization": f"Token {token}"}
    session = requests.post(f"{live_server.url}/api/v1/applications/{pk}/payments/", json={"provider": "loopback"},
                            headers=headers, timeout=10)
    assert session.status_code == 201, session.text
    pay_url = session.json()["pay_url"]
    assert pay_url.startswith(live_server.url)
    paid = requests.post(pay_url, headers=headers, timeout=20)  # the 'bank' calls our callback over HTTP
    assert paid.status_code == 200 and paid.json()["state"] == "paid"
    payment = Payment.objects.get(application_id=pk)
    assert payment.state == "paid"
    first_paid_at = Application.objects.get(pk=pk).paid_at
    assert first_paid_at is not None

    callback = f"{live_server.url}/api/v1/payments/callback/loopback/"
    body = json.dumps({"reference": payment.reference, "amount_ron": "9.00", "status": "paid"}).encode()
    again = requests.post(callback, data=body, headers={SIGNATURE_HEADER: sign(body)}, timeout=10)
    assert again.status_code == 200
    assert Payment.objects.filter(application_id=pk).count() == 1
    assert Application.objects.get(pk=pk).paid_at == first_paid_at  # idempotent
    forged = requests.post(callback, data=body, headers={SIGNATURE_HEADER: "0" * 64}, timeout=10)
    assert forged.status_code == 403
    # Paid online: the proof-of-payment document is no longer required.
    detail = requests.get(f"{live_server.url}/api/v1/applications/{pk}/", headers=headers, timeout=10).json()
    assert "dovada_platii" not in detail["missing_documents"]


@pytest.mark.django_db
def test_the_public_register_lists_issued_acts_without_naming_natural_persons(submitted_cu, api, cast):
    from django.utils import timezone

    from permits.issuance import act_issue

    _, person_pk = submitted_cu()
    _, company_pk = submitted_cu(applicant_type="company", applicant_name="SC Construct SRL",
                                 applicant_id_code="14399840")
    for pk in (person_pk, company_pk):
        app = Application.objects.get(pk=pk)
        act_issue(application=app, by=cast["erin"], validity_months=12)
        Application.objects.filter(pk=pk).update(status="issued")
    month = timezone.localdate().strftime("%Y-%m")
    response = api().get("/api/v1/registers/20297/", {"kind": "cu", "month": month})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    text = json.dumps(body)
    assert "Alice Popescu" not in text and "1800101040017" not in text
    assert {e["applicant"] for e in body["results"]} == {None, "SC Construct SRL"}
    assert body["results"][0]["number"] == f"1/{timezone.localdate().year}"
    geo = api().get("/api/v1/registers/20297/", {"output": "geojson"}).json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 2
    coords = geo["features"][0]["geometry"]["coordinates"]
    while isinstance(coords[0], list):
        coords = coords[0]
    lon, lat = coords
    assert 26.8 < lon < 27.0 and 46.5 < lat < 46.6  # Bacău, in WGS 84
    assert api().get("/api/v1/registers/22936/", {"month": month}).json()["count"] == 0
    assert api().get("/api/v1/registers/20297/", {"month": "2026-13"}).status_code == 400
