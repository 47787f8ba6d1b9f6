"""Worker jobs of the notifications app (autodiscovered by procrastinate.contrib.django)."""
from __future__ import annotations

import asyncio
import datetime
import functools
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.contrib.django import app
from procrastinate.contrib.django.db_cleanup import close_db_connections_async

import gis_portal.tasks  # noqa: F401  (registers the shared periodic tasks, e.g. retry_stalled_jobs)
from notifications import services

QUEUE = "notifications"


class DeliveryRetryStrategy(BaseRetryStrategy):
    """Retry when the service asks to (RetryLater carries the time); unexpected errors back off too.

    The service, not procrastinate, decides when a notification has failed for good, because only
    the notification row knows how many attempts it had (a manual retry starts a new round).
    """

    def get_retry_decision(self, *, exception: BaseException, job: Any) -> RetryDecision | None:
        if isinstance(exception, services.RetryLater):
            return RetryDecision(retry_at=exception.retry_at)
        # Database down, a bug…: keep trying with the same backoff, up to the same number of runs.
        if job.attempts + 1 >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            return None
        return RetryDecision(retry_in={"milliseconds": round(services.retry_delay(job.attempts + 1) * 1000)})


_pool: ThreadPoolExecutor | None = None


def _delivery_pool() -> ThreadPoolExecutor:
    # Our own pool, created in the worker only: the event loop's default pool has cpu+4 threads,
    # which caps in-flight deliveries far below --concurrency when receivers are slow.
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=settings.NOTIFICATIONS_DELIVERY_THREADS, thread_name_prefix="deliver")
    return _pool


def _deliver(notification_id: int, job_id: int, *, first_attempt: bool = False) -> str:
    close_old_connections()
    try:
        defer_retry = functools.partial(_defer_retry, notification_id) if first_attempt else None
        return services.notification_deliver(notification_id=notification_id, job_id=job_id, defer_retry=defer_retry)
    finally:
        close_old_connections()


def _defer_retry(notification_id: int, retry_at: datetime.datetime) -> None:
    # Through the delivery thread's Django connection: in the transaction that records the failure.
    deliver_notification.configure(schedule_at=retry_at).defer(notification_id=notification_id)


@app.task(name="deliver_notification", queue=QUEUE, pass_context=True, retry=DeliveryRetryStrategy())
async def deliver_notification(context: Any, notification_id: int) -> str:
    """Deliver one notification (idempotent: see notifications.services), in a delivery thread:
    the retries of a notification, and an administrator's retry."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_delivery_pool(), _deliver, notification_id, context.job.id)


@app.task(name="deliver_notifications", queue=QUEUE, pass_context=True, retry=DeliveryRetryStrategy())
async def deliver_notifications(context: Any, notification_ids: list[int]) -> dict[str, int]:
    """The first attempt at every notification one transition recorded (`notify` defers one such
    job per call, not one per notification), in parallel in the delivery threads.

    Each notification keeps its own status, attempts and log: one that fails gets its own
    `deliver_notification` job at its backoff time. An unexpected error fails this job once the
    others were tried; its retry skips the notifications no longer pending.
    """
    loop = asyncio.get_running_loop()
    deliver = functools.partial(_deliver, job_id=context.job.id, first_attempt=True)
    outcomes = await asyncio.gather(*(loop.run_in_executor(_delivery_pool(), deliver, notification_id)
                                      for notification_id in notification_ids), return_exceptions=True)
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    if errors:
        raise errors[0]
    return dict(Counter(outcome for outcome in outcomes if isinstance(outcome, str)))


# Tasks that open and close their Django connection in their own thread (see _deliver above).
OWN_CONNECTIONS = frozenset({"deliver_notification", "deliver_notifications"})


async def _db_cleanup_unless_own_connections(call_next: Any, context: Any, worker: Any) -> Any:
    """procrastinate's cleanup for async tasks, skipped for the tasks in OWN_CONNECTIONS.

    Around every async task it runs close_old_connections() twice through
    sync_to_async(thread_sensitive=True): two hops through ONE shared thread per job, which
    cleaned a connection the delivery never used (it runs in our pool) and was 14 % of the
    worker's CPU in a py-spy profile.
    """
    if context.task.name in OWN_CONNECTIONS:
        return await call_next()
    return await close_db_connections_async(call_next, context, worker)


def install_worker_middleware() -> None:
    """Swap procrastinate's async DB cleanup for the filtered one (called from AppConfig.ready)."""
    defaults = app.worker_defaults
    middleware = list(defaults.get("task_middleware") or [])
    defaults["task_middleware"] = [_db_cleanup_unless_own_connections if mw is close_db_connections_async else mw
                                   for mw in middleware]
