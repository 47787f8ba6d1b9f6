"""End to end through the API: a CU listing the avize of the analysis is issued as a signed PDF whose
signature validates and whose QR page confirms it; an AC follows up to the avize stage."""
from __future__ import annotations

import hashlib
import io

import pytest
from django.contrib.gis.geos import Point

from gis_portal.signing import DEMO_SUBJECT
from institutions.services import institutions_seed
from layers.models import Feature, Layer
from layers.services import layer_version_publish, layer_version_start
from permits.models import Application
from rules.services import rules_load_csv
from tests.conftest import BACAU_E, BACAU_N
from tests.permits.conftest import REQUIRED_DOCUMENTS, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def monument(cast):
    """A listed monument 40 m from the parcel: rule R2 (100 m, urban) requires the culture aviz."""
    rules_load_csv()
    institutions_seed()
    layer = Layer.objects.create(slug="lmi", name="Monumente istorice (LMI)", kind=Layer.Kind.CONSTRAINT,
                                 theme="lmi_monument")
    version = layer_version_start(layer=layer)
    Feature.objects.create(version=version, source_id="BC-II-m-B-00845", name="Casa memorială",
                           attrs={"lmi_code": "BC-II-m-B-00845", "group": "B"},
                           geom=Point(BACAU_E + 160, BACAU_N + 110, srid=3844))
    return layer_version_publish(version=version)


def _signature_status(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from gis_portal.signing import signing_certificate

    reader = PdfFileReader(io.BytesIO(pdf))
    assert len(reader.embedded_signatures) == 1
    return validate_pdf_signature(reader.embedded_signatures[0],
                                  ValidationContext(trust_roots=[signing_certificate()]))


def test_a_cu_is_requested_checked_issued_signed_and_verifiable_then_an_ac_reaches_the_avize_stage(
        submitted_cu, api, cast, monument, client):
    alice, pk = submitted_cu()
    app = Application.objects.get(pk=pk)
    avize = app.analysis_result["required_avize"]
    assert [a["institution"]["kind"] for a in avize] == ["culture"]
    culture_name = avize[0]["institution"]["name"]

    carol = api(cast["carol"])
    url = f"/api/v1/applications/{pk}/transitions/"
    assert carol.post(url, {"action": "accept", "expected_status": "submitted"}, format="json").status_code == 200
    blocked = api(cast["erin"]).post(url, {"action": "issue"}, format="json")
    assert blocked.status_code == 400 and "nu a fost plătită" in blocked.json()["detail"]
    paid = carol.post(f"/api/v1/applications/{pk}/payments/", {"amount_ron": "9.00", "reference": "CH-0001"},
                      format="json")
    assert paid.status_code == 201, paid.json()
    issued = api(cast["erin"]).post(url, {"action": "issue", "validity_months": 12}, format="json")
    assert issued.status_code == 200, issued.json()
    body = issued.json()
    assert body["status"] == "issued" and body["act"]["number"].startswith("1/")

    pdf_response = alice.get(f"/api/v1/applications/{pk}/act.pdf")
    pdf = b"".join(pdf_response.streaming_content)
    status = _signature_status(pdf)
    assert status.intact and status.valid and status.trusted
    assert DEMO_SUBJECT in status.signing_cert.subject.human_friendly
    assert hashlib.sha256(pdf).hexdigest() == body["act"]["sha256"]

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "CERTIFICAT DE URBANISM" in text and culture_name.split()[0] in text
    assert app.parcels.get().cadastral_number in text

    verify_path = body["act"]["verify_url"].split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + verify_path)
    assert page.status_code == 200
    html = page.content.decode()
    assert body["act"]["sha256"] in html and body["act"]["number"] in html
    assert app.parcels.get().cadastral_number in html

    # The AC on the same parcel, based on the CU: it stops in the avize stage.
    ac = alice.post("/api/v1/applications/", {
        "kind": "ac", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": "1800101040017", "based_on": pk, "works_kind": "building",
        "works_description": "Locuință P+1", "works_value_ron": "300000", "residential": True,
        "works_levels": 2, "works_height_m": "7.5"}, format="json")
    assert ac.status_code == 201, ac.json()
    ac_pk = ac.json()["id"]
    assert ac.json()["fee_ron"] == "1500.00"
    for doc_type in REQUIRED_DOCUMENTS["ac"]:
        alice.post(f"/api/v1/applications/{ac_pk}/documents/", {"doc_type": doc_type, "file": pdf_upload()},
                   format="multipart")
    assert alice.post(f"/api/v1/applications/{ac_pk}/submit/").status_code == 200
    ac_url = f"/api/v1/applications/{ac_pk}/transitions/"
    assert carol.post(ac_url, {"action": "accept"}, format="json").status_code == 200
    assert api(cast["erin"]).post(ac_url, {"action": "issue"}, format="json").status_code == 400  # avize still missing
    moved = carol.post(ac_url, {"action": "request_avize"}, format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "avize"
    ac_app = Application.objects.get(pk=ac_pk)
    assert ac_app.registration.startswith("2/")  # the requests register: the CU was 1, the AC is 2
    # The avize app received the hook: one request to the culture directorate.
    assert [r.institution.kind for r in ac_app.aviz_requests.all()] == ["culture"]
