"""Periodic work of the permits app, registered with the one worker (gis_portal.tasks.periodic)."""
from __future__ import annotations

from django.utils import timezone

from gis_portal.tasks import periodic
from permits.assignment import leaves_apply
from permits.expiry import applications_expire
from permits.works import works_reminders


@periodic(name="permits_expire", cron="5 0 * * *")
def permits_expire_task() -> dict[str, int]:
    # Daily, just after midnight local time: an act valid "until" a date is valid all that day.
    # Running twice is harmless: each expiry is a guarded transition from the expected status.
    return applications_expire(now=timezone.now())


@periodic(name="works_reminders", cron="15 7 * * *")
def works_reminders_task() -> dict[str, int]:
    # Daily in the morning: each reminder is sent once (its idempotency key names the deadline).
    return works_reminders(now=timezone.now())


@periodic(name="assignment_leaves", cron="15 0 * * *")
def assignment_leaves_task() -> int:
    # On the first day of a leave recorded in advance, the clerk's open requests go to the others.
    return leaves_apply(on=timezone.localdate())
