"""Web sessions listed per user (accounts.UserSession), so the user and an administrator can see and end them.

A row is written at each log-in (the `user_logged_in` receiver in accounts.apps) with the client's address
and browser; `SessionRegistryMiddleware` refreshes its `last_seen` (at most once a minute) and refuses a
session whose row is gone. Revoking deletes the row and the session itself from Django's database session store (the
default SESSION_ENGINE).
Sessions end SESSION_COOKIE_AGE after the log-in (SESSION_LIFETIME_SECONDS).
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserSession
from gis_portal.ratelimit import client_address

TOUCH_SECONDS = 60


def session_register(*, request, user: User) -> UserSession | None:
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    address = client_address(request)
    row, _ = UserSession.objects.update_or_create(session_key=key, defaults={
        "user": user, "address": address if address and address != "-" else None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300], "last_seen": timezone.now()})
    return row


def session_touch(*, session_key: str, user_id: int) -> bool:
    """Whether the session is still registered for this user and within its lifetime from the log-in
    (however often it was used); refreshes last_seen once a minute."""
    now = timezone.now()
    row = (UserSession.objects.filter(session_key=session_key)
           .values_list("user_id", "last_seen", "created_at").first())
    if row is None or row[0] != user_id or row[2] <= now - timedelta(seconds=settings.SESSION_COOKIE_AGE):
        return False
    if row[1] < now - timedelta(seconds=TOUCH_SECONDS):
        UserSession.objects.filter(session_key=session_key).update(last_seen=now)
    return True


def session_rekey(*, old_key: str, new_key: str) -> None:
    """The session's key was cycled: the same session goes on under the new key (a password change), or
    the old one ended and a new log-in registered the new key (another account signed in)."""
    if UserSession.objects.filter(session_key=new_key).exists():
        UserSession.objects.filter(session_key=old_key).delete()
    else:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def sessions_of(user: User):
    """The user's live sessions (those past their lifetime are not listed)."""
    oldest = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(user=user, created_at__gt=oldest)


@transaction.atomic
def session_revoke(*, user: User, pk: int) -> bool:
    row = UserSession.objects.filter(user=user, pk=pk).first()
    if row is None:
        return False
    Session.objects.filter(session_key=row.session_key).delete()
    row.delete()
    return True


@transaction.atomic
def sessions_revoke(*, user: User, keep_key: str | None = None) -> int:
    """End every session of the user (but `keep_key`, the caller's own); returns how many."""
    rows = UserSession.objects.filter(user=user).exclude(session_key=keep_key or "")
    Session.objects.filter(session_key__in=rows.values("session_key")).delete()
    return rows.delete()[0]


def session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def sessions_prune() -> int:
    """Forget the rows of sessions past their lifetime (hourly, accounts.tasks); returns how many."""
    oldest = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(created_at__lte=oldest).delete()[0]
