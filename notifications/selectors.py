"""Reads of the notifications app, already scoped to what the caller may see."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from notifications.models import Notification


def inbox_list(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    """The caller's own in-app notifications, newest first."""
    qs = Notification.objects.filter(user=user, channel=Notification.Channel.IN_APP)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def inbox_get(*, user: User, pk: int) -> Notification:
    """One of the caller's in-app notifications; someone else's is a 404, not a 403 (no probing)."""
    return get_object_or_404(inbox_list(user=user), pk=pk)


def admin_notification_list(*, user: User, status: str | None = None, channel: str | None = None,
                            event: str | None = None) -> QuerySet[Notification]:
    """Every notification with its delivery log, for portal admins only."""
    if not user.is_portal_admin:
        raise PermissionDenied("Administrators only.")
    qs = (Notification.objects.select_related("user", "institution")
          .prefetch_related("delivery_attempts"))
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if event:
        qs = qs.filter(event=event)
    return qs


def admin_notification_get(*, user: User, pk: int) -> Notification:
    return get_object_or_404(admin_notification_list(user=user), pk=pk)
