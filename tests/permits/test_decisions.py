"""Decisions with guards: compliance override by the chief architect, the avize hook, CU extension."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from permits.choices import ApplicantType, Kind, Status
from permits.models import Application
from tests.permits.conftest import VALID_CNP

pytestmark = pytest.mark.django_db


def _app(cast, parcel, **kw) -> Application:
    app = Application.objects.create(owner=cast["alice"], uat=cast["uat_a"], issuer=cast["issuer_a"],
                                     applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu",
                                     applicant_id_code=VALID_CNP, **kw)
    app.parcels.add(parcel)
    return app


@pytest.fixture
def issued_cu(cast, parcel_factory):
    parcel = parcel_factory()
    return _app(cast, parcel, kind=Kind.CU, status=Status.ISSUED, purpose="construire",
                valid_until=timezone.localdate() + timedelta(days=200), fee_ron="9.00")


def test_failed_zoning_checks_block_the_ac_until_the_chief_architect_overrides_them(api, cast, issued_cu):
    ac = _app(cast, issued_cu.parcels.get(), kind=Kind.AC, status=Status.IN_REVIEW, based_on=issued_cu,
              registration_number=7, registration_year=2026, works_kind="building",
              analysis_result={"required_avize": [], "compliance": {"passed": False, "checks": [
                  {"check": "pot", "value": 55.0, "limit": 40.0, "status": "fail", "rule": "R36"},
                  {"check": "height_m", "value": 7.0, "limit": 10.0, "status": "pass", "rule": "R36"}]}})
    url = f"/api/v1/applications/{ac.pk}/transitions/"
    blocked = api(cast["erin"]).post(url, {"action": "issue"}, format="json")
    assert blocked.status_code == 400 and "pot" in blocked.json()["detail"]
    assert api(cast["carol"]).post(url, {"action": "override_compliance", "reason": "x"},
                                   format="json").status_code == 403
    assert api(cast["erin"]).post(url, {"action": "override_compliance"}, format="json").status_code == 400
    ok = api(cast["erin"]).post(url, {"action": "override_compliance", "reason": "PUZ aprobat prin HCL 5/2026"},
                                format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "in_review"
    issued = api(cast["erin"]).post(url, {"action": "issue"}, format="json")
    assert issued.status_code == 200, issued.json()
    assert issued.json()["act"]["number"].startswith("1/")
    assert [e.action for e in ac.events.all()] == ["override_compliance", "issue"]


def test_the_avize_stage_ends_only_when_the_avize_app_reports_all_resolved(api, cast, issued_cu):
    culture = cast["culture"]
    ac = _app(cast, issued_cu.parcels.get(), kind=Kind.AC, status=Status.AVIZE, based_on=issued_cu,
              registration_number=8, registration_year=2026,
              analysis_result={"required_avize": [{"institution": {"id": culture.pk, "code": culture.code,
                                                                   "name": culture.name, "kind": culture.kind},
                                                   "reasons": [{"rule": "R2"}]}]})
    url = f"/api/v1/applications/{ac.pk}/transitions/"
    response = api(cast["carol"]).post(url, {"action": "avize_complete"}, format="json")
    assert response.status_code == 400  # no aviz answered yet
    assert Application.objects.get(pk=ac.pk).status == "avize"
    assert "issue" not in api(cast["carol"]).get(f"/api/v1/applications/{ac.pk}/").json()["allowed_actions"]


def test_a_cu_is_extended_once_at_30_percent_of_its_fee(api, cast, issued_cu):
    until = issued_cu.valid_until
    alice = api(cast["alice"])
    ext = alice.post("/api/v1/applications/", {
        "kind": "cu_extension", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": VALID_CNP, "based_on": issued_cu.pk}, format="json")
    assert ext.status_code == 201 and ext.json()["fee_ron"] == "2.70"
    pk = ext.json()["id"]
    from tests.permits.conftest import pdf_upload

    alice.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": "cerere", "file": pdf_upload()},
               format="multipart")
    assert alice.post(f"/api/v1/applications/{pk}/submit/").status_code == 200
    carol = api(cast["carol"])
    url = f"/api/v1/applications/{pk}/transitions/"
    carol.post(url, {"action": "accept"}, format="json")
    carol.post(f"/api/v1/applications/{pk}/payments/", {"amount_ron": "2.70", "reference": "CH-2"}, format="json")
    assert api(cast["erin"]).post(url, {"action": "issue", "validity_months": 13}, format="json").status_code == 400
    assert api(cast["erin"]).post(url, {"action": "issue", "validity_months": 12}, format="json").status_code == 200
    issued_cu.refresh_from_db()
    assert issued_cu.extended and issued_cu.valid_until.year == until.year + 1
    again = alice.post("/api/v1/applications/", {
        "kind": "cu_extension", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": VALID_CNP, "based_on": issued_cu.pk}, format="json").json()["id"]
    alice.post(f"/api/v1/applications/{again}/documents/", {"doc_type": "cerere", "file": pdf_upload()},
               format="multipart")
    refused = alice.post(f"/api/v1/applications/{again}/submit/")
    assert refused.status_code == 400 and "o singură prelungire" in refused.json()["detail"]
