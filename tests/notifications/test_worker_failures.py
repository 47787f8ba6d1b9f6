"""Failure behaviour with a real worker process (`manage.py procrastinate worker`) and real receivers.

These tests commit (transaction=True) so the worker, a separate process, sees the rows. Backoff,
polling and heartbeats are sub-second (see conftest.Worker), so each scenario takes seconds.
"""
from __future__ import annotations

import pytest
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from notifications.models import Notification
from notifications.services import notify
from tests.notifications.conftest import wait_for, wire_institution
from tests.notifications.receivers import SmtpReceiver

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def statuses(ids) -> list[str]:
    return list(Notification.objects.filter(pk__in=ids).order_by("pk").values_list("status", flat=True))


def test_smtp_down_then_up_delivers_every_message_exactly_once(cast, worker_factory):
    smtp = SmtpReceiver()  # nothing listens on its port yet: connection refused
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro")
    ids = [n.pk for k in range(3) for n in notify(event="aviz_requested", institution=culture,
                                                  context={"application_number": f"AC-{k}"},
                                                  idempotency_key=f"aviz:{k}")]
    worker = worker_factory(smtp_port=smtp.port, extra_env={"NOTIFICATIONS_MAX_ATTEMPTS": "100"}).start()
    try:
        assert wait_for(lambda: all(n.attempts >= 2 and n.status == "retrying"
                                    for n in Notification.objects.filter(pk__in=ids)))
        smtp.start()
        assert wait_for(lambda: statuses(ids) == ["delivered"] * 3)
    finally:
        worker.stop()
        smtp.stop()
    expected = {f"<notification-{n.uuid}@gis-portal>" for n in Notification.objects.filter(pk__in=ids)}
    assert dict(smtp.by_message_id) == {message_id: 1 for message_id in expected}
    for n in Notification.objects.filter(pk__in=ids):
        outcomes = list(n.delivery_attempts.values_list("outcome", flat=True))
        assert outcomes[-1] == "delivered" and set(outcomes[:-1]) == {"error"} and len(outcomes) >= 3
        assert "SMTP" in n.delivery_attempts.first().error


def test_a_webhook_answering_500_is_retried_then_delivered_and_acted_on_once(cast, worker_factory, smtp,
                                                                             webhook_factory):
    receiver = webhook_factory(statuses=[500, 500, 503])
    hooks = [wire_institution(cast[code], webhook_url=receiver.url) for code in ("culture", "electricity")]
    ids = [n.pk for inst in hooks for n in notify(event="aviz_requested", institution=inst, context={},
                                                  idempotency_key="aviz_requested:app-9")]
    worker = worker_factory(smtp_port=smtp.port).start()
    assert wait_for(lambda: statuses(ids) == ["delivered"] * 2)
    worker.stop()
    keys = {str(n.uuid) for n in Notification.objects.filter(pk__in=ids)}
    assert dict(receiver.processed) == {key: 1 for key in keys}
    assert sum(receiver.keys_seen().values()) == 5  # 3 refusals + 2 acceptances on the wire
    assert receiver.bad_signatures == 0 and all(r["signature_ok"] for r in receiver.requests)
    assert Notification.objects.filter(pk__in=ids, attempts__gt=1).exists()


def test_one_job_per_transition_retries_the_failing_notification_on_its_own(cast, worker_factory, smtp,
                                                                            webhook_factory):
    from notifications.services import notify_many

    receiver = webhook_factory(statuses=[500, 503])
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro")
    power = wire_institution(cast["electricity"], webhook_url=receiver.url)
    with transaction.atomic():
        assert notify_many(items=[{"event": "aviz_requested", "institution": inst, "context": {},
                                   "idempotency_key": f"stage:{inst.code}"} for inst in (culture, power)]) == 2
    [email] = Notification.objects.filter(institution=culture)
    [hook] = Notification.objects.filter(institution=power)
    assert ProcrastinateJob.objects.get().args == {"notification_ids": sorted([email.pk, hook.pk])}
    worker = worker_factory(smtp_port=smtp.port).start()
    assert wait_for(lambda: statuses([email.pk, hook.pk]) == ["delivered"] * 2)
    worker.stop()
    assert dict(smtp.by_message_id) == {email.message_id: 1}  # not sent again while the webhook was retried
    assert list(email.delivery_attempts.values_list("number", "outcome")) == [(1, "delivered")]
    assert list(hook.delivery_attempts.values_list("number", "outcome")) == [(1, "error"), (2, "error"),
                                                                             (3, "delivered")]
    assert receiver.processed == {str(hook.uuid): 1}
    jobs = ProcrastinateJob.objects.filter(queue_name="notifications").order_by("id")
    assert [(j.task_name, j.status) for j in jobs] == [("deliver_notifications", "succeeded"),
                                                       ("deliver_notification", "succeeded")]


