"""One delivery attempt at a time, against real loopback SMTP and HTTP receivers (no worker)."""
from __future__ import annotations

import pytest
from django.test.utils import override_settings

from notifications.channels import sign, verify
from notifications.models import DeliveryAttempt, Notification
from notifications.services import RetryLater, notification_deliver, notify
from tests.notifications.conftest import SECRET, wire_institution
from tests.notifications.receivers import free_port

CTX = {"application_number": "AC-2026-0042", "uat": "Bacău", "due_date": "2026-05-20"}


def test_an_email_goes_out_over_smtp_with_a_message_id_derived_from_the_notification(cast, smtp):
    alice = cast["alice"]
    email = next(n for n in notify(event="application_status_changed", users=[alice], idempotency_key="s:1",
                                   context={"application_number": "CU-7", "new_status": "issued"})
                 if n.channel == "email")
    assert notification_deliver(notification_id=email.pk) == "delivered"
    [message] = smtp.messages
    assert message["Message-ID"] == f"<notification-{email.uuid}@gis-portal>"
    assert message["To"] == "alice@example.ro"
    assert message["Subject"].startswith("Cererea CU-7")
    email.refresh_from_db()
    assert email.status == "delivered" and email.delivered_at is not None and email.attempts == 1
    assert list(email.delivery_attempts.values_list("outcome", flat=True)) == ["delivered"]


def test_a_job_run_twice_sends_once(cast, smtp):
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro")
    [email] = notify(event="aviz_requested", institution=culture, context=CTX, idempotency_key="twice")
    assert notification_deliver(notification_id=email.pk) == "delivered"
    assert notification_deliver(notification_id=email.pk) == "skipped"
    assert len(smtp.messages) == 1
    assert DeliveryAttempt.objects.filter(notification=email).count() == 1


def test_a_webhook_is_signed_and_carries_the_idempotency_key_and_the_event(cast, webhook_factory):
    receiver = webhook_factory()
    culture = wire_institution(cast["culture"], webhook_url=receiver.url)
    [hook] = notify(event="aviz_requested", institution=culture, context=CTX, idempotency_key="h:1")
    assert notification_deliver(notification_id=hook.pk) == "delivered"
    [request] = receiver.requests
    assert request["signature_ok"] is True and receiver.bad_signatures == 0
    assert request["key"] == str(hook.uuid)
    assert request["body"]["event"] == "aviz_requested"
    assert request["body"]["institution"] == "djc-bacau"
    assert request["body"]["data"] == CTX


def test_a_receiver_with_the_wrong_secret_rejects_the_signature():
    body = b'{"a": 1}'
    header = sign(secret=SECRET, timestamp=1_700_000_000, body=body)
    assert verify(secret=SECRET, header=header, body=body, now=1_700_000_010)
    assert not verify(secret="another-secret", header=header, body=body, now=1_700_000_010)
    assert not verify(secret=SECRET, header=header, body=b'{"a": 2}', now=1_700_000_010)
    assert not verify(secret=SECRET, header=header, body=body, now=1_700_000_000 + 3600)  # replayed later
    assert not verify(secret=SECRET, header="garbage", body=body)


def test_a_webhook_answering_500_is_retried_later_with_the_error_in_the_log(cast, webhook_factory):
    receiver = webhook_factory(statuses=[500])
    culture = wire_institution(cast["culture"], webhook_url=receiver.url)
    [hook] = notify(event="aviz_requested", institution=culture, context=CTX, idempotency_key="h:500")
    with pytest.raises(RetryLater) as retry:
        notification_deliver(notification_id=hook.pk)
    hook.refresh_from_db()
    assert hook.status == "retrying" and hook.attempts == 1 and "HTTP 500" in hook.last_error
    assert hook.next_attempt_at == retry.value.retry_at
    assert notification_deliver(notification_id=hook.pk) == "delivered"
    assert list(hook.delivery_attempts.values_list("number", "outcome")) == [(1, "error"), (2, "delivered")]
    assert receiver.processed == {str(hook.uuid): 1}


