"""Issue 18 points 1 and 4 on the pages: the works forms on the request page, the public register and
layer of works in progress (only public fields), the site panel PDF."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from permits import works
from permits.choices import ApplicantType, Kind, Status
from permits.models import Application, IssuedAct
from tests.helpers import otp_login
from tests.permits.conftest import VALID_CNP, pdf_bytes

pytestmark = pytest.mark.django_db
PRIVATE = (VALID_CNP, "alice.contact@example.ro", "Str. Privată 1")


def _pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def issued(cast, parcel_factory):
    def make(number: int, name: str = "Alice Popescu") -> Application:
        today = timezone.localdate()
        app = Application.objects.create(
            owner=cast["alice"], uat=cast["uat_a"], issuer=cast["issuer_a"], kind=Kind.AC, status=Status.ISSUED,
            applicant_type=ApplicantType.PERSON, applicant_name=name, applicant_id_code=VALID_CNP,
            applicant_email="alice.contact@example.ro", applicant_address="Str. Privată 1",
            works_description=f"Locuință P+1 nr. {number}", works_value_ron=Decimal("300000"), residential=True,
            fee_ron=Decimal("1500.00"), paid_at=timezone.now(), designer_name="Arh. Ion Ionescu",
            registration_number=number, registration_year=today.year, valid_until=today + timedelta(days=200))
        app.parcels.add(parcel_factory(address="Str. Mărăști 10"))
        IssuedAct.objects.create(application=app, register="ac_ad", number=number, year=today.year,
                                 issued_on=today - timedelta(days=30), issued_by=cast["erin"], sha256="0" * 64)
        return app

    return make


def _client(user=None, language="ro") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        otp_login(client, user)
    return client


def test_the_holder_starts_and_ends_through_the_forms_and_the_clerk_receives(cast, issued):
    ac = issued(101)
    alice, carol = _client(cast["alice"]), _client(cast["carol"])
    page = alice.get(f"/requests/{ac.pk}/").content.decode()
    assert 'id="works-start-form"' in page and 'data-quota="law10">1500,00 lei' in page
    assert 'data-quota="start">1050,00 lei' in page and 'id="site-panel"' in page
    assert 'value="announce_start"' not in page  # a form, not a bare button
    assert 'id="works-start-form"' not in carol.get(f"/requests/{ac.pk}/").content.decode()
    today = timezone.localdate()
    # No proof of the ISC quotas: refused next to its field, in Romanian, nothing changed.
    missing = alice.post(f"/requests/{ac.pk}/works/start/", {"start_date": today.isoformat(), "duration_months": 12})
    assert missing.status_code == 400 and "Atașați documentul cerut." in missing.content.decode()
    ac.refresh_from_db()
    assert ac.status == Status.ISSUED
    ok = alice.post(f"/requests/{ac.pk}/works/start/", {"start_date": today.isoformat(), "duration_months": 12,
                                                         "contractor_name": "Construct SRL", "documents": _pdf()})
    assert ok.status_code == 302
    ac.refresh_from_db()
    assert ac.status == Status.WORKS_STARTED and ac.works.contractor_name == "Construct SRL"
    ended = alice.post(f"/requests/{ac.pk}/works/end/", {"end_date": today.isoformat(), "final_value_ron": "340000"})
    assert ended.status_code == 302
    page = carol.get(f"/requests/{ac.pk}/").content.decode()
    assert 'data-difference="200.00"' in page and 'id="reception-form"' in page and 'id="regularisation-form"' in page
    assert carol.post(f"/requests/{ac.pk}/works/regularisation/", {"what": "pay", "reference": "CH-5"}).status_code == 302
    rejected = carol.post(f"/requests/{ac.pk}/works/reception/", {
        "reception_date": today.isoformat(), "issuer_representative": "Carol Clerk",
        "members": "Alice Popescu\nIng. Dan", "outcome": "rejected", "remarks": "", "report": _pdf("pv.pdf")})
    assert rejected.status_code == 400 and "Scrieți obiecțiile" in rejected.content.decode()
    assert carol.post(f"/requests/{ac.pk}/works/reception/", {
        "reception_date": today.isoformat(), "issuer_representative": "Carol Clerk", "members": "Alice Popescu",
        "outcome": "admitted", "report": _pdf("pv.pdf")}).status_code == 302
    ac.refresh_from_db()
    assert ac.status == Status.CLOSED
    en = _client(cast["alice"], "en").get(f"/requests/{ac.pk}/").content.decode()
    assert "Admitted" in en and "Reception at the end of works" in en


def test_a_late_start_shows_why_in_the_page(cast, issued):
    ac = issued(102)
    Application.objects.filter(pk=ac.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    page = _client(cast["alice"]).get(f"/requests/{ac.pk}/").content.decode()
    assert 'id="works-start-form"' not in page and 'data-action="announce_start"' in page
    refused = _client(cast["alice"]).post(f"/requests/{ac.pk}/works/start/", {
        "start_date": timezone.localdate().isoformat(), "duration_months": 12, "documents": _pdf()})
    assert refused.status_code == 400
    assert "Termenul de începere a lucrărilor a expirat" in refused.content.decode()


def test_the_public_register_and_layer_show_started_works_only_and_no_private_field(cast, issued):
    started, merely_issued = issued(201, "Ion Vasilescu"), issued(202, "Maria Doar-Emisă")
    works.works_start_announce(application=started, by=cast["alice"], start_date=timezone.localdate(),
                               duration_months=14, contractor_name="Construct SRL", documents=[_pdf()])
    for language in ("ro", "en"):
        response = _client(language=language).get("/works/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Ion Vasilescu" in html and "Maria Doar-Emisă" not in html
        assert "Str. Mărăști 10" in html and "Construct SRL" in html and "Arh. Ion Ionescu" in html
        assert not any(private in html for private in PRIVATE)
    assert "Works in progress" in _client(language="en").get("/works/").content.decode()
    layer = _client().get("/api/v1/works/in-progress/")
    assert layer.status_code == 200
    features = layer.json()["features"]
    assert [f["properties"]["act_number"] for f in features] == [f"201/{timezone.localdate().year}"]
    props = features[0]["properties"]
    assert set(props) == set(works_public_fields()) and props["holder"] == "Ion Vasilescu"
    assert features[0]["geometry"]["type"] == "MultiPolygon"
    assert not any(private in layer.content.decode() for private in PRIVATE)
    style = _client().get("/map/style.json").json()
    assert style["sources"]["works-in-progress"]["type"] == "geojson"
    assert any(item["id"] == "works-in-progress" for item in style["metadata"]["portal:legend"])
    assert merely_issued.status == Status.ISSUED  # issued but not started: public only in the acts register


def works_public_fields():
    from permits.works_public import PUBLIC_FIELDS

    return PUBLIC_FIELDS


def test_the_site_panel_pdf_is_printable_by_the_holder_only(cast, issued):
    ac = issued(301)
    response = _client(cast["alice"]).get(f"/api/v1/applications/{ac.pk}/site-panel.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "301/" in text and "Alice Popescu" in text and "Arh. Ion Ionescu" in text and VALID_CNP not in text
    assert _client(cast["bob"]).get(f"/api/v1/applications/{ac.pk}/site-panel.pdf").status_code == 404
