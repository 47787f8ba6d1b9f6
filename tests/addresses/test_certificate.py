"""An address certificate requested on a parcel, checked against the street register, paid, issued by the
chief architect as a signed PDF (PAdES, validated by pyHanko) and verified on its public page; a request on
a parcel without a number gets a clear message and the clerk assigns one first, recorded in the register."""
from __future__ import annotations

import hashlib
import io

import pytest

from addresses.models import BuildingNumber
from gis_portal.signing import DEMO_SUBJECT
from permits.models import Application, FeeSchedule
from tests.addresses.conftest import number
from tests.helpers import otp_login
from tests.permits.conftest import VALID_CNP, pdf_upload
from tests.permits.test_issuance_e2e import _signature_status

pytestmark = pytest.mark.django_db


def _request(client, parcel) -> int:
    response = client.post("/api/v1/applications/", {
        "kind": "address_certificate", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": VALID_CNP, "parcel_ids": [parcel.pk], "purpose": "addr_land_book"}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    upload = client.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": "titlu", "file": pdf_upload()},
                         format="multipart")
    assert upload.status_code == 201, upload.json()
    submitted = client.post(f"/api/v1/applications/{pk}/submit/")
    assert submitted.status_code == 200, submitted.json()
    return pk


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_address_certificate_is_requested_checked_paid_issued_and_verified(
        street_register, cast, parcel_factory, api, client, signing):
    parcel = parcel_factory(cadastral_number="70001", cf_number="70001")
    number(parcel, street_register["street"], "12 bis")
    FeeSchedule.objects.create(uat=cast["uat_a"], cu_bands=[[None, "14"]], council_decision="12/2025",
                               address_certificate_ron="8.50")
    alice, carol, erin = api(cast["alice"]), api(cast["carol"]), api(cast["erin"])
    pk = _request(alice, parcel)
    app = Application.objects.get(pk=pk)
    assert (app.issuer_id, app.fee_ron, app.analysis_result) == (cast["issuer_a"].pk, 8.5, None)
    assert app.fee_breakdown["legal_basis"].endswith("art. 474 alin. (16)")
    url = f"/api/v1/applications/{pk}/transitions/"
    assert carol.post(url, {"action": "accept"}, format="json").status_code == 200
    assert carol.post(url, {"action": "request_avize"}, format="json").status_code == 409  # no avize for this kind
    assert carol.post(url, {"action": "issue"}, format="json").status_code == 403  # separation of duties
    unpaid = erin.post(url, {"action": "issue"}, format="json")
    assert unpaid.status_code == 400 and "nu a fost plătită" in unpaid.json()["detail"]
    paid = carol.post(f"/api/v1/applications/{pk}/payments/", {"amount_ron": "8.50", "reference": "CH-77"}, format="json")
    assert paid.status_code == 201, paid.json()
    issued = erin.post(url, {"action": "issue"}, format="json")
    assert issued.status_code == 200, issued.json()
    body = issued.json()
    assert body["status"] == "issued" and body["act"]["number"].startswith("1/")
    app.refresh_from_db()
    assert (app.act.register, app.valid_until, app.validity_months) == ("address", None, None)

    pdf = b"".join(alice.get(f"/api/v1/applications/{pk}/act.pdf").streaming_content)
    status = _signature_status(pdf)
    assert status.intact and status.valid and status.trusted
    assert DEMO_SUBJECT in status.signing_cert.subject.human_friendly
    assert hashlib.sha256(pdf).hexdigest() == body["act"]["sha256"] == app.act.sha256
    text = " ".join(_pdf_text(pdf).split())
    assert "CERTIFICAT DE NOMENCLATURĂ STRADALĂ ȘI ADRESĂ" in text
    assert "Strada Mărășești nr. 12 bis, Bacău, județul Bacău" in text
    assert "Strada Republicii" in text and "01.03.1990" in text and "HCL 7/1990" in text  # the former name
    assert "70001" in text and "SIRUTA 20297" in text and "SIRUTA 20313" in text

    html = client.get(f"/verify/{app.act.verify_code}").content.decode()
    assert app.act.sha256 in html and body["act"]["number"] in html
    assert "Strada Mărășești nr. 12 bis" in html and "Certificat de nomenclatură stradală și adresă" in html
    register = client.get("/api/v1/registers/20297/?kind=address_certificate").json()
    assert register["count"] == 1 and register["results"][0]["register"] == "address"
    assert register["results"][0]["address"] == "Strada Mărășești nr. 12 bis, Bacău, județul Bacău"
    # A second certificate is numbered in its own register, not after the CUs or the ACs.
    other = parcel_factory(e=parcel.geom.centroid.x + 40, cadastral_number="70002")
    number(other, street_register["street"], "14")
    second = _request(alice, other)
    carol.post(f"/api/v1/applications/{second}/transitions/", {"action": "accept"}, format="json")
    carol.post(f"/api/v1/applications/{second}/payments/", {"amount_ron": "8.50", "reference": "CH-78"}, format="json")
    assert erin.post(f"/api/v1/applications/{second}/transitions/", {"action": "issue"},
                     format="json").json()["act"]["number"].startswith("2/")


def test_a_parcel_without_a_number_gets_a_clear_message_and_the_clerk_assigns_one(
        street_register, cast, parcel_factory, api, client, signing):
    from permits.services import address_number_assign

    parcel = parcel_factory(cadastral_number="70009")
    assert client.get(f"/api/v1/parcels/{parcel.pk}/address/").json() == {"parcel": parcel.pk, "address": None}
    alice, carol, erin = api(cast["alice"]), api(cast["carol"]), api(cast["erin"])
    pk = _request(alice, parcel)
    url = f"/api/v1/applications/{pk}/transitions/"
    carol.post(url, {"action": "accept"}, format="json")
    carol.post(f"/api/v1/applications/{pk}/payments/", {"amount_ron": "9.00", "reference": "CH-90"}, format="json")
    blocked = erin.post(url, {"action": "issue"}, format="json")
    assert blocked.status_code == 400
    assert "no building number on a current street" in blocked.json()["detail"]
    otp_login(client, cast["alice"])
    page = client.get(f"/requests/{pk}/", HTTP_ACCEPT_LANGUAGE="ro").content.decode()
    assert "nu are număr administrativ în nomenclatura stradală" in page
    otp_login(client, cast["carol"])
    page = client.get(f"/requests/{pk}/").content.decode()
    assert 'id="assign-number"' in page and "Strada Mărășești" in page
    refused = client.post(f"/requests/{pk}/address/", {"street": street_register["street"].pk, "number": "douăzeci"})
    assert refused.status_code == 200 and "Număr administrativ nevalid" in refused.content.decode()
    assigned = client.post(f"/requests/{pk}/address/", {"street": street_register["street"].pk, "number": "20A"})
    assert assigned.status_code == 302
    row = BuildingNumber.objects.get(parcel=parcel)
    assert (row.number, row.assigned_by, row.valid_to) == ("20A", cast["carol"], None)
    assert row.decision == f"Atribuit la cererea nr. {Application.objects.get(pk=pk).registration}"
    with pytest.raises(Exception, match="Only the issuer"):
        address_number_assign(application=Application.objects.get(pk=pk), by=cast["alice"],
                              street_id=street_register["street"].pk, number="22")
    issued = erin.post(url, {"action": "issue"}, format="json")
    assert issued.status_code == 200, issued.json()
    assert client.get(f"/api/v1/parcels/{parcel.pk}/address/").json()["address"]["text"] == \
        "Strada Mărășești nr. 20A, Bacău, județul Bacău"
