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

import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from gis_portal.api.exceptions import StateConflict
from institutions.models import Institution
from notifications.delivery import (  # noqa: F401  (the worker's half, re-exported with the rest)
    RetryLater,
    notification_deliver,
    retry_delay,
    retry_window_seconds,
)
from notifications.models import Event, Notification
from notifications.rendering import render_message


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
