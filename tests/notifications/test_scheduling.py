"""The shared registry of periodic work (gis_portal.tasks): how other apps add scheduled tasks."""
from __future__ import annotations

from procrastinate.contrib.django import app

from gis_portal.tasks import periodic


def _periodic(name: str):
    return next(p for p in app.periodic_registry.periodic_tasks.values() if p.task.name == name)


def test_an_app_registers_a_periodic_task_whose_cron_settings_can_override(settings):
    settings.PERIODIC_CRONS = {"test_registry_tick": "*/2 * * * * *"}
    calls: list[str] = []

    @periodic(name="test_registry_tick", cron="0 8 * * *")
    def tick() -> str:
        calls.append("ran")
        return "ok"

    entry = _periodic("test_registry_tick")
    assert entry.cron == "*/2 * * * * *"
    assert entry.task.queue == "scheduled"
    assert tick(timestamp=1_700_000_000) == "ok" and calls == ["ran"]  # how the worker calls it


def test_the_worker_recovers_stalled_jobs_every_minute_and_prunes_old_ones():
    assert _periodic("retry_stalled_jobs").cron == "* * * * *"
    assert _periodic("remove_old_jobs").cron == "17 3 * * *"
    assert app.tasks["deliver_notification"].queue == "notifications"
