"""Reads for the pages, scoped to what the user may see (same rules as the permits API)."""
from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet

from avize.models import AvizRequest
from avize.selectors import aviz_requests_visible_to
from permits.choices import TERMINAL, Status
from permits.models import Application

DUE_SOON_DAYS = 3


def applications_for(user) -> QuerySet[Application]:
    """Investors see their own requests; issuer staff those of their issuer; admins all; others none."""
    qs = Application.objects.select_related("uat", "issuer", "owner").prefetch_related("parcels")
    if not user.is_authenticated:
        return qs.none()
    if user.is_portal_admin:
        return qs
    if user.is_issuer_staff:
        return qs.filter(issuer_id=user.issuer_id)
    if user.role == "reviewer":
        return qs.filter(pk__in=_reviewed_application_ids(user))
    return qs.filter(owner=user)


def _reviewed_application_ids(user) -> list[int]:
    """Applications with an aviz request addressed to the reviewer's institution."""
    if not user.institution_id:
        return []
    return list(AvizRequest.objects.filter(institution_id=user.institution_id).values_list("application_id", flat=True))


def staff_queue(user) -> QuerySet[Application]:
    """Registered requests of the user's issuer, the legal deadline first (no deadline last)."""
    from django.db.models import F

    return (applications_for(user).exclude(status=Status.DRAFT)
            .order_by(F("due_date").asc(nulls_last=True), "registered_at", "id"))


def deadline_state(app: Application, today: date) -> str:
    """"overdue", "due-soon" or "" for the queue's highlighting."""
    if app.status in TERMINAL or app.due_date is None or app.status in (Status.RETURNED, Status.DRAFT):
        return ""
    if app.due_date < today:
        return "overdue"
    if app.due_date <= today + timedelta(days=DUE_SOON_DAYS):
        return "due-soon"
    return ""


def avize_board(user) -> list[dict]:
    """For issuer staff: the live aviz requests of their applications, grouped by application."""
    qs = (aviz_requests_visible_to(user).filter(live=True, application__in=applications_for(user))
          .order_by("application_id", "institution__name"))
    board: dict[int, dict] = {}
    for req in qs:
        entry = board.setdefault(req.application_id, {"application": req.application, "requests": []})
        entry["requests"].append(req)
    return list(board.values())
