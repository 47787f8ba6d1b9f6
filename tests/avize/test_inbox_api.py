"""The avize API: an institution's inbox, scoping, filters (by counts), the dossier, answers and the signed PDF."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from avize import services
from avize.models import AvizRequest, State
from tests.avize.conftest import new_document, pdf_upload
from tests.helpers import otp_login


@pytest.fixture
def inbox(cast, ac_in_avize):
    """Three AC applications asking culture, one also electricity; sent today."""
    now = timezone.now()
    apps = [ac_in_avize(cast["culture"], cast["electricity"]), ac_in_avize(cast["culture"]),
            ac_in_avize(cast["culture"], owner=cast["bob"])]
    for app in apps:
        services.aviz_requests_create_for(application=app, by=cast["carol"], now=now)
    return apps


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_an_institution_sees_only_requests_addressed_to_it(cast, api, inbox):
    assert len(ids(api(cast["frank"]).get("/api/v1/avize/"))) == 3
    grace_ids = ids(api(cast["grace"]).get("/api/v1/avize/"))
    assert grace_ids == list(AvizRequest.objects.filter(institution=cast["electricity"]).values_list("id", flat=True))
    assert len(ids(api(cast["alice"]).get("/api/v1/avize/"))) == 3  # her two applications
    assert len(ids(api(cast["bob"]).get("/api/v1/avize/"))) == 1
    assert len(ids(api(cast["carol"]).get("/api/v1/avize/"))) == 4
    assert ids(api(cast["dave"]).get("/api/v1/avize/")) == []  # clerk of another issuer
    assert api().get("/api/v1/avize/").status_code == 401


def test_a_reviewer_of_another_institution_gets_404_on_the_request_and_its_actions(cast, api, inbox):
    culture_only = AvizRequest.objects.get(application=inbox[1])
    client = api(cast["grace"])
    assert client.get(f"/api/v1/avize/{culture_only.pk}/").status_code == 404
    assert client.post(f"/api/v1/avize/{culture_only.pk}/answer/", {"outcome": "favourable"}).status_code == 404
    assert client.get(f"/api/v1/avize/{culture_only.pk}/pdf/").status_code == 404
    assert client.get(f"/api/v1/avize/applications/{inbox[1].pk}/").status_code == 404
    assert api(cast["bob"]).get(f"/api/v1/avize/{culture_only.pk}/").status_code == 404
    culture_only.refresh_from_db()
    assert culture_only.state == State.SENT


def test_inbox_filters_due_soon_overdue_uat_and_state_by_counts(cast, api, inbox, territory):
    today = timezone.localdate()
    culture = AvizRequest.objects.filter(institution=cast["culture"]).order_by("id")
    AvizRequest.objects.filter(pk=culture[0].pk).update(due_date=today + timedelta(days=2))
    AvizRequest.objects.filter(pk=culture[1].pk).update(due_date=today - timedelta(days=1))
    # Another UAT's application for the same institution.
    inbox[2].uat = territory["uat_b"]
    inbox[2].save(update_fields=["uat"])
    client = api(cast["frank"])
    assert len(ids(client.get("/api/v1/avize/?due_soon=true"))) == 1
    assert len(ids(client.get("/api/v1/avize/?due_soon=false"))) == 2
    assert len(ids(client.get("/api/v1/avize/?overdue=true"))) == 1
    assert len(ids(client.get("/api/v1/avize/?overdue=false"))) == 2
    assert len(ids(client.get("/api/v1/avize/?uat=20297"))) == 2
    assert len(ids(client.get("/api/v1/avize/?uat=22936"))) == 1
    assert len(ids(client.get("/api/v1/avize/?state=sent"))) == 3
    assert len(ids(client.get("/api/v1/avize/?state=favourable"))) == 0
    assert client.get("/api/v1/avize/?state=nonsense").status_code == 400
    assert client.get("/api/v1/avize/?uat=abc").status_code == 400


def test_the_inbox_list_runs_a_constant_number_of_queries(cast, api, inbox, ac_in_avize):
    client = api(cast["frank"])
    with CaptureQueriesContext(connection) as few:
        ids(client.get("/api/v1/avize/"))
    for _ in range(3):
        services.aviz_requests_create_for(application=ac_in_avize(cast["culture"]), by=cast["carol"])
    with CaptureQueriesContext(connection) as more:
        assert len(ids(client.get("/api/v1/avize/"))) == 6
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_dossier_shows_reasons_documents_the_parcel_map_and_analysis_and_marks_it_viewed(cast, api, inbox):
    r = AvizRequest.objects.get(application=inbox[1])
    body = api(cast["frank"]).get(f"/api/v1/avize/{r.pk}/").json()
    assert body["state"] == "viewed" and body["reasons"][0]["rule"] == "R2"
    assert body["analysis"]["required_avize"][0]["institution"]["code"] == "djc-bacau"
    (feature,) = body["map"]["features"]
    parcel = inbox[1].parcels.get()
    expected = parcel.geom.transform(4326, clone=True)
    got = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
    assert feature["properties"]["cadastral_number"] == parcel.cadastral_number
    assert got.normalize(clone=True).equals_exact(expected.normalize(clone=True), tolerance=1e-6)  # rings reoriented (RFC 7946)
    assert [e["action"] for e in body["events"]] == ["send", "view"]
    # The applicant reading it does not mark it viewed for the institution.
    r2 = AvizRequest.objects.get(application=inbox[2])
    assert api(cast["bob"]).get(f"/api/v1/avize/{r2.pk}/").json()["state"] == "sent"


def test_an_institution_system_answers_with_conditions_and_a_signed_pdf_through_its_token(cast, api, inbox):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pypdf import PdfReader

    from gis_portal.signing import signing_certificate

    r = AvizRequest.objects.get(application=inbox[1])
    client = api(cast["frank"])
    bad = client.post(f"/api/v1/avize/{r.pk}/answer/", {"outcome": "favourable_with_conditions", "conditions": []})
    assert bad.status_code == 400 and "conditions" in bad.json()["errors"]
    ok = client.post(f"/api/v1/avize/{r.pk}/answer/", {"outcome": "favourable_with_conditions", "number": "77/2026",
                                                       "conditions": ["Supraveghere arheologică pe durata săpăturilor"],
                                                       "dossier_version": 1})
    assert ok.status_code == 200, ok.content
    assert ok.json()["state"] == "favourable_with_conditions" and ok.json()["judged_dossier_version"] == 1
    pdf = api(cast["alice"]).get(f"/api/v1/avize/{r.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    reader = PdfFileReader(io.BytesIO(data))
    (sig,) = reader.embedded_signatures
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[signing_certificate()]))
    assert status.intact and status.valid and status.trusted
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Supraveghere arheologică" in text and "77/2026" in text
    again = client.post(f"/api/v1/avize/{r.pk}/answer/", {"outcome": "unfavourable", "text": "Nu."})
    assert again.status_code == 409 and again.json()["allowed"] == []


def test_completion_is_requested_once_through_the_api(cast, api, inbox):
    r = AvizRequest.objects.get(application=inbox[1])
    client = api(cast["frank"])
    assert client.post(f"/api/v1/avize/{r.pk}/completion-request/", {"text": ""}).status_code == 400
    assert client.post(f"/api/v1/avize/{r.pk}/completion-request/", {"text": "Studiu istoric."}).status_code == 200
    assert client.post(f"/api/v1/avize/{r.pk}/completion-request/", {"text": "Altceva."}).status_code == 409
    assert api(cast["bob"]).post(f"/api/v1/avize/{r.pk}/resubmit/", {"text": "x"}).status_code == 404
    unchanged = api(cast["alice"]).post(f"/api/v1/avize/{r.pk}/resubmit/", {"text": "Atașat."})
    assert unchanged.status_code == 400 and "documents" in unchanged.json()["errors"]
    upload = api(cast["alice"]).post(f"/api/v1/avize/{r.pk}/documents/", {"doc_type": "altele", "file": pdf_upload()},
                                     format="multipart")
    assert upload.status_code == 201, upload.content
    assert api(cast["alice"]).post(f"/api/v1/avize/{r.pk}/resubmit/", {"text": "Atașat."}).json()["state"] == "resubmitted"
    second = client.post(f"/api/v1/avize/{r.pk}/completion-request/", {"text": "Altceva."})
    assert second.status_code == 409 and "answer_favourable" in second.json()["allowed"]


def test_the_rollup_and_reconsultation_endpoints(cast, api, inbox):
    app = inbox[0]
    rollup = api(cast["alice"]).get(f"/api/v1/avize/applications/{app.pk}/").json()
    assert rollup["resolved"] is False and sorted(rollup["pending"]) == ["delgaz-grid-bacau", "djc-bacau"]
    assert api(cast["alice"]).post(f"/api/v1/avize/applications/{app.pk}/reconsult/",
                                   {"reason": "x"}).status_code == 403
    bad = api(cast["carol"]).post(f"/api/v1/avize/applications/{app.pk}/reconsult/", {"reason": "x",
                                                                                      "institutions": [999]})
    assert bad.status_code == 400 and "institutions" in bad.json()["errors"]
    unchanged = api(cast["carol"]).post(f"/api/v1/avize/applications/{app.pk}/reconsult/", {"reason": "Nimic nou."})
    assert unchanged.status_code == 400 and "nu s-a schimbat" in str(unchanged.json()["errors"])
    new_document(app, by=cast["alice"])
    done = api(cast["carol"]).post(f"/api/v1/avize/applications/{app.pk}/reconsult/",
                                   {"reason": "Plan de situație nou."})
    assert done.status_code == 201 and {row["dossier_version"] for row in done.json()} == {2}
    assert len(ids(api(cast["frank"]).get("/api/v1/avize/"))) == 3
    assert len(ids(api(cast["frank"]).get("/api/v1/avize/?live=false"))) == 1


def test_every_avize_endpoint_is_in_the_openapi_schema(api, cast):
    schema = api(cast["root"]).get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for p in ["/api/v1/avize/", "/api/v1/avize/{id}/", "/api/v1/avize/{id}/answer/",
              "/api/v1/avize/{id}/completion-request/", "/api/v1/avize/{id}/pdf/",
              "/api/v1/avize/applications/{application_id}/"]:
        assert p in paths, p


def test_the_institution_downloads_only_the_documents_shared_with_it(cast, api, ac_in_avize):
    from django.core.files.base import ContentFile

    from permits.models import Document

    app = ac_in_avize(cast["culture"])
    shared = Document.objects.create(application=app, doc_type="dtac", file=ContentFile(b"%PDF-1.4 dtac", name="d.pdf"),
                                     original_name="dtac.pdf", content_type="application/pdf", size=13,
                                     sha256="cd" * 32, uploaded_by=cast["alice"])
    (r,) = services.aviz_requests_create_for(application=app, by=cast["carol"])
    later = Document.objects.create(application=app, doc_type="altele", file=ContentFile(b"%PDF-1.4 x", name="x.pdf"),
                                    original_name="x.pdf", content_type="application/pdf", size=10,
                                    sha256="ef" * 32, uploaded_by=cast["alice"])
    client = api(cast["frank"])
    got = client.get(f"/api/v1/avize/{r.pk}/documents/{shared.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 dtac"
    assert client.get(f"/api/v1/avize/{r.pk}/documents/{later.pk}/").status_code == 404
    assert api(cast["grace"]).get(f"/api/v1/avize/{r.pk}/documents/{shared.pk}/").status_code == 404
    # The generic download applies the same rule to reviewers; the applicant still gets both.
    assert client.get(f"/api/v1/documents/{shared.pk}/download/").status_code == 200
    assert client.get(f"/api/v1/documents/{later.pk}/download/").status_code == 404
    assert api(cast["alice"]).get(f"/api/v1/documents/{later.pk}/download/").status_code == 200


def test_the_admin_lists_aviz_requests_with_their_audit_trail(cast, client, inbox):
    otp_login(client, cast["root"])
    r = AvizRequest.objects.first()
    assert client.get("/admin/avize/avizrequest/").status_code == 200
    page = client.get(f"/admin/avize/avizrequest/{r.pk}/change/")
    assert page.status_code == 200 and b"send" in page.content
