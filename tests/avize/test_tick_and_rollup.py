"""Scheduled work driven by an explicit clock, the outcome roll-up and re-consultation."""
from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from avize import selectors, services
from avize.models import AvizRequest, State
from notifications.models import Notification
from permits.choices import Kind, Status
from tests.avize.conftest import days, new_document


@pytest.fixture
def sent(cast, ac_in_avize, defence, t0):
    app = ac_in_avize(cast["culture"], cast["electricity"], defence)
    services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    return {r.institution.code: r for r in app.aviz_requests.all()} | {"app": app}


def test_nothing_happens_on_or_before_the_due_date(sent, t0):
    due = sent["djc-bacau"].due_date
    assert due == date(2026, 3, 17)
    services.avize_tick(now=t0 + days(15))  # 17 March: still the institution's last day
    assert set(AvizRequest.objects.values_list("state", flat=True)) == {State.SENT}


def test_silence_past_the_deadline_is_tacit_approval_with_its_legal_basis(sent, t0):
    result = services.avize_tick(now=t0 + days(16))
    assert result["tacit"] == 2 and result["escalated"] == 1
    r = AvizRequest.objects.get(pk=sent["djc-bacau"].pk)
    assert r.state == State.TACITLY_APPROVED and "OUG 31/2025" in r.legal_basis
    assert r.judged_dossier_version == 1 and r.answered_by is None
    assert r.events.last().action == "tacit_approve"


def test_defence_is_never_tacitly_approved_but_escalated_to_the_clerks_once(cast, sent, t0):
    services.avize_tick(now=t0 + days(16))
    services.avize_tick(now=t0 + days(17))
    r = AvizRequest.objects.get(pk=sent["smg"].pk)
    assert r.state == State.SENT and r.escalated_at is not None
    assert list(r.events.filter(action="escalate").values_list("to_state", flat=True)) == ["sent"]
    overdue = Notification.objects.filter(event="aviz_overdue", channel="in_app")
    assert list(overdue.values_list("user__username", flat=True)) == ["carol"]


def test_institutions_are_reminded_three_days_and_one_day_before_the_due_date_once_each(cast, sent, t0):
    assert services.avize_tick(now=t0 + days(10))["reminded"] == 0  # 7 days left
    assert services.avize_tick(now=t0 + days(12))["reminded"] == 3  # 3 days left
    assert services.avize_tick(now=t0 + days(12))["reminded"] == 0  # same day again: nothing new
    assert services.avize_tick(now=t0 + days(14))["reminded"] == 3  # 1 day left
    reminders = Notification.objects.filter(event="aviz_reminder", user=cast["frank"], channel="in_app")
    assert sorted(reminders.values_list("context__days_left", flat=True)) == [1, 3]


def test_the_last_answer_moves_the_application_out_of_the_avize_stage(cast, ac_in_avize, t0):
    app = ac_in_avize(cast["culture"], cast["electricity"])
    culture, electricity = services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    services.aviz_answer(request=culture, by=cast["frank"], outcome=State.FAVOURABLE, now=t0 + days(1))
    app.refresh_from_db()
    assert app.status == Status.AVIZE
    services.avize_tick(now=t0 + days(16))
    app.refresh_from_db()
    assert app.status == Status.IN_REVIEW
    assert list(app.events.values_list("action", "by")) == [("avize_complete", None)]


def test_the_rollup_shows_the_most_severe_outcome_and_deduplicated_conditions_per_institution(cast, sent, t0):
    services.aviz_answer(request=sent["djc-bacau"], by=cast["frank"], outcome=State.FAVOURABLE_WITH_CONDITIONS,
                         conditions=["Supraveghere arheologică", "supraveghere  ARHEOLOGICĂ", "Fațadă din tencuială"],
                         now=t0)
    services.aviz_answer(request=sent["delgaz-grid-bacau"], by=cast["grace"], outcome=State.FAVOURABLE_WITH_CONDITIONS,
                         conditions=["Supraveghere arheologică"], now=t0)
    rollup = selectors.rollup_for(sent["app"])
    assert rollup["outcome"] == State.FAVOURABLE_WITH_CONDITIONS and rollup["pending"] == ["smg"]
    by_code = {i["institution"]["code"]: i["conditions"] for i in rollup["institutions"]}
    assert by_code == {"delgaz-grid-bacau": ["Supraveghere arheologică"],
                       "djc-bacau": ["Supraveghere arheologică", "Fațadă din tencuială"], "smg": []}
    status = selectors.avize_status_for(sent["app"])
    assert status["resolved"] is False and len(status["conditions"]) == 3
    services.aviz_answer(request=sent["smg"], by=_reviewer(sent["smg"].institution), outcome=State.UNFAVOURABLE,
                         text="Zonă cu restricții militare.", now=t0 + days(30))
    status = selectors.avize_status_for(sent["app"])
    assert status["resolved"] is True and status["favourable"] is False and status["outcome"] == State.UNFAVOURABLE


def _reviewer(institution):
    from accounts.models import User

    return User.objects.create_user(username=f"rev-{institution.code}", password="x-secret-pass-1",
                                    role=User.Role.REVIEWER, institution=institution)


