"""Aviz requests: sent at once, one transition table, completion once, answers, audit and notifications."""
from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from avize import services
from avize.models import AvizEvent, AvizRequest, State
from gis_portal.api.exceptions import StateConflict
from notifications.models import Notification
from tests.avize.conftest import days, pdf_upload


def test_one_request_per_required_institution_is_sent_at_once_with_reasons_documents_and_due_date(cast, ac_in_avize, t0):
    app = ac_in_avize(cast["culture"], cast["electricity"])
    created = services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    assert sorted(r.institution.code for r in created) == ["delgaz-grid-bacau", "djc-bacau"]
    r = AvizRequest.objects.get(application=app, institution=cast["culture"])
    assert r.state == State.SENT and r.dossier_version == 1 and r.live
    assert r.reasons[0]["rule"] == "R2"
    assert r.documents == []
    # 2 March 2026 + 15 calendar days = Tuesday 17 March 2026 (a working day).
    assert r.due_date == date(2026, 3, 17) and r.due_rule == "15 days"
    assert list(r.events.values_list("action", "to_state")) == [("send", "sent")]


def test_sending_twice_does_not_ask_an_institution_twice(cast, ac_in_avize, t0):
    app = ac_in_avize(cast["culture"])
    services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    assert services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0) == []
    assert AvizRequest.objects.filter(application=app).count() == 1


def test_isu_counts_its_deadline_in_working_days(cast, ac_in_avize, isu, t0):
    app = ac_in_avize(isu)
    (r,) = services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    # 15 working days after Monday 2 March 2026 (no holidays in between) = Monday 23 March.
    assert r.due_date == date(2026, 3, 23) and r.due_rule == "15 working days"


def test_an_unknown_institution_in_the_analysis_is_refused_and_nothing_is_written(cast, ac_in_avize, t0):
    app = ac_in_avize(cast["culture"])
    app.analysis_result["required_avize"].append({"institution": {"id": 999999}, "reasons": []})
    app.save(update_fields=["analysis_result"])
    with pytest.raises(ValidationError):
        services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    assert not AvizRequest.objects.filter(application=app).exists()


@pytest.fixture
def sent(cast, ac_in_avize, t0):
    app = ac_in_avize(cast["culture"], cast["electricity"])
    services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    return {r.institution.code: r for r in app.aviz_requests.all()} | {"app": app}


def test_completion_may_be_requested_only_once(cast, sent, t0):
    r = sent["djc-bacau"]
    services.aviz_completion_request(request=r, by=cast["frank"], text="Lipsește studiul istoric.", now=t0 + days(2))
    r.refresh_from_db()
    assert r.state == State.COMPLETION_REQUESTED and r.completion_request_text == "Lipsește studiul istoric."
    services.aviz_completion_document_add(request=r, by=cast["alice"], doc_type="altele", upload=pdf_upload())
    services.aviz_resubmit(request=r, by=cast["alice"], note="Am adăugat studiul.", now=t0 + days(5))
    r.refresh_from_db()
    assert r.state == State.RESUBMITTED
    # The clock restarts in full from the resubmission: 7 March + 15 days = 22 March (Sunday) → 23 March.
    assert r.due_date == date(2026, 3, 23)
    with pytest.raises(StateConflict) as err:
        services.aviz_completion_request(request=r, by=cast["frank"], text="Încă ceva.", now=t0 + days(6))
    assert "o singură dată" in err.value.message and "request_completion" not in err.value.allowed


def test_a_reviewer_of_another_institution_cannot_answer(cast, sent, t0):
    with pytest.raises(PermissionDenied):
        services.aviz_answer(request=sent["djc-bacau"], by=cast["grace"], outcome=State.FAVOURABLE, now=t0)


@pytest.mark.parametrize("outcome, conditions, text, field", [
    (State.FAVOURABLE_WITH_CONDITIONS, [], "", "conditions"),
    (State.FAVOURABLE, ["a condition"], "", "conditions"),
    (State.UNFAVOURABLE, [], "  ", "text"),
    ("maybe", [], "", "outcome"),
])
def test_an_inconsistent_answer_is_refused_with_its_field(cast, sent, t0, outcome, conditions, text, field):
    r = sent["djc-bacau"]
    with pytest.raises(ValidationError) as err:
        services.aviz_answer(request=r, by=cast["frank"], outcome=outcome, conditions=conditions, text=text, now=t0)
    assert field in err.value.error_dict
    r.refresh_from_db()
    assert r.state == State.SENT and not r.pdf


