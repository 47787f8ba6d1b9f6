"""Expiry: issued acts past their validity, and applications left returned for completion too long.

Run by the periodic task `permits_expire` (permits/tasks.py) and the `permits_expire` command; both
pass `now` so tests drive the clock explicitly. Each application moves through the one state machine
(action `expire`, by the system) in its own transaction, so one failure does not hold back the others
and a second run of the same tick finds nothing left to do.
"""
from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gis_portal.api.exceptions import StateConflict
from permits import workflow
from permits.choices import Status
from permits.models import Application
from workdays import calendar

ACT_EXPIRED = "Termen de valabilitate depășit ({until})."
RETURN_LAPSED = "Documentația nu a fost completată în termen ({due}); cererea a expirat."


def completion_due(returned_on: date) -> date:
    """The last day to complete an application returned on `returned_on` (policy returned_completion_max)."""
    return calendar.deadline(returned_on, "returned_completion_max").due


def applications_expire(*, now: datetime) -> dict[str, int]:
    """Expire what is due on the local date of `now`; returns how many of each kind were expired."""
    today = timezone.localdate(now)
    counts = {"acts": 0, "returned": 0}
    acts = (Application.objects.filter(status=Status.ISSUED, valid_until__lt=today)
            .order_by("pk").values_list("pk", "valid_until"))
    for pk, until in acts:
        counts["acts"] += _expire(pk, Status.ISSUED, ACT_EXPIRED.format(until=f"{until:%d.%m.%Y}"))
    # The clock stopped on the day of the return (clock_paused_on); the term is counted from there.
    returned = (Application.objects.filter(status=Status.RETURNED, clock_paused_on__lt=today)
                .order_by("pk").values_list("pk", "clock_paused_on"))
    due_by_day: dict[date, date] = {}
    for pk, paused in returned:
        assert paused is not None  # filtered on clock_paused_on__lt
        due = due_by_day.get(paused) or due_by_day.setdefault(paused, completion_due(paused))
        if today > due:
            counts["returned"] += _expire(pk, Status.RETURNED, RETURN_LAPSED.format(due=f"{due:%d.%m.%Y}"))
    return counts


def _expire(pk: int, status: str, reason: str) -> int:
    try:
        workflow.transition(application=pk, action="expire", by=None, reason=reason, expected_status=status)
    except (StateConflict, PermissionDenied, ValidationError):
        return 0  # changed meanwhile (resubmitted, extended, expired by a concurrent run): nothing to do
    return 1
