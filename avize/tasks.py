"""Procrastinate periodic task: the avize tick every 10 minutes (reminders, tacit approval, escalation)."""
from __future__ import annotations

from datetime import UTC, datetime

from procrastinate.contrib.django import app

from avize.scheduling import avize_tick


@app.periodic(cron="*/10 * * * *", periodic_id="avize_tick")
@app.task(name="avize.tick", queue="avize", queueing_lock="avize_tick")
def avize_tick_task(timestamp: int) -> dict[str, int]:
    # The scheduled time, not the time the worker got round to it, is "now" for deadlines.
    return avize_tick(now=datetime.fromtimestamp(timestamp, tz=UTC))
