"""The avize tick as a procrastinate periodic task (registered through gis_portal.tasks.periodic)."""
from __future__ import annotations

from django.utils import timezone

from avize.scheduling import avize_tick
from gis_portal.tasks import periodic


@periodic(name="avize_tick", cron="*/10 * * * *")
def avize_tick_task() -> dict[str, int]:
    # Safe to run twice for the same tick: state changes are guarded by row locks and the state
    # table, reminders by `reminded_on`, notifications by their idempotency keys.
    return avize_tick(now=timezone.now())
