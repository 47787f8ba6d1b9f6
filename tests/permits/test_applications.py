"""Applications through the API: drafts, documents, submission, scoping, filters and the state machine."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from permits.models import Application, Document, TransitionEvent
from tests.conftest import BACAU_E, BACAU_N
from tests.permits.conftest import VALID_CUI, draft_payload, pdf_upload, png_bytes

pytestmark = pytest.mark.django_db


def test_an_invalid_cnp_is_refused_and_nothing_is_written(api, cast, parcel_factory):
    parcel = parcel_factory()
    response = api(cast["alice"]).post("/api/v1/applications/",
                                       draft_payload([parcel], applicant_id_code="1800101040010"), format="json")
    assert response.status_code == 400
    assert "Cifra de control" in response.json()["errors"]["applicant_id_code"][0]
    assert Application.objects.count() == 0


def test_a_company_applicant_needs_a_valid_cui(api, cast, parcel_factory):
    parcel = parcel_factory()
    bad = draft_payload([parcel], applicant_type="company", applicant_name="SC Exemplu SRL", applicant_id_code="123")
    assert api(cast["alice"]).post("/api/v1/applications/", bad, format="json").status_code == 400
    response = api(cast["alice"]).post("/api/v1/applications/", {**bad, "applicant_id_code": "RO" + VALID_CUI},
                                       format="json")
    assert response.status_code == 201
    assert Application.objects.get().applicant_id_code == VALID_CUI


def test_the_draft_carries_its_fee_from_the_parcel_area(cu_draft):
    client, pk = cu_draft(docs=False)
    body = client.get(f"/api/v1/applications/{pk}/").json()
    assert body["fee_ron"] == "9.00"  # 20 m × 20 m = 400 m², urban band 251–500 m²
    assert body["status"] == "draft" and body["allowed_actions"] == ["submit", "withdraw"]


def test_submitting_without_the_mandatory_documents_lists_them(cu_draft):
    client, pk = cu_draft(docs=False)
    response = client.post(f"/api/v1/applications/{pk}/submit/")
    assert response.status_code == 400
    missing = " ".join(response.json()["errors"]["documents"])
    # Named as people name them (in the user's language), never by code.
    for label in ("Extras de carte funciară", "Plan de încadrare în zonă", "Plan de situație", "Dovada plății taxei"):
        assert label in missing
    assert "extras_cf" not in missing
    app = Application.objects.get(pk=pk)
    assert app.status == "draft" and app.registration_number is None and not app.events.exists()


def test_submission_registers_a_number_freezes_the_analysis_and_sets_deadlines(submitted_cu, cast):
    client, pk = submitted_cu()
    app = Application.objects.get(pk=pk)
    assert app.status == "submitted"
    assert app.registration == f"1/{timezone.localdate().year}"
    assert app.issuer == cast["issuer_a"]
    assert app.analysis_result["issuer"]["id"] == cast["issuer_a"].pk
    assert app.due_date > app.completeness_due > timezone.localdate()
    submit, assign = app.events.all()
    assert (submit.action, submit.from_status, submit.to_status, submit.by) == ("submit", "draft", "submitted",
                                                                               cast["alice"])
    # Registered, then given to the issuer's clerk in the same transaction (permits.assignment, issue 19).
    assert (assign.action, assign.by, assign.assigned_from, assign.assigned_to) == ("assign", None, None, cast["carol"])
    assert app.assigned_to == cast["carol"]



def test_a_cu_in_a_commune_without_an_urbanism_department_is_registered_by_the_county(
        submitted_cu, cast, parcel_factory):
    from parcels.models import Issuer

    county = Issuer.objects.create(name="Președintele Consiliului Județean Bacău", kind=Issuer.Kind.PRESEDINTE_CJ,
                                   county="Bacău")
    commune = cast["issuer_b"].uat
    commune.has_urbanism_department = False
    commune.save(update_fields=["has_urbanism_department"])
    _, pk = submitted_cu(parcels=[parcel_factory(uat=commune, e=BACAU_E - 4000, n=BACAU_N)])
    app = Application.objects.get(pk=pk)
    assert app.issuer == county and app.registration == f"1/{timezone.localdate().year}"
    assert [m["issuer_id"] for m in app.analysis_result["issuer"]["mayors_aviz"]] == [cast["issuer_b"].pk]

def test_uploads_are_checked_by_content_and_size(cu_draft, settings):
    client, pk = cu_draft(docs=False)
    url = f"/api/v1/applications/{pk}/documents/"
    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    response = client.post(url, {"doc_type": "plan_situatie", "file": fake}, format="multipart")
    assert response.status_code == 400 and "Tip de fișier neacceptat" in response.json()["detail"]
    broken = SimpleUploadedFile("cf.pdf", b"%PDF-1.7\n garbage", content_type="application/pdf")
    assert client.post(url, {"doc_type": "extras_cf", "file": broken}, format="multipart").status_code == 400
    settings.DOCUMENT_MAX_BYTES = 100
    assert client.post(url, {"doc_type": "extras_cf", "file": pdf_upload()}, format="multipart").status_code == 400
    settings.DOCUMENT_MAX_BYTES = 10_000_000
    image = SimpleUploadedFile("plan.png", png_bytes(), content_type="image/png")
    ok = client.post(url, {"doc_type": "plan_situatie", "file": image}, format="multipart")
    assert ok.status_code == 201 and ok.json()["content_type"] == "image/png"
    assert Document.objects.filter(application_id=pk).count() == 1


def test_documents_are_served_only_to_those_who_may_see_the_application(submitted_cu, api, cast):
    client, pk = submitted_cu()
    doc = Document.objects.filter(application_id=pk).first()
    url = f"/api/v1/documents/{doc.pk}/download/"
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert api(cast["carol"]).get(url).status_code == 200  # clerk of the issuer
    assert api(cast["root"]).get(url).status_code == 200
    for outsider in ("bob", "dave", "frank"):
        assert api(cast[outsider]).get(url).status_code == 404
    assert api().get(url).status_code in (401, 403)


def test_each_role_sees_only_its_applications(submitted_cu, cu_draft, api, cast, parcel_factory, territory):
    submitted_cu()
    cu_draft(cast["bob"], docs=False)  # a draft: private to bob
    hemeius = parcel_factory(uat=territory["uat_b"], e=646_868 - 4000, n=564_814)
    submitted_cu(cast["bob"], parcels=[hemeius])

    def count(user):
        return api(user).get("/api/v1/applications/").json()["count"]

    assert count(cast["alice"]) == 1 and count(cast["bob"]) == 2
    assert count(cast["carol"]) == 1 and count(cast["dave"]) == 1 and count(cast["erin"]) == 1
    assert count(cast["root"]) == 3 and count(cast["frank"]) == 0
    alice_app = Application.objects.get(owner=cast["alice"])
    assert api(cast["bob"]).get(f"/api/v1/applications/{alice_app.pk}/").status_code == 404
    assert api(cast["dave"]).get(f"/api/v1/applications/{alice_app.pk}/").status_code == 404


def test_the_staff_list_filters_by_status_kind_uat_and_due_date(submitted_cu, api, cast):
    for _ in range(3):
        submitted_cu()
    first = Application.objects.order_by("pk").first()
    Application.objects.filter(pk=first.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    carol = api(cast["carol"])
    api(cast["carol"]).post(f"/api/v1/applications/{first.pk}/transitions/", {"action": "accept"}, format="json")

    def count(**params):
        return carol.get("/api/v1/applications/", params).json()["count"]

    assert count() == 3
    assert count(status="in_review") == 1 and count(status="submitted") == 2
    assert count(kind="cu") == 3 and count(kind="ac") == 0
    assert count(uat=20297) == 3 and count(uat=22936) == 0
    assert count(overdue="true") == 1 and count(overdue="false") == 2
    assert count(due_before=timezone.localdate().isoformat()) == 1
    assert count(registration=f"{first.registration_number}/{first.registration_year}") == 1


def test_the_list_does_not_grow_queries_with_rows(submitted_cu, api, cast, django_assert_max_num_queries):
    for _ in range(4):
        submitted_cu()
    carol = api(cast["carol"])
    with django_assert_max_num_queries(8):
        response = carol.get("/api/v1/applications/")
    assert response.json()["count"] == 4


def test_an_action_not_allowed_from_the_current_state_is_a_409_listing_the_allowed_ones(submitted_cu, api, cast):
    _, pk = submitted_cu()
    response = api(cast["erin"]).post(f"/api/v1/applications/{pk}/transitions/", {"action": "issue"}, format="json")
    assert response.status_code == 409
    assert set(response.json()["allowed"]) == {"accept", "return_for_completion", "refuse", "withdraw"}
    assert Application.objects.get(pk=pk).status == "submitted"


def test_roles_are_checked_per_transition(submitted_cu, api, cast):
    client, pk = submitted_cu()
    url = f"/api/v1/applications/{pk}/transitions/"
    assert client.post(url, {"action": "accept"}, format="json").status_code == 403  # the applicant
    assert api(cast["dave"]).post(url, {"action": "accept"}, format="json").status_code == 404  # other issuer
    assert api(cast["carol"]).post(url, {"action": "accept"}, format="json").status_code == 200


def test_return_for_completion_happens_once_and_stops_the_clock(submitted_cu, api, cast):
    client, pk = submitted_cu()
    carol = api(cast["carol"])
    url = f"/api/v1/applications/{pk}/transitions/"
    assert carol.post(url, {"action": "return_for_completion"}, format="json").status_code == 400  # no reason
    assert carol.post(url, {"action": "return_for_completion", "reason": "Lipsește planul"},
                      format="json").status_code == 200
    due = Application.objects.get(pk=pk).due_date
    # Five calendar days later the applicant completes: the due date moves by the working days lost.
    Application.objects.filter(pk=pk).update(clock_paused_on=timezone.localdate() - timedelta(days=7))
    assert client.post(url, {"action": "resubmit"}, format="json").status_code == 200
    app = Application.objects.get(pk=pk)
    assert app.status == "resubmitted" and app.due_date > due and app.clock_paused_on is None
    assert carol.post(url, {"action": "accept"}, format="json").status_code == 200
    again = carol.post(url, {"action": "return_for_completion", "reason": "Din nou"}, format="json")
    assert again.status_code == 400 and "returnată o dată" in again.json()["detail"]
    timeline = client.get(f"/api/v1/applications/{pk}/timeline/").json()
    assert [e["action"] for e in timeline] == ["submit", "return_for_completion", "resubmit", "accept"]
    assert timeline[1]["reason"] == "Lipsește planul"


def test_the_audit_trail_is_append_only(submitted_cu):
    _, pk = submitted_cu()
    event = TransitionEvent.objects.get(application_id=pk, action="submit")
    with pytest.raises(TypeError):
        TransitionEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE permits_transitionevent SET reason = 'x' WHERE id = %s", [event.pk])
    assert TransitionEvent.objects.get(pk=event.pk).reason == ""


def test_an_ac_without_a_valid_cu_is_refused_at_submission(cu_draft, submitted_cu, cast):
    client, pk = cu_draft(kind="ac", works_value_ron="200000")
    response = client.post(f"/api/v1/applications/{pk}/submit/")
    assert response.status_code == 400 and "certificatul de urbanism" in response.json()["errors"]["based_on"][0]
    _, cu_pk = submitted_cu()  # registered but not issued
    client.patch(f"/api/v1/applications/{pk}/", {"based_on": cu_pk}, format="json")
    response = client.post(f"/api/v1/applications/{pk}/submit/")
    assert response.status_code == 400 and "nu este emis" in response.json()["errors"]["based_on"][0]
    assert Application.objects.get(pk=pk).status == "draft"


def test_someone_elses_cu_cannot_be_referenced(cu_draft, submitted_cu, cast):
    _, cu_pk = submitted_cu(cast["bob"])
    client, pk = cu_draft(kind="ac", works_value_ron="200000", docs=False)
    response = client.patch(f"/api/v1/applications/{pk}/", {"based_on": cu_pk}, format="json")
    assert response.status_code == 400 and "based_on" in response.json()["errors"]
