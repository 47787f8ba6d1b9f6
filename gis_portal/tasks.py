"""The one registry of scheduled work, run by the single worker command `manage.py worker` (ops.worker).

Any app adds a periodic task in its own `tasks.py` (procrastinate autodiscovers `<app>/tasks.py`):

    from gis_portal.tasks import periodic

    @periodic(name="aviz_reminders", cron="0 8 * * *")
    def send_aviz_reminders() -> None:
        ...

The function runs in the worker (a thread, with its own Django connection). `settings.PERIODIC_CRONS`
overrides a task's cron by name, so tests and deployments can run it more or less often without
code changes. Write the function so it can run twice for the same tick (use idempotency keys):
procrastinate defers one job per tick, but a retried stalled job may repeat work.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)

SCHEDULED_QUEUE = "scheduled"


def periodic(*, name: str, cron: str, queue: str = SCHEDULED_QUEUE) -> Callable[[Callable[[], Any]], Any]:
    """Register `fn()` to run on `cron` (5 fields, or 6 with seconds last) in the worker."""

    def decorator(fn: Callable[[], Any]) -> Any:
        @functools.wraps(fn)
        def run(timestamp: int) -> Any:
            # Worker threads are long-lived: drop connections Django would consider stale.
            close_old_connections()
            try:
                return fn()
            finally:
                close_old_connections()

        task = app.task(name=name, queue=queue)(run)
        return app.periodic(cron=settings.PERIODIC_CRONS.get(name, cron), periodic_id=name)(task)

    return decorator


@app.periodic(cron=settings.PERIODIC_CRONS.get("retry_stalled_jobs", "* * * * *"), periodic_id="retry_stalled_jobs")
@app.task(name="retry_stalled_jobs", queue=SCHEDULED_QUEUE, pass_context=True)
async def retry_stalled_jobs(context: Any, timestamp: int) -> None:
    """Put back to "todo" the jobs of workers that stopped sending heartbeats (killed, OOM, power loss).

    A worker killed mid-job leaves its job in "doing" forever; this makes it run again. The jobs
    themselves are idempotent (notifications re-check their row), so a false positive is harmless.
    """
    timeout = settings.PROCRASTINATE_WORKER_DEFAULTS["stalled_worker_timeout"]
    stalled = await context.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=timeout)
    for job in stalled:
        logger.warning("Retrying stalled job %s (%s)", job.id, job.task_name)
        await context.app.job_manager.retry_job(job)


@app.periodic(cron=settings.PERIODIC_CRONS.get("remove_old_jobs", "17 3 * * *"), periodic_id="remove_old_jobs")
@app.task(name="remove_old_jobs", queue=SCHEDULED_QUEUE, pass_context=True)
async def remove_old_jobs(context: Any, timestamp: int) -> None:
    """Keep the job table small: drop succeeded jobs after 14 days (failed ones stay for inspection).

    The delivery log lives in notifications_deliveryattempt, so nothing of value is lost.
    """
    await context.app.job_manager.delete_old_jobs(nb_hours=14 * 24)
