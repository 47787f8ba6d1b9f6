"""notify(): what is recorded, for whom, over which channel, and what is deferred to the worker."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test.utils import override_settings
from procrastinate.contrib.django.models import ProcrastinateJob

from notifications.models import Notification
from notifications.services import notify, retry_delay, retry_window_seconds
from tests.notifications.conftest import wire_institution

CTX = {"application_number": "AC-2026-0042", "uat": "Bacău", "due_date": "2026-05-20", "reasons": ["R2: monument"]}


def jobs_for(notifications) -> list[list[int]]:
    """The notification ids of every delivery job that covers one of `notifications`."""
    ids = {n.pk for n in notifications}
    return [j.args["notification_ids"] for j in ProcrastinateJob.objects.filter(task_name="deliver_notifications")
            .order_by("id") if ids & set(j.args["notification_ids"])]


def test_an_institution_with_email_and_webhook_gets_one_notification_per_channel_and_one_job_for_both(cast):
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro", webhook_url="http://127.0.0.1:9/hook")
    sent = notify(event="aviz_requested", institution=culture, context=CTX, idempotency_key="aviz_requested:1")
    assert sorted((n.channel, n.address) for n in sent) == [("email", "avize@djc-bacau.ro"),
                                                            ("webhook", "http://127.0.0.1:9/hook")]
    assert all(n.status == "pending" and n.institution_id == culture.pk for n in sent)
    assert jobs_for(sent) == [sorted(n.pk for n in sent)]
    assert {j.queue_name for j in ProcrastinateJob.objects.all()} == {"notifications"}


def test_a_user_gets_an_in_app_message_in_their_language_and_an_email(cast):
    alice = cast["alice"]
    alice.preferred_language = "en"
    alice.save(update_fields=["preferred_language"])
    sent = notify(event="application_status_changed", users=[alice], idempotency_key="app:7:status:3",
                  context={"application_number": "CU-2026-0007", "new_status": "issued", "new_status_label": "Issued"})
    by_channel = {n.channel: n for n in sent}
    assert set(by_channel) == {"in_app", "email"}
    in_app = by_channel["in_app"]
    assert in_app.status == "delivered" and in_app.subject == "Application CU-2026-0007: Issued"
    assert "changed status" in in_app.body
    assert by_channel["email"].address == "alice@example.ro" and by_channel["email"].language == "en"
    assert jobs_for(sent) == [[by_channel["email"].pk]]  # in-app needs no worker


def test_romanian_is_the_default_language_of_messages(cast):
    sent = notify(event="aviz_answered", users=[cast["carol"]], idempotency_key="aviz:3:answered",
                  context={"application_number": "AC-1", "institution_name": "DJC Bacău", "outcome_label": "favorabil"})
    in_app = next(n for n in sent if n.channel == "in_app")
    assert in_app.subject == "Aviz primit: DJC Bacău — AC-1"
    assert "a răspuns la solicitarea de aviz" in in_app.body


def test_users_without_email_get_only_the_in_app_message_and_inactive_users_nothing(cast):
    bob, carol = cast["bob"], cast["carol"]
    bob.email = ""
    bob.save(update_fields=["email"])
    carol.is_active = False
    carol.save(update_fields=["is_active"])
    sent = notify(event="aviz_overdue", users=[bob, carol, bob], context={}, idempotency_key="k1")
    assert [(n.user_id, n.channel) for n in sent] == [(bob.pk, "in_app")]


def test_calling_notify_twice_with_the_same_key_records_and_defers_nothing_new(cast):
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro")
    jobs_before = ProcrastinateJob.objects.filter(task_name="deliver_notifications").count()
    first = notify(event="aviz_requested", institution=culture, users=[cast["frank"]], context=CTX, idempotency_key="a:1")
    again = notify(event="aviz_requested", institution=culture, users=[cast["frank"]], context=CTX, idempotency_key="a:1")
    assert [n.pk for n in again] == [n.pk for n in first]
    assert Notification.objects.count() == 3
    assert ProcrastinateJob.objects.filter(task_name="deliver_notifications").count() == jobs_before + 1


def test_a_rolled_back_transaction_leaves_no_notification_and_no_job(cast):
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro", webhook_url="http://127.0.0.1:9/hook")
    jobs_before = ProcrastinateJob.objects.count()  # other suites' committed jobs may linger
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(event="aviz_requested", institution=culture, users=[cast["alice"]], context=CTX, idempotency_key="r:1")
        assert Notification.objects.count() == 4 and ProcrastinateJob.objects.count() == jobs_before + 1
        raise RuntimeError("the transition failed after notify()")
    assert Notification.objects.count() == 0
    assert ProcrastinateJob.objects.count() == jobs_before


@pytest.mark.parametrize("kwargs, field", [
    ({"event": "application_exploded"}, "event"),
    ({"idempotency_key": ""}, "idempotency_key"),
    ({"context": {"when": object()}}, "context"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_is_recorded(cast, kwargs, field):
    call = {"event": "aviz_reminder", "users": [cast["alice"]], "context": {}, "idempotency_key": "x", **kwargs}
    with pytest.raises(ValidationError) as err:
        notify(**call)
    assert field in err.value.message_dict
    assert Notification.objects.count() == 0


def test_dates_in_the_context_are_stored_as_iso_strings(cast):
    import datetime
    sent = notify(event="expiry_reminder", users=[cast["alice"]], idempotency_key="exp:1",
                  context={"document_number": "CU 12/2026", "expires_on": datetime.date(2026, 6, 1)})
    assert Notification.objects.get(pk=sent[0].pk).context["expires_on"] == "2026-06-01"
    assert "2026-06-01" in sent[0].subject


def test_default_backoff_keeps_retrying_for_more_than_24_hours():
    assert retry_delay(1) == 30 and retry_delay(2) == 60 and retry_delay(3) == 120
    assert retry_delay(14) == 6 * 3600  # capped
    assert 24 * 3600 < retry_window_seconds() < 48 * 3600


@override_settings(NOTIFICATIONS_RETRY_BASE_SECONDS=0.2, NOTIFICATIONS_RETRY_MAX_DELAY_SECONDS=0.5)
def test_backoff_is_configurable_for_fast_tests():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [0.2, 0.4, 0.5, 0.5]


def test_returned_notifications_are_saved_rows_that_can_be_updated(cast):
    [in_app, email] = notify(event="aviz_reminder", users=[cast["alice"]], context={}, idempotency_key="rem:1")
    email.last_error = "edited"
    email.save(update_fields=["last_error"])
    assert Notification.objects.count() == 2
    assert Notification.objects.get(pk=email.pk).last_error == "edited"
    assert in_app.created_at == Notification.objects.get(pk=in_app.pk).created_at


def test_jobs_deferred_by_notify_are_the_jobs_procrastinate_itself_would_defer(cast):
    from notifications.tasks import deliver_notifications

    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro")
    [email] = notify(event="aviz_requested", institution=culture, context={}, idempotency_key="same-job")
    ours = ProcrastinateJob.objects.get(args={"notification_ids": [email.pk]})
    theirs = ProcrastinateJob.objects.get(id=deliver_notifications.defer(notification_ids=[-1]))
    fields = ("queue_name", "task_name", "priority", "lock", "queueing_lock", "status", "scheduled_at", "attempts")
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]


def test_notify_many_records_every_event_and_defers_one_job_for_them_in_one_statement(cast, django_assert_num_queries):
    from notifications.services import notify_many

    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro", webhook_url="http://127.0.0.1:9/hook")
    power = wire_institution(cast["electricity"], email="avize@delgaz.ro")
    items = [{"event": "aviz_requested", "institution": inst, "users": [cast["frank"]] if inst == culture else [],
              "context": {**CTX, "institution_code": inst.code}, "idempotency_key": f"many:{inst.code}"}
             for inst in (culture, power)]
    with django_assert_num_queries(1):
        assert notify_many(items=items) == 5  # culture: e-mail, webhook, frank in-app + e-mail; power: e-mail
    rows = Notification.objects.order_by("pk")
    assert sorted((n.institution_id or n.user_id, n.idempotency_key, n.channel, n.status) for n in rows) == sorted([
        (culture.pk, f"many:{culture.code}", "email", "pending"), (culture.pk, f"many:{culture.code}", "webhook", "pending"),
        (cast["frank"].pk, f"many:{culture.code}", "email", "pending"),
        (cast["frank"].pk, f"many:{culture.code}", "in_app", "delivered"),
        (power.pk, f"many:{power.code}", "email", "pending")])
    assert rows.get(channel="in_app").subject == "Solicitare de aviz: AC-2026-0042 (Bacău)"
    assert jobs_for(rows) == [sorted(n.pk for n in rows if n.channel != "in_app")]
    jobs = ProcrastinateJob.objects.count()
    assert notify_many(items=items) == 0  # repeated: nothing new, no new job
    assert ProcrastinateJob.objects.count() == jobs


def test_notify_many_refuses_a_bad_item_and_records_nothing_of_the_others(cast):
    from notifications.services import notify_many

    good = {"event": "aviz_reminder", "users": [cast["alice"]], "context": {}, "idempotency_key": "ok"}
    with pytest.raises(ValidationError) as err:
        notify_many(items=[good, {**good, "event": "nope"}])
    assert "event" in err.value.message_dict
    assert Notification.objects.count() == 0
