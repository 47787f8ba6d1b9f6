"""`manage.py worker`: procrastinate's worker, restarted in-process after database outages (ops.worker)."""
from __future__ import annotations

import asyncio
from typing import Any

from django.core.management.base import BaseCommand
from procrastinate import PsycopgConnector
from procrastinate.contrib.django import app
from procrastinate.contrib.django.utils import connector_params

from ops.worker import POOL_TIMEOUT_SECONDS, supervise


class Command(BaseCommand):
    help = "Run the background worker; it survives database outages and stops on SIGTERM/SIGINT."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--concurrency", type=int, default=4, help="jobs run at the same time")
        parser.add_argument("--queues", default="", help="comma-separated queue names (default: all)")
        parser.add_argument("--one-shot", action="store_true", help="process the queued jobs, then exit")

    def handle(self, *args: Any, concurrency: int, queues: str, one_shot: bool, **options: Any) -> None:
        worker_options: dict[str, Any] = {"concurrency": concurrency, "wait": not one_shot}
        if queues:
            worker_options["queues"] = [name.strip() for name in queues.split(",") if name.strip()]
        # procrastinate's worker connector (as its own `procrastinate worker` command builds it), with a
        # short pool timeout: a query during an outage fails in seconds instead of waiting 30 s for a connection.
        connector = PsycopgConnector(kwargs=connector_params("default"), timeout=POOL_TIMEOUT_SECONDS)
        with app.replace_connector(connector) as worker_app:
            asyncio.run(supervise(worker_app, **worker_options))
