"""Writes of the notifications app: record, deliver, retry, mark read.

Delivery semantics (the trade-off, stated once):
- notify() writes the rows and defers the jobs in the caller's transaction: a rolled-back change
  sends nothing, a committed change is never forgotten (the job sits in Postgres).
- A job may run more than once (retries, a stalled job re-run after a worker was killed), so
  delivery is idempotent on our side: the job takes the notification row with
  SELECT … FOR UPDATE SKIP LOCKED, sends only if it is still pending/retrying, and marks it
  delivered in the same transaction, right after the receiver accepted it.
- The one window left is "receiver accepted, our commit did not happen" (worker killed between the
  two). Then the message is sent again with the same Message-ID / Idempotency-Key: delivery is
  at-least-once on the wire and exactly-once for a receiver that dedupes on that key.
"""
from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from gis_portal.api.exceptions import StateConflict
from institutions.models import Institution
from notifications.channels import SENDERS, DeliveryError
from notifications.models import DeliveryAttempt, Event, Notification
from notifications.rendering import render_message

ACTIVE = (Notification.Status.PENDING, Notification.Status.RETRYING)


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


def _recipients(*, users: Iterable[User], institution: Institution | None, event: str,
                context: dict[str, Any], idempotency_key: str) -> list[Notification]:
    now = timezone.now()
    common = {"event": event, "context": context, "idempotency_key": idempotency_key}
    rows: list[Notification] = []
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        language = user.preferred_language or "ro"
        # In-app messages are delivered by being committed; render them now, in the user's language.
        subject, body = render_message(event=event, language=language, context=context)
        rows.append(Notification(user=user, channel=Notification.Channel.IN_APP, language=language,
                                 subject=subject, body=body, status=Notification.Status.DELIVERED,
                                 delivered_at=now, **common))
        if user.email:
            rows.append(Notification(user=user, channel=Notification.Channel.EMAIL, address=user.email,
                                     language=language, **common))
    if institution is not None and institution.active:
        if institution.email:
            rows.append(Notification(institution=institution, channel=Notification.Channel.EMAIL,
                                     address=institution.email, language="ro", **common))
        if institution.webhook_url:
            rows.append(Notification(institution=institution, channel=Notification.Channel.WEBHOOK,
                                     address=institution.webhook_url, language="ro", **common))
    return rows


