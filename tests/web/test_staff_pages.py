"""Server-side tests of the staff side of the web app: the request page after the avize stage,
separation of duties, the offered actions, the work list and the confirmation step."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from avize import services as avize_services
from permits.choices import Status
from tests.helpers import login_through_forms, otp_login

pytestmark = pytest.mark.django_db


def client_for(user=None, language="ro") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        otp_login(client, user)
    return client


def reviewer_of(institution) -> User:
    return User.objects.create_user(username=f"rev-{institution.code}", password="x", role=User.Role.REVIEWER,
                                    institution=institution)


def test_the_request_page_of_an_ac_that_left_the_avize_stage_opens_for_applicant_and_clerk(ac_in_avize):
    app = ac_in_avize
    req = app.aviz_requests.get()
    avize_services.aviz_answer(request=req, by=reviewer_of(req.institution), outcome="favourable")
    app.refresh_from_db()
    assert app.status == Status.IN_REVIEW
    assert app.events.get(action="avize_complete").by is None  # the system ended the stage
    for user, language, word in ((app.owner, "ro", "(sistem)"), (User.objects.get(username="carol"), "en", "(system)")):
        response = client_for(user, language).get(f"/requests/{app.pk}/")
        assert response.status_code == 200
        assert word in response.content.decode()


def _in_review_cu(submitted_cu, cast, *, paid: bool):
    from permits import services

    app = submitted_cu
    services.application_act(application=app, action="accept", by=cast["carol"])
    if paid:
        services.payment_record(application=app, by=cast["carol"], amount_ron=app.fee_ron, reference="CH-1")
    app.refresh_from_db()
    return app


def test_a_clerk_cannot_issue_in_the_state_machine_the_service_or_the_api(submitted_cu, mapped_world, api):
    from django.core.exceptions import PermissionDenied

    from permits import services, workflow

    w = mapped_world
    app = _in_review_cu(submitted_cu, w, paid=True)
    assert "issue" not in workflow.allowed_actions(app, w["carol"])
    assert "issue" in workflow.allowed_actions(app, w["erin"])
    with pytest.raises(PermissionDenied):
        services.application_act(application=app, action="issue", by=w["carol"], validity_months=12)
    response = api(w["carol"]).post(f"/api/v1/applications/{app.pk}/transitions/",
                                    {"action": "issue", "validity_months": 12}, format="json")
    assert response.status_code == 403
    app.refresh_from_db()
    assert app.status == Status.IN_REVIEW and not app.events.filter(action="issue").exists()
    response = api(w["erin"]).post(f"/api/v1/applications/{app.pk}/transitions/",
                                   {"action": "issue", "validity_months": 12}, format="json")
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.status == Status.ISSUED and app.act.issued_by == w["erin"]


def _buttons(html: str) -> list[str]:
    import re

    form = html.split('id="action-form"')[1].split("</form>")[0] if 'id="action-form"' in html else ""
    return re.findall(r'data-action="([a-z_]+)"', form)


def test_the_request_page_offers_only_what_the_guards_allow_and_says_why_not(submitted_cu, mapped_world):
    w = mapped_world
    app = _in_review_cu(submitted_cu, w, paid=False)
    clerk_html = client_for(w["carol"]).get(f"/requests/{app.pk}/").content.decode()
    assert "issue" not in _buttons(clerk_html) and 'data-action="issue"' not in clerk_html  # not the clerk's
    chief_html = client_for(w["erin"]).get(f"/requests/{app.pk}/").content.decode()
    assert "issue" not in _buttons(chief_html)  # the fee is not paid yet
    blocked = chief_html.split('id="blocked-actions"')[1].split("</ul>")[0]
    assert 'data-action="issue"' in blocked and "taxa nu a fost plătită" in blocked
    from permits import services

    services.payment_record(application=app, by=w["carol"], amount_ron=app.fee_ron, reference="CH-1")
    chief_html = client_for(w["erin"]).get(f"/requests/{app.pk}/").content.decode()
    assert _buttons(chief_html) == ["return_for_completion", "issue", "refuse"]
    # irreversible decisions ask for confirmation in a dialog
    assert 'data-action="issue" class="" data-confirm="Emiteți actul?' in chief_html
    assert '<dialog id="confirm-dialog"' in chief_html


def test_an_ac_offers_neither_issue_before_the_avize_nor_avize_complete_while_they_are_pending(
        ac_in_avize, mapped_world):
    w = mapped_world
    app = ac_in_avize  # the clerk just requested the avize
    for user in (w["carol"], w["erin"]):
        html = client_for(user).get(f"/requests/{app.pk}/").content.decode()
        assert "avize_complete" not in _buttons(html) and "issue" not in _buttons(html)
        assert "refuse" in _buttons(html)
        assert 'data-action="avize_complete"' in html.split('id="blocked-actions"')[1]


def test_staff_land_on_their_work_list_showing_what_waits_for_them(submitted_cu, mapped_world):
    from django.test import Client

    w = mapped_world
    for username, landing in (("carol", "/staff/queue/"), ("erin", "/staff/queue/"), ("frank", "/inbox/"),
                              ("root", "/manage/"), ("alice", "/")):
        response = login_through_forms(Client(), username)
        assert response.redirect_chain[-1][0] == landing, username
    # the clerk's default view is what waits for the clerk; the chief's is what is ready to sign
    assert f'data-application="{submitted_cu.pk}"' in client_for(w["carol"]).get("/staff/queue/").content.decode()
    chief = client_for(w["erin"])
    assert f'data-application="{submitted_cu.pk}"' not in chief.get("/staff/queue/").content.decode()
    _in_review_cu(submitted_cu, w, paid=True)
    assert f'data-application="{submitted_cu.pk}"' in chief.get("/staff/queue/").content.decode()
    assert f'data-application="{submitted_cu.pk}"' not in chief.get("/staff/queue/?view=done").content.decode()
    assert f'data-application="{submitted_cu.pk}"' in chief.get("/staff/queue/?view=all").content.decode()


def test_the_applicant_answers_a_completion_request_from_the_request_page(ac_in_avize, mapped_world):
    from tests.avize.conftest import pdf_upload

    w, app = mapped_world, ac_in_avize
    req = app.aviz_requests.get()
    avize_services.aviz_completion_request(request=req, by=w["frank"], text="Lipsește studiul istoric.")
    alice = client_for(w["alice"])
    html = alice.get(f"/requests/{app.pk}/").content.decode()
    assert f'id="completion-{req.pk}"' in html and "Lipsește studiul istoric." in html
    # sending before uploading anything is refused with a message in Romanian
    response = alice.post(f"/avize/{req.pk}/completion/send/", follow=True)
    assert "Încărcați întâi documentele cerute" in response.content.decode()
    assert client_for(w["bob"]).post(f"/avize/{req.pk}/completion/documents/",
                                     {"doc_type": "altele", "file": pdf_upload()}).status_code == 404
    response = alice.post(f"/avize/{req.pk}/completion/documents/",
                          {"doc_type": "altele", "file": pdf_upload("studiu-istoric.pdf")})
    assert response.status_code == 302
    html = alice.get(f"/requests/{app.pk}/").content.decode()
    assert "studiu-istoric.pdf" in html.split(f'id="completion-{req.pk}"')[1]
    alice.post(f"/avize/{req.pk}/completion/send/")
    req.refresh_from_db()
    assert req.state == "resubmitted" and req.dossier_version == 2
    assert "studiu-istoric.pdf" in {d["name"] for d in req.documents}
    # the reviewer's page shows the completion and the new version, and no second completion form
    html = client_for(w["frank"]).get(f"/inbox/{req.pk}/").content.decode()
    assert 'id="completion-request"' in html and 'id="completion-form"' not in html
    assert "studiu-istoric.pdf" in html