def test_a_changed_dossier_re_asks_the_institutions_and_answers_record_the_version_they_judged(cast, sent, t0):
    culture, electricity = sent["djc-bacau"], sent["delgaz-grid-bacau"]
    services.aviz_answer(request=culture, by=cast["frank"], outcome=State.FAVOURABLE, now=t0 + days(1))
    new_document(sent["app"], by=cast["alice"])
    new = services.aviz_reconsult(application=sent["app"], by=cast["carol"], reason="Regim de înălțime modificat.",
                                  institution_ids=[culture.institution_id, electricity.institution_id],
                                  now=t0 + days(3))
    assert sorted((r.institution.code, r.dossier_version, r.state) for r in new) == [
        ("delgaz-grid-bacau", 2, State.SENT), ("djc-bacau", 2, State.SENT)]
    culture.refresh_from_db()
    electricity.refresh_from_db()
    # The old answer stays as the record of what version 1 got; the open request was withdrawn.
    assert (culture.live, culture.state, culture.judged_dossier_version) == (False, State.FAVOURABLE, 1)
    assert (electricity.live, electricity.state) == (False, State.WITHDRAWN)
    new_culture = culture.replaced_by
    assert new_culture.due_date == date(2026, 3, 20)  # 5 March + 15 days
    with pytest.raises(ValidationError):  # an answer prepared for the old version is refused
        services.aviz_answer(request=new_culture, by=cast["frank"], outcome=State.FAVOURABLE, dossier_version=1,
                             now=t0 + days(4))
    services.aviz_answer(request=new_culture, by=cast["frank"], outcome=State.FAVOURABLE, dossier_version=2,
                         now=t0 + days(4))
    new_culture.refresh_from_db()
    assert new_culture.judged_dossier_version == 2
    rollup = selectors.rollup_for(sent["app"])
    assert {i["institution"]["code"]: i["dossier_version"] for i in rollup["institutions"]} == {
        "djc-bacau": 2, "delgaz-grid-bacau": 2, "smg": 1}
    assert Notification.objects.filter(event="aviz_requested", user=cast["frank"], channel="in_app",
                                       context__dossier_version=2).count() == 1


def test_expiry_reminders_go_to_the_holders_of_issued_acts(cast, ac_in_avize, t0):
    app = ac_in_avize(cast["culture"])
    app.kind, app.status, app.valid_until = Kind.AC, Status.ISSUED, date(2026, 4, 1)
    app.save(update_fields=["kind", "status", "valid_until"])
    assert services.avize_tick(now=t0)["expiry_reminders"] == 1  # 2 March: 30 days left
    assert services.avize_tick(now=t0 + days(1))["expiry_reminders"] == 0
    assert Notification.objects.filter(event="expiry_reminder", user=cast["alice"], channel="in_app").count() == 1


def test_the_tick_is_registered_as_a_periodic_task_for_the_worker():
    from procrastinate.contrib.django import app

    import avize.tasks  # noqa: F401

    assert ("avize_tick", "avize_tick") in app.periodic_registry.periodic_tasks


def test_sending_again_after_the_documents_changed_re_consults_on_a_new_dossier_version(cast, ac_in_avize, t0):
    from django.core.files.base import ContentFile

    from permits.models import Document

    app = ac_in_avize(cast["culture"], cast["electricity"])
    first = services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    services.aviz_answer(request=first[0], by=cast["frank"], outcome=State.FAVOURABLE, now=t0)
    assert services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0 + days(1)) == []
    Document.objects.create(application=app, doc_type="dtac", file=ContentFile(b"%PDF-1.4 v2", name="dtac.pdf"),
                            original_name="dtac-v2.pdf", content_type="application/pdf", size=11, sha256="ab" * 32,
                            uploaded_by=cast["alice"])
    again = services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0 + days(2))
    assert sorted((r.institution.code, r.dossier_version, r.documents[0]["name"]) for r in again) == [
        ("delgaz-grid-bacau", 2, "dtac-v2.pdf"), ("djc-bacau", 2, "dtac-v2.pdf")]
    assert AvizRequest.objects.filter(application=app, live=True).count() == 2
    assert sorted(AvizRequest.objects.filter(application=app, live=False).values_list("state", flat=True)) == [
        State.FAVOURABLE, State.WITHDRAWN]


def test_re_consulting_after_the_avize_stage_ended_puts_the_application_back_into_it(cast, ac_in_avize, t0):
    app = ac_in_avize(cast["culture"])
    (r,) = services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    services.aviz_answer(request=r, by=cast["frank"], outcome=State.FAVOURABLE, now=t0)
    app.refresh_from_db()
    assert app.status == Status.IN_REVIEW
    new_document(app, by=cast["alice"])
    services.aviz_reconsult(application=app, by=cast["carol"], reason="Alt regim de înălțime.", now=t0 + days(1))
    app.refresh_from_db()
    assert app.status == Status.AVIZE
    assert list(app.events.values_list("action", flat=True)) == ["avize_complete", "request_avize"]
    assert selectors.avize_status_for(app)["resolved"] is False


def test_requests_of_a_withdrawn_application_are_withdrawn_not_tacitly_approved(cast, sent, t0):
    app = sent["app"]
    app.status = Status.WITHDRAWN
    app.save(update_fields=["status"])
    result = services.avize_tick(now=t0 + days(16))
    assert result["withdrawn"] == 3 and result["tacit"] == 0 and result["escalated"] == 0
    assert set(AvizRequest.objects.filter(application=app).values_list("state", flat=True)) == {State.WITHDRAWN}
