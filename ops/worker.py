"""The background worker, kept alive across database outages (`manage.py worker`).

procrastinate stops its worker for good when one of its side tasks (heartbeat, LISTEN, periodic
deferrer) or a job fetch hits a database error: the side-task monitor calls `stop()`, and the
shutdown's own query (unregistering the worker) raises too. Nothing in procrastinate restarts it.
`supervise` runs the worker in a loop instead: after a database error it waits, with a capped
backoff, until PostgreSQL accepts a connection again, opens a fresh connection pool and starts a new
worker. Jobs the lost worker held are put back by the `retry_stalled_jobs` periodic task
(gis_portal.tasks) once its heartbeat is stale. Only SIGTERM/SIGINT (or `--one-shot` running out of
jobs) end the loop.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

import psycopg
from django.db import connections
from procrastinate import App
from procrastinate.exceptions import ConnectorException
from psycopg_pool import PoolTimeout

logger = logging.getLogger(__name__)

# What a database outage looks like from the worker's connection pool.
OUTAGE_ERRORS = (ConnectorException, psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)
POOL_TIMEOUT_SECONDS = 5.0  # how long a query waits for a pooled connection (psycopg_pool's default: 30 s)
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0


async def database_answers(timeout: float = 3.0) -> bool:
    """True when PostgreSQL accepts a new connection and runs a query (Django's connection settings)."""
    # Only the address and credentials: Django's cursor and adapter settings are for its sync connection.
    params = {key: value for key, value in connections["default"].get_connection_params().items()
              if key in ("dbname", "user", "password", "host", "port", "sslmode", "options")}
    params["connect_timeout"] = max(1, int(timeout))
    try:
        async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
            await conn.execute("SELECT 1")
    except (psycopg.Error, OSError):
        return False
    return True


async def supervise(app: App, **worker_options: Any) -> None:
    """Run `app`'s worker until SIGTERM/SIGINT, restarting it after every database outage."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    running: asyncio.Task[None] | None = None

    def request_stop() -> None:
        stopping.set()
        if running is not None:
            running.cancel()  # procrastinate's worker then stops gracefully (finishes its jobs)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, request_stop)
    delay = RETRY_FIRST_SECONDS
    try:
        while not stopping.is_set():
            if not await database_answers():
                logger.warning("Database unavailable: the worker starts again when it answers (in %.1f s)", delay)
                await _sleep_unless(stopping, delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            started = loop.time()
            running = asyncio.create_task(_run_once(app, worker_options))
            try:
                await running
            except asyncio.CancelledError:
                if stopping.is_set():
                    break
                raise
            except OUTAGE_ERRORS as exc:
                if stopping.is_set():
                    break
                logger.warning("Worker stopped by a database error (%s); restarting it", str(exc.__cause__ or exc).strip())
            else:
                if stopping.is_set() or not worker_options.get("wait", True):
                    break
                # A side task failed and procrastinate stopped the worker, but its shutdown reached the database.
                logger.warning("Worker stopped on its own (a side task failed); restarting it")
            finally:
                running = None
            if loop.time() - started > 60:
                delay = RETRY_FIRST_SECONDS
            await _sleep_unless(stopping, delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


async def _run_once(app: App, worker_options: dict[str, Any]) -> None:
    # A fresh pool each time: connections of the previous server process are dead.
    async with app.open_async():
        await app.run_worker_async(**worker_options, install_signal_handlers=False)


async def _sleep_unless(stopping: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
    except TimeoutError:
        pass
