"""Expiry, driven with an explicit `now`: issued acts past validity, returned applications past the term."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from permits.choices import ApplicantType, Kind, Status
from permits.expiry import applications_expire, completion_due
from permits.models import Application
from tests.permits.conftest import VALID_CNP
from workdays.models import DeadlinePolicy

pytestmark = pytest.mark.django_db
BUCHAREST = ZoneInfo("Europe/Bucharest")


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BUCHAREST)


@pytest.fixture
def make_app(cast, parcel_factory):
    def make(**kw) -> Application:
        app = Application.objects.create(owner=cast["alice"], uat=cast["uat_a"], issuer=cast["issuer_a"],
                                         applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu",
                                         applicant_id_code=VALID_CNP, kind=kw.pop("kind", Kind.CU), **kw)
        app.parcels.add(parcel_factory())
        return app

    return make


def test_an_issued_act_expires_the_day_after_its_last_valid_day_once(make_app):
    cu = make_app(status=Status.ISSUED, valid_until=date(2026, 3, 31))
    ac = make_app(kind=Kind.AC, status=Status.ISSUED, valid_until=date(2026, 6, 30))
    assert applications_expire(now=at(date(2026, 3, 31), 23)) == {"acts": 0, "returned": 0}
    assert applications_expire(now=at(date(2026, 4, 1), 0)) == {"acts": 1, "returned": 0}
    cu.refresh_from_db()
    ac.refresh_from_db()
    assert cu.status == Status.EXPIRED and ac.status == Status.ISSUED
    event = cu.events.get()
    assert (event.action, event.from_status, event.to_status, event.by) == ("expire", "issued", "expired", None)
    assert "31.03.2026" in event.reason
    assert applications_expire(now=at(date(2026, 4, 2))) == {"acts": 0, "returned": 0}  # a second run: nothing


def test_the_completion_term_ending_on_good_friday_moves_past_orthodox_easter_monday():
    # Returned on 11 March 2026: 30 days end on Friday 10 April (Vinerea Mare); 11–12 are the weekend
    # and Easter Sunday, 13 April is Easter Monday, so the last day to complete is Tuesday 14 April.
    assert completion_due(date(2026, 3, 11)) == date(2026, 4, 14)


def test_an_application_returned_for_completion_lapses_after_the_term_and_a_completed_one_does_not(make_app):
    lapsing = make_app(status=Status.RETURNED, returned_count=1, clock_paused_on=date(2026, 3, 11))
    completed = make_app(status=Status.RESUBMITTED, returned_count=1, clock_paused_on=None)
    later = make_app(status=Status.RETURNED, returned_count=1, clock_paused_on=date(2026, 4, 1))
    assert applications_expire(now=at(date(2026, 4, 14), 20))["returned"] == 0
    assert applications_expire(now=at(date(2026, 4, 15), 1)) == {"acts": 0, "returned": 1}
    statuses = dict(Application.objects.filter(pk__in=[lapsing.pk, completed.pk, later.pk])
                    .values_list("pk", "status"))
    assert statuses == {lapsing.pk: "expired", completed.pk: "resubmitted", later.pk: "returned_for_completion"}
    event = lapsing.events.get()
    assert event.from_status == "returned_for_completion" and "14.04.2026" in event.reason


def test_the_completion_term_is_configurable_policy(make_app):
    app = make_app(status=Status.RETURNED, returned_count=1, clock_paused_on=date(2026, 3, 2))  # a Monday
    assert applications_expire(now=at(date(2026, 3, 13)))["returned"] == 0
    DeadlinePolicy.objects.create(rule="returned_completion_max", amount=5, unit="working_days",
                                  legal_basis="HCL 12/2026")
    assert completion_due(date(2026, 3, 2)) == date(2026, 3, 9)
    assert applications_expire(now=at(date(2026, 3, 13)))["returned"] == 1
    assert Application.objects.get(pk=app.pk).status == Status.EXPIRED


def test_an_applicant_cannot_expire_but_an_admin_sees_expire_for_a_lapsed_return(api, cast, make_app):
    app = make_app(status=Status.RETURNED, returned_count=1, clock_paused_on=date(2026, 3, 2))
    url = f"/api/v1/applications/{app.pk}/transitions/"
    assert api(cast["alice"]).post(url, {"action": "expire"}, format="json").status_code == 403
    assert "expire" in api(cast["root"]).get(f"/api/v1/applications/{app.pk}/").json()["allowed_actions"]


def test_expiry_is_registered_as_a_daily_periodic_task_for_the_worker():
    from procrastinate.contrib.django import app

    import permits.tasks  # noqa: F401

    periodic = app.periodic_registry.periodic_tasks[("permits_expire", "permits_expire")]
    assert periodic.cron == "5 0 * * *"
    assert periodic.task.queue == "scheduled"


def test_the_management_command_expires_through_the_same_service(make_app, capsys):
    from django.core.management import call_command

    app = make_app(status=Status.ISSUED, valid_until=date(2020, 1, 31))
    call_command("permits_expire")
    assert Application.objects.get(pk=app.pk).status == Status.EXPIRED
    assert "1 act(s) expired, 0 returned application(s) lapsed" in capsys.readouterr().out