def test_a_worker_killed_mid_delivery_delivers_after_restart_without_a_duplicate(cast, worker_factory, smtp,
                                                                                 webhook_factory):
    receiver = webhook_factory(hold_first=True)  # holds the first request open: the worker is "mid-delivery"
    culture = wire_institution(cast["culture"], webhook_url=receiver.url)
    [hook] = notify(event="aviz_requested", institution=culture, context={}, idempotency_key="kill:1")
    first = worker_factory(smtp_port=smtp.port).start()
    assert receiver.first_arrived.wait(60)
    first.kill()
    receiver.release.set()
    hook.refresh_from_db()
    assert hook.status == "pending" and hook.attempts == 1  # the kill rolled back the lock-holding transaction
    assert ProcrastinateJob.objects.get(args__notification_ids=[hook.pk]).status == "doing"  # orphaned job

    worker_factory(smtp_port=smtp.port).start()
    assert wait_for(lambda: statuses([hook.pk]) == ["delivered"])
    assert receiver.processed == {str(hook.uuid): 1}  # acted upon once, although it arrived twice
    assert list(hook.delivery_attempts.values_list("number", "outcome")) == [(1, "started"), (2, "delivered")]
    assert wait_for(lambda: ProcrastinateJob.objects.get(args__notification_ids=[hook.pk]).status == "succeeded")


def test_a_worker_killed_midway_through_a_transitions_job_sends_neither_of_its_notifications_twice(
        cast, worker_factory, smtp, webhook_factory):
    receiver = webhook_factory(hold_first=True)
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro", webhook_url=receiver.url)
    email, hook = sorted(notify(event="aviz_requested", institution=culture, context={}, idempotency_key="kill:2"),
                         key=lambda n: n.channel)
    first = worker_factory(smtp_port=smtp.port).start()
    assert receiver.first_arrived.wait(60)
    assert wait_for(lambda: statuses([email.pk]) == ["delivered"])  # the e-mail went out, the webhook hangs
    first.kill()
    receiver.release.set()
    job = ProcrastinateJob.objects.get(args__notification_ids=[email.pk, hook.pk])
    assert job.status == "doing" and statuses([email.pk, hook.pk]) == ["delivered", "pending"]

    worker_factory(smtp_port=smtp.port).start()
    assert wait_for(lambda: statuses([hook.pk]) == ["delivered"])
    assert dict(smtp.by_message_id) == {email.message_id: 1}
    assert receiver.processed == {str(hook.uuid): 1}
    assert list(email.delivery_attempts.values_list("outcome", flat=True)) == ["delivered"]
    assert list(hook.delivery_attempts.values_list("number", "outcome")) == [(1, "started"), (2, "delivered")]
    assert wait_for(lambda: ProcrastinateJob.objects.get(pk=job.pk).status == "succeeded")


def test_a_rolled_back_transaction_sends_nothing_while_a_committed_one_is_delivered(cast, worker_factory, smtp,
                                                                                    webhook_factory):
    receiver = webhook_factory()
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro", webhook_url=receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(event="aviz_requested", institution=culture, users=[cast["alice"]], context={},
               idempotency_key="rolled-back")
        raise RuntimeError("the state change failed")
    committed = notify(event="aviz_resubmitted", institution=culture, context={}, idempotency_key="committed")
    worker = worker_factory(smtp_port=smtp.port).start("--one-shot")  # process what is queued, then exit
    worker.proc.wait(60)
    assert statuses([n.pk for n in committed]) == ["delivered", "delivered"]
    assert Notification.objects.filter(idempotency_key="rolled-back").count() == 0
    assert [r["body"]["event"] for r in receiver.requests] == ["aviz_resubmitted"]
    assert [m["X-Notification-Event"] for m in smtp.messages] == ["aviz_resubmitted"]
