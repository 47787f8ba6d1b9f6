"""Delivering one notification, once: the worker side of notifications.services.

Idempotent by construction (see the trade-off in notifications.services): a job takes the row with
SELECT … FOR UPDATE SKIP LOCKED and sends only while it is pending or retrying (pending only, for
the first attempt made by the job of a transition). The hot path is a
handful of plain SQL statements because 5,000 deliveries a minute must fit on two cores.
"""
from __future__ import annotations

import datetime
import json
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from institutions.models import Institution
from notifications.channels import SENDERS, DeliveryError
from notifications.models import DeliveryAttempt, Notification

ACTIVE = (Notification.Status.PENDING, Notification.Status.RETRYING)
FIRST_ATTEMPT = (Notification.Status.PENDING,) * 2  # the statements take two statuses: pending only
_N, _A = Notification._meta.db_table, DeliveryAttempt._meta.db_table

# Count the attempt and log it as "started", in one autocommitted statement, before anything leaves
# the portal: an attempt cut short by a killed worker stays visible and counts towards the limit.
_CLAIM = f"""
    WITH claimed AS (
        UPDATE {_N} SET attempts = attempts + 1
        WHERE id = (SELECT id FROM {_N} WHERE id = %s AND status IN (%s, %s) FOR UPDATE SKIP LOCKED)
        RETURNING id, attempts)
    INSERT INTO {_A} (notification_id, number, job_id, started_at, outcome, error)
    SELECT id, attempts, %s, %s, 'started', '' FROM claimed RETURNING id"""

# Take the row lock for the send, and read what the senders need, in one statement. Plain SQL, not
# the ORM: compiling `select_for_update().select_related().first()` was a fifth of the worker's CPU.
_FIELDS = ("id", "uuid", "event", "channel", "address", "language", "context", "created_at", "attempts",
           "institution_id")
_LOCK = f"""
    SELECT {", ".join(f"n.{f}" for f in _FIELDS)}, i.code, i.webhook_secret
    FROM {_N} n LEFT JOIN {Institution._meta.db_table} i ON i.id = n.institution_id
    WHERE n.id = %s AND n.status IN (%s, %s) FOR UPDATE OF n SKIP LOCKED"""

# Record the outcome on the notification and its attempt in one statement.
_FINISH = f"""
    WITH n AS (
        UPDATE {_N} SET status = %(status)s, delivered_at = %(delivered_at)s,
               next_attempt_at = %(next_attempt_at)s, last_error = %(last_error)s
        WHERE id = %(notification)s AND %(status)s IS NOT NULL)
    UPDATE {_A} SET outcome = %(outcome)s, error = %(error)s, finished_at = %(now)s WHERE id = %(attempt)s"""


class RetryLater(Exception):
    """Raised out of the delivery job so procrastinate runs it again at `retry_at`."""

    def __init__(self, message: str, *, retry_at: datetime.datetime):
        super().__init__(message)
        self.retry_at = retry_at


def retry_delay(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): base · 2^(n-1), capped."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return min(base * 2 ** (attempt - 1), settings.NOTIFICATIONS_RETRY_MAX_DELAY_SECONDS)


def retry_window_seconds() -> float:
    """How long a notification keeps being retried before it is marked failed."""
    return sum(retry_delay(n) for n in range(1, settings.NOTIFICATIONS_MAX_ATTEMPTS))


def _finish(cursor, *, notification_id: int, attempt_id: int, outcome: str, error: str = "",
            status: str | None = None, delivered_at=None, next_attempt_at=None) -> None:
    cursor.execute(_FINISH, {"status": status, "delivered_at": delivered_at, "next_attempt_at": next_attempt_at,
                             "last_error": error, "notification": notification_id, "outcome": outcome,
                             "error": error, "now": timezone.now(), "attempt": attempt_id})


def _locked_notification(cursor, notification_id: int, statuses) -> Notification | None:
    cursor.execute(_LOCK, [notification_id, *statuses])
    row = cursor.fetchone()
    if row is None:
        return None
    notification = Notification(**dict(zip(_FIELDS, row[:-2], strict=True)))
    if isinstance(notification.context, str):  # Django's psycopg setup loads jsonb as text (JSONField parses it)
        notification.context = json.loads(notification.context)
    if notification.institution_id is not None:
        notification.institution = Institution(pk=notification.institution_id, code=row[-2], webhook_secret=row[-1])
    return notification


def notification_deliver(*, notification_id: int, job_id: int | None = None,
                         defer_retry: Callable[[datetime.datetime], object] | None = None) -> str:
    """Try once to deliver; return "delivered", "failed", "retrying" or "skipped", or raise RetryLater.

    Two kinds of job call it:
    - the job of one notification (retries, an admin's retry; `defer_retry` None) takes the row
      while pending or retrying; a failure raises RetryLater, and procrastinate runs the same job
      again at that time;
    - the job of a transition (one for all the rows `notify` recorded) passes `defer_retry`: it
      makes the first attempt only, so it takes the row only while pending (a retrying row belongs
      to its own job), and a failure calls `defer_retry(retry_at)` in the transaction that records
      it, so the row's own retry job exists if and only if the failure is committed ("retrying").
    "skipped" means nothing to do: already delivered or failed, or another worker holds the row
    (it will finish, or its own job will be retried).
    """
    statuses = ACTIVE if defer_retry is None else FIRST_ATTEMPT
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, [notification_id, *statuses, job_id, timezone.now()])
        row = cursor.fetchone()
    if row is None:
        return "skipped"
    attempt_id = row[0]
    # Hold the row lock while sending and record the outcome in the same transaction, so a second
    # job for the same notification waits or skips, and "sent" and "marked delivered" are one step.
    retry_at = None
    with transaction.atomic(), connection.cursor() as cursor:
        notification = _locked_notification(cursor, notification_id, statuses)
        if notification is None:
            _finish(cursor, notification_id=notification_id, attempt_id=attempt_id,
                    outcome=DeliveryAttempt.Outcome.ERROR, error="superseded by a concurrent attempt")
            return "skipped"
        try:
            SENDERS[notification.channel](notification)
        except DeliveryError as exc:
            error = str(exc)[:2000]
        else:
            _finish(cursor, notification_id=notification_id, attempt_id=attempt_id,
                    outcome=DeliveryAttempt.Outcome.DELIVERED, status=Notification.Status.DELIVERED,
                    delivered_at=timezone.now())
            return "delivered"
        if notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            status = Notification.Status.FAILED
        else:
            status = Notification.Status.RETRYING
            retry_at = timezone.now() + datetime.timedelta(seconds=retry_delay(notification.attempts))
        _finish(cursor, notification_id=notification_id, attempt_id=attempt_id, outcome=DeliveryAttempt.Outcome.ERROR,
                error=error, status=status, next_attempt_at=retry_at)
        if retry_at is not None and defer_retry is not None:
            defer_retry(retry_at)
            return "retrying"
    if retry_at is None:
        return "failed"
    raise RetryLater(error, retry_at=retry_at)