@override_settings(NOTIFICATIONS_MAX_ATTEMPTS=3, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                   EMAIL_HOST="127.0.0.1", EMAIL_PORT=free_port(), EMAIL_TIMEOUT=2)
def test_smtp_unreachable_until_the_attempts_run_out_marks_the_notification_failed(cast):
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro")
    [email] = notify(event="aviz_requested", institution=culture, context=CTX, idempotency_key="down")
    for _ in range(2):
        with pytest.raises(RetryLater):
            notification_deliver(notification_id=email.pk)
    assert notification_deliver(notification_id=email.pk) == "failed"
    email.refresh_from_db()
    assert email.status == "failed" and email.attempts == 3 and "SMTP" in email.last_error
    assert notification_deliver(notification_id=email.pk) == "skipped"  # failed is final until an admin retries
    assert email.delivery_attempts.filter(outcome="error").count() == 3


def test_an_unreachable_webhook_is_an_error_not_a_crash(cast):
    culture = wire_institution(cast["culture"], webhook_url=f"http://127.0.0.1:{free_port()}/nobody")
    [hook] = notify(event="aviz_resubmitted", institution=culture, context=CTX, idempotency_key="h:none")
    with pytest.raises(RetryLater):
        notification_deliver(notification_id=hook.pk)
    assert "unreachable" in Notification.objects.get(pk=hook.pk).last_error


def test_a_kept_open_smtp_connection_the_server_dropped_is_reopened_and_the_message_delivered(cast, settings):
    from tests.notifications.receivers import SmtpReceiver

    first = SmtpReceiver().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", first.port, 5
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro")
    [a] = notify(event="aviz_requested", institution=culture, context=CTX, idempotency_key="keep:1")
    [b] = notify(event="aviz_requested", institution=culture, context=CTX, idempotency_key="keep:2")
    assert notification_deliver(notification_id=a.pk) == "delivered"
    first.stop()  # the connection this thread keeps open is now dead
    second = SmtpReceiver(port=first.port).start()
    try:
        assert notification_deliver(notification_id=b.pk) == "delivered"
    finally:
        second.stop()
    assert (list(first.by_message_id), list(second.by_message_id)) == ([f"<notification-{a.uuid}@gis-portal>"], [f"<notification-{b.uuid}@gis-portal>"])
    assert DeliveryAttempt.objects.get(notification=b).outcome == "delivered"


def test_a_first_attempt_that_fails_defers_the_rows_own_retry_job_and_leaves_the_retry_to_it(cast, webhook_factory):
    from procrastinate.contrib.django.models import ProcrastinateJob

    receiver = webhook_factory(statuses=[500])
    culture = wire_institution(cast["culture"], webhook_url=receiver.url)
    [hook] = notify(event="aviz_requested", institution=culture, context=CTX, idempotency_key="first:500")
    scheduled = []
    assert notification_deliver(notification_id=hook.pk, defer_retry=scheduled.append) == "retrying"
    hook.refresh_from_db()
    assert hook.status == "retrying" and scheduled == [hook.next_attempt_at]
    # A transition's job run again (e.g. after its worker was killed) does not attempt it a second time.
    assert notification_deliver(notification_id=hook.pk, defer_retry=scheduled.append) == "skipped"
    assert hook.delivery_attempts.count() == 1 and len(scheduled) == 1
    # The retry itself is the row's own job: through procrastinate, scheduled at the backoff time.
    from notifications.tasks import _defer_retry

    _defer_retry(hook.pk, hook.next_attempt_at)
    retry = ProcrastinateJob.objects.get(task_name="deliver_notification", args={"notification_id": hook.pk})
    assert retry.scheduled_at == hook.next_attempt_at and retry.status == "todo"
    assert notification_deliver(notification_id=hook.pk) == "delivered"
    assert receiver.processed == {str(hook.uuid): 1}


def test_a_retry_job_deferred_by_a_failed_attempt_is_rolled_back_with_it(cast, webhook_factory):
    from procrastinate.contrib.django.models import ProcrastinateJob

    receiver = webhook_factory(statuses=[500])
    culture = wire_institution(cast["culture"], webhook_url=receiver.url)
    [hook] = notify(event="aviz_requested", institution=culture, context=CTX, idempotency_key="first:crash")

    def defer_then_crash(retry_at):
        from notifications.tasks import _defer_retry

        _defer_retry(hook.pk, retry_at)
        raise RuntimeError("worker lost its database connection")

    with pytest.raises(RuntimeError):
        notification_deliver(notification_id=hook.pk, defer_retry=defer_then_crash)
    hook.refresh_from_db()
    assert hook.status == "pending"  # the failure was not recorded: the transition's job will try again
    assert not ProcrastinateJob.objects.filter(task_name="deliver_notification").exists()
