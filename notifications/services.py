"""Writes of the notifications app: record, deliver, retry, mark read.

Delivery semantics (the trade-off, stated once):
- notify() writes the rows and defers their delivery job in the caller's transaction: a rolled-back
  change sends nothing, a committed change is never forgotten (the job sits in Postgres). One job
  per call makes the first attempt at all its rows; a row that fails gets a retry job of its own,
  so each notification keeps its own status, attempts, log and backoff.
- A job may run more than once (retries, a stalled job re-run after a worker was killed), so
  delivery is idempotent on our side: the job takes the notification row with
  SELECT … FOR UPDATE SKIP LOCKED, sends only if it is still pending/retrying, and marks it
  delivered in the same transaction, right after the receiver accepted it.
- The one window left is "receiver accepted, our commit did not happen" (worker killed between the
  two). Then the message is sent again with the same Message-ID / Idempotency-Key: delivery is
  at-least-once on the wire and exactly-once for a receiver that dedupes on that key.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any, TypedDict

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


class NotifyItem(TypedDict, total=False):
    """One event for `notify_many`: the same keyword arguments as `notify`."""

    event: str
    users: Iterable[User]
    institution: Institution | None
    context: dict[str, Any]
    idempotency_key: str
    email_to: str


# A row to record, as plain values (no model instance per row: this runs inside every transition).
# (event, channel, user_id, institution_id, address, language, context, key, subject, body, status), where
# context holds plain JSON values (what json.dumps(…, cls=DjangoJSONEncoder) made of the caller's).
_Row = tuple[str, str, int | None, int | None, str, str, dict[str, Any], str, str, str, str]


_EVENTS = frozenset(Event.values)  # Event.values builds a new list at every access


def _validated(item: NotifyItem) -> tuple[str, str, dict[str, Any]]:
    event, key = item.get("event"), item.get("idempotency_key")
    if event not in _EVENTS:
        raise ValidationError({"event": f"Unknown event {event!r}; expected one of {', '.join(Event.values)}."})
    if not key or len(key) > 200:
        raise ValidationError({"idempotency_key": "Required, at most 200 characters."})
    try:
        # Serialised once, now, so a bad value fails in the caller, not in the worker.
        context_json = json.dumps(item.get("context") or {}, cls=DjangoJSONEncoder)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"context": f"Not serialisable to JSON: {exc}"}) from None
    # What the receiver will see and what is stored: the JSON values (dates as ISO text).
    return event, key, json.loads(context_json)


def _rows_for(item: NotifyItem) -> list[_Row]:
    event, key, context = _validated(item)
    rows: list[_Row] = []
    seen: set[int] = set()
    for user in item.get("users") or ():
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        language = user.preferred_language or "ro"
        # In-app messages are delivered by being committed: render them now, in the user's language.
        subject, body = render_message(event=event, language=language, context=context)
        rows.append((event, IN_APP, user.pk, None, "", language, context, key, subject, body, DELIVERED))
        # An applicant's e-mails go to the contact address given in the request, else the account's.
        address = item.get("email_to") or user.email
        if address:
            rows.append((event, EMAIL, user.pk, None, address, language, context, key, "", "", PENDING))
    institution = item.get("institution")
    if institution is not None and institution.active:
        if institution.email:
            rows.append((event, EMAIL, None, institution.pk, institution.email, "ro", context, key, "", "", PENDING))
        if institution.webhook_url:
            rows.append((event, WEBHOOK, None, institution.pk, institution.webhook_url, "ro", context, key,
                         "", "", PENDING))
    return rows


def notify_many(*, items: Iterable[NotifyItem]) -> int:
    """`notify` for several events at once (e.g. every institution asked when an application reaches
    the avize stage): all rows inserted and ONE delivery job deferred for them, in one statement.
    Returns how many notifications were recorded (repeated ones are skipped, as in `notify`)."""
    rows = [row for item in items for row in _rows_for(item)]
    if not rows:
        return 0
    return len(_insert_and_defer(rows, now=timezone.now()))


def notify(*, event: str, users: Iterable[User] = (), institution: Institution | None = None,
           context: dict[str, Any], idempotency_key: str, email_to: str = "") -> list[Notification]:
    """Record one notification per recipient and channel and defer their delivery.

    Call it inside the transaction of the change that causes it: the delivery job is a row in the
    same database, so it exists if and only if the change commits. Calling it again with the same
    `idempotency_key` returns the existing notifications and defers nothing new. `email_to` replaces the
    users' account address for e-mail (the applicant's contact address of the request).
    Events and their recipients: see `notifications.models.Event`.
    """
    rows = _rows_for({"event": event, "users": users, "institution": institution, "context": context,
                      "idempotency_key": idempotency_key, "email_to": email_to})
    if not rows:
        return []
    now = timezone.now()
    inserted = _insert_and_defer(rows, now=now)
    if len(inserted) < len(rows):  # a repeated call: return the rows recorded the first time
        existing = {(n.channel, n.user_id, n.institution_id): n
                    for n in Notification.objects.filter(idempotency_key=idempotency_key)}
    result = []
    for row in rows:
        recipient = (row[1], row[2], row[3])
        if recipient not in inserted:
            result.append(existing[recipient])
            continue
        pk, uuid = inserted[recipient]
        n = Notification(pk=pk, uuid=uuid, event=row[0], channel=row[1], user_id=row[2], institution_id=row[3],
                         address=row[4], language=row[5], context=copy.deepcopy(row[6]), idempotency_key=row[7],
                         subject=row[8], body=row[9], status=row[10], created_at=now,
                         delivered_at=now if row[10] == DELIVERED else None)
        n._state.adding, n._state.db = False, connection.alias  # a later save() must UPDATE
        result.append(n)
    return result


IN_APP, EMAIL, WEBHOOK = Notification.Channel.IN_APP.value, Notification.Channel.EMAIL.value, \
    Notification.Channel.WEBHOOK.value
PENDING, DELIVERED = Notification.Status.PENDING.value, Notification.Status.DELIVERED.value
_KEYS = ("event", "channel", "user_id", "institution_id", "address", "language", "context", "idempotency_key",
         "subject", "body", "status")


def _insert_and_defer(rows: list[_Row], *, now) -> dict[tuple, tuple[int, Any]]:
    """Insert the rows not recorded yet and defer ONE job delivering the new e-mail/webhook rows; return
    {(channel, user_id, institution_id): (id, uuid)} of the inserted rows.

    One short statement, because this runs inside every transition that notifies: the rows travel
    as one JSON parameter, and the work is done by `notifications_record_v1` (migration 0002), a
    PL/pgSQL function whose plan is cached per connection. INSERT … ON CONFLICT DO NOTHING: a
    repeated call inserts and defers nothing, and a concurrent call with the same key waits for the
    other transaction instead of failing the caller's.
    """
    from notifications.tasks import deliver_notifications  # tasks import services

    document = json.dumps([dict(zip(_KEYS, row, strict=True)) for row in rows])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notifications_record_v1(%s::jsonb, %s, %s, %s, %s)",
                       [document, now, deliver_notifications.queue, deliver_notifications.name,
                        deliver_notifications.priority])
        return {(channel, user_id, institution_id): (pk, uuid)
                for pk, uuid, channel, user_id, institution_id in cursor.fetchall()}


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