def notify(*, event: str, users: Iterable[User] = (), institution: Institution | None = None,
           context: dict[str, Any], idempotency_key: str) -> list[Notification]:
    """Record one notification per recipient and channel and defer their delivery.

    Call it inside the transaction of the change that causes it: the jobs are rows in the same
    database, so they exist if and only if the change commits. Calling it again with the same
    `idempotency_key` returns the existing notifications and defers nothing new.
    Events and their recipients: see `notifications.models.Event`.
    """
    if event not in Event.values:
        raise ValidationError({"event": f"Unknown event {event!r}; expected one of {', '.join(Event.values)}."})
    if not idempotency_key or len(idempotency_key) > 200:
        raise ValidationError({"idempotency_key": "Required, at most 200 characters."})
    try:
        # Round-trip through JSON now, so a bad value fails in the caller, not in the worker.
        context = json.loads(json.dumps(context, cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as exc:
        raise ValidationError({"context": f"Not serialisable to JSON: {exc}"}) from None

    # No savepoint: notify() runs inside the caller's transaction, and if it fails the caller's whole
    # change must roll back anyway (a savepoint would only add two round trips to every transition).
    with transaction.atomic(savepoint=False):
        candidates = _recipients(users=users, institution=institution, event=event, context=context,
                                 idempotency_key=idempotency_key)
        if not candidates:
            return []
        inserted = _insert_and_defer(candidates)
        if len(inserted) < len(candidates):  # a repeated call: return the rows recorded the first time
            existing = {(n.channel, n.user_id, n.institution_id): n
                        for n in Notification.objects.filter(idempotency_key=idempotency_key)}
            candidates = [n if n.pk is not None else existing[(n.channel, n.user_id, n.institution_id)]
                          for n in candidates]
    return candidates


_INSERT_COLUMNS = ("uuid", "event", "channel", "user_id", "institution_id", "address", "language", "context",
                   "idempotency_key", "subject", "body", "status", "attempts", "last_error", "created_at",
                   "delivered_at")


def _insert_and_defer(rows: list[Notification]) -> list[int]:
    """Insert the rows not recorded yet and defer one delivery job per new e-mail/webhook row.

    One statement, one round trip, because this runs inside every transition that notifies:
    - INSERT … ON CONFLICT DO NOTHING RETURNING: a repeated call inserts nothing, and a concurrent
      call with the same key waits for the other transaction instead of failing the caller's.
    - the jobs are created by procrastinate's own SQL function (`procrastinate_defer_jobs_v1`, what
      `Task.batch_defer` calls) with the task's queue and priority, only for the rows inserted.
    Sets `pk` on the inserted rows and returns their ids.
    """
    from notifications.tasks import deliver_notification  # tasks import services

    now = timezone.now()
    placeholders = "(" + ", ".join("%s::jsonb" if c == "context" else "%s" for c in _INSERT_COLUMNS) + ")"
    params: list[Any] = []
    for n in rows:
        n.created_at = now
        params += [n.uuid, n.event, n.channel, n.user_id, n.institution_id, n.address, n.language,
                   json.dumps(n.context, cls=DjangoJSONEncoder), n.idempotency_key, n.subject, n.body, n.status,
                   n.attempts, n.last_error, n.created_at, n.delivered_at]
    params += [deliver_notification.queue, deliver_notification.name, deliver_notification.priority,
               Notification.Channel.IN_APP]
    sql = f"""
        WITH inserted AS (
            INSERT INTO {Notification._meta.db_table} ({", ".join(_INSERT_COLUMNS)})
            VALUES {", ".join([placeholders] * len(rows))}
            ON CONFLICT ON CONSTRAINT notification_once_per_event_recipient_channel DO NOTHING
            RETURNING id, uuid, channel
        ), deferred AS (
            SELECT procrastinate_defer_jobs_v1(ARRAY(
                SELECT ROW(%s, %s, %s, NULL, NULL, jsonb_build_object('notification_id', i.id), NULL)
                       ::procrastinate_job_to_defer_v1
                FROM inserted i WHERE i.channel <> %s ORDER BY i.id)) AS job_ids
        )
        SELECT inserted.id, inserted.uuid FROM inserted CROSS JOIN deferred"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {str(u): pk for pk, u in cursor.fetchall()}
    for n in rows:
        n.pk = ids.get(str(n.uuid))
        if n.pk is not None:  # behave like rows the ORM saved (a later save() must UPDATE)
            n._state.adding, n._state.db = False, connection.alias
    return list(ids.values())


def _lock(notification_id: int) -> Notification | None:
    """The notification if it still needs delivering and no other worker is delivering it right now."""
    return (Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("institution").filter(pk=notification_id, status__in=ACTIVE).first())


def notification_deliver(*, notification_id: int, job_id: int | None = None) -> str:
    """Try once to deliver; return "delivered", "failed" or "skipped", or raise RetryLater.

    Runs in the worker. "skipped" means nothing to do: already delivered or failed, or another
    worker holds the row (it will finish the job, or its own job will be retried).
    """
    # 1. Log the attempt and count it, committed before anything leaves the portal, so an attempt
    #    cut short by a killed worker still shows (outcome "started") and counts towards the limit.
    with transaction.atomic():
        notification = _lock(notification_id)
        if notification is None:
            return "skipped"
        notification.attempts += 1
        notification.save(update_fields=["attempts"])
        attempt = DeliveryAttempt.objects.create(notification=notification, number=notification.attempts,
                                                 job_id=job_id)
    # 2. Hold the row lock while sending, and record the outcome in the same transaction.
    retry_at = None
    with transaction.atomic():
        notification = _lock(notification_id)
        if notification is None:
            attempt.outcome, attempt.error = DeliveryAttempt.Outcome.ERROR, "superseded by a concurrent attempt"
            attempt.finished_at = timezone.now()
            attempt.save(update_fields=["outcome", "error", "finished_at"])
            return "skipped"
        now = timezone.now()
        try:
            SENDERS[notification.channel](notification)
        except DeliveryError as exc:
            error = str(exc)[:2000]
        else:
            notification.status, notification.delivered_at = Notification.Status.DELIVERED, timezone.now()
            notification.next_attempt_at, notification.last_error = None, ""
            notification.save(update_fields=["status", "delivered_at", "next_attempt_at", "last_error"])
            attempt.outcome, attempt.finished_at = DeliveryAttempt.Outcome.DELIVERED, notification.delivered_at
            attempt.save(update_fields=["outcome", "finished_at"])
            return "delivered"
        attempt.outcome, attempt.error, attempt.finished_at = DeliveryAttempt.Outcome.ERROR, error, now
        attempt.save(update_fields=["outcome", "error", "finished_at"])
        notification.last_error = error
        if notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            notification.status, notification.next_attempt_at = Notification.Status.FAILED, None
        else:
            retry_at = now + datetime.timedelta(seconds=retry_delay(notification.attempts))
            notification.status, notification.next_attempt_at = Notification.Status.RETRYING, retry_at
        notification.save(update_fields=["status", "next_attempt_at", "last_error"])
    if retry_at is None:
        return "failed"
    raise RetryLater(error, retry_at=retry_at)


def notification_retry(*, notification: Notification, by: User) -> Notification:
    """Start a new round of attempts for a failed notification (admins only)."""
    if not by.is_portal_admin:
        raise PermissionDenied("Only administrators can retry notifications.")
    from notifications.tasks import deliver_notification

    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.status != Notification.Status.FAILED:
            raise StateConflict(f"Only failed notifications can be retried (this one is {locked.status}).",
                                allowed=[])
        locked.status, locked.attempts, locked.next_attempt_at = Notification.Status.PENDING, 0, None
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        deliver_notification.defer(notification_id=locked.pk)
    return locked


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of the caller's own in-app notifications as read (idempotent)."""
    if notification.user_id != by.pk or notification.channel != Notification.Channel.IN_APP:
        raise PermissionDenied("Not your notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    """Mark every unread in-app notification of the caller as read; return how many changed."""
    return Notification.objects.filter(user=by, channel=Notification.Channel.IN_APP,
                                       read_at__isnull=True).update(read_at=timezone.now())