def test_an_answer_records_conditions_the_judged_version_a_signed_pdf_and_tells_clerks_and_applicant(cast, sent, t0):
    r = sent["djc-bacau"]
    services.aviz_answer(request=r, by=cast["frank"], outcome=State.FAVOURABLE_WITH_CONDITIONS,
                         conditions=["Supraveghere arheologică", "  Supraveghere   arheologică "], number="123/2026",
                         now=t0 + days(3))
    r.refresh_from_db()
    assert r.state == State.FAVOURABLE_WITH_CONDITIONS and r.judged_dossier_version == 1
    assert r.conditions == ["Supraveghere arheologică", "Supraveghere arheologică"]
    assert r.pdf.read(5) == b"%PDF-" and len(r.pdf_sha256) == 64
    answered = Notification.objects.filter(event="aviz_answered", user=cast["carol"])
    assert answered.filter(channel="in_app").count() == 1
    assert Notification.objects.filter(event="application_status_changed", user=cast["alice"],
                                       context__aviz_request_id=r.pk, channel="in_app").count() == 2  # sent, answered
    with pytest.raises(StateConflict) as err:
        services.aviz_answer(request=r, by=cast["frank"], outcome=State.UNFAVOURABLE, text="Nu.", now=t0 + days(4))
    assert err.value.allowed == []


def test_institutions_are_told_of_new_requests_and_resubmissions(cast, sent, t0):
    r = sent["djc-bacau"]
    assert Notification.objects.filter(event="aviz_requested", user=cast["frank"], context__aviz_request_id=r.pk).exists()
    assert not Notification.objects.filter(event="aviz_requested", user=cast["frank"],
                                           context__aviz_request_id=sent["delgaz-grid-bacau"].pk).exists()
    services.aviz_completion_request(request=r, by=cast["frank"], text="Plan de situație lizibil.", now=t0)
    services.aviz_completion_document_add(request=r, by=cast["carol"], doc_type="altele", upload=pdf_upload())
    services.aviz_resubmit(request=r, by=cast["carol"], now=t0 + days(1))
    assert Notification.objects.filter(event="aviz_resubmitted", user=cast["frank"], channel="in_app").count() == 1


def test_every_state_change_writes_an_audit_event_that_cannot_be_changed(cast, sent, t0):
    r = sent["delgaz-grid-bacau"]
    services.aviz_view(request=r, by=cast["grace"], now=t0 + days(1))
    services.aviz_view(request=r, by=cast["grace"], now=t0 + days(2))  # a second look is not a change
    services.aviz_answer(request=r, by=cast["grace"], outcome=State.FAVOURABLE, now=t0 + days(2))
    events = list(r.events.values_list("action", "from_state", "to_state", "by__username"))
    assert events == [("send", "", "sent", "carol"), ("view", "sent", "viewed", "grace"),
                      ("answer_favourable", "viewed", "favourable", "grace")]
    with pytest.raises(TypeError):
        AvizEvent.objects.filter(request=r).update(reason="x")
    event = r.events.first()
    event.reason = "rewritten"
    with pytest.raises(TypeError):
        event.save()


def test_a_late_answer_to_a_tacit_institution_has_no_effect(cast, sent, t0):
    r = sent["djc-bacau"]
    with pytest.raises(ValidationError) as err:
        services.aviz_answer(request=r, by=cast["frank"], outcome=State.FAVOURABLE, now=t0 + days(16))
    assert "aprobat tacit" in str(err.value)


def test_a_withdrawn_request_cannot_be_answered(cast, sent, t0):
    r = sent["djc-bacau"]
    services.aviz_withdraw(request=r, by=cast["alice"], reason="Renunț la lucrare.", now=t0)
    with pytest.raises(StateConflict):
        services.aviz_answer(request=r, by=cast["frank"], outcome=State.FAVOURABLE, now=t0)
