"""Fixtures for the notification tests: loopback receivers and a real worker process."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from tests.helpers import child_database_url
from tests.notifications.receivers import SmtpReceiver, WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-shared-with-the-institution"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The cast is created with real passwords; PBKDF2 would dominate these tests' run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def loopback_receivers_allowed(settings):
    # The receivers listen on 127.0.0.1, which the outbound guard refuses unless the setting names it.
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def smtp(settings):
    receiver = SmtpReceiver().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", receiver.port, 5
    yield receiver
    receiver.stop()


@pytest.fixture
def webhook_factory():
    started: list[WebhookReceiver] = []

    def make(**kw) -> WebhookReceiver:
        receiver = WebhookReceiver(secret=SECRET, **kw).start()
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.stop()


def wire_institution(institution, *, email: str = "", webhook_url: str = ""):
    institution.email, institution.webhook_url, institution.webhook_secret = email, webhook_url, SECRET
    institution.save(update_fields=["email", "webhook_url", "webhook_secret"])
    return institution


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class Worker:
    """`manage.py procrastinate worker` as a child process, against the test database."""

    def __init__(self, *, smtp_port: int, extra_env: dict[str, str] | None = None):
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": child_database_url(),
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "EMAIL_TIMEOUT": "5",
            "OUTBOUND_ALLOWED_HOSTS": "127.0.0.1",  # the loopback webhook receivers
            # Sub-second backoff, polling and heartbeats, so failure scenarios play out in seconds.
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.2", "NOTIFICATIONS_RETRY_MAX_DELAY_SECONDS": "0.5",
            "WORKER_POLL_SECONDS": "0.1", "WORKER_HEARTBEAT_SECONDS": "0.2", "WORKER_STALLED_SECONDS": "1",
            "WORKER_FAST_PERIODIC": "1",
            **(extra_env or {}),
        }
        self.env.pop("TESTING", None)
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # worker output, printed when a test fails

    def start(self, *extra: str) -> Worker:
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "--skip-checks", "worker", "--concurrency", "2", *extra],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no chance to finish or unregister."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker_factory(transactional_db):
    workers: list[Worker] = []

    def make(**kw) -> Worker:
        worker = Worker(**kw)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()
        print(f"--- worker output ---\n{worker.output()[-4000:]}")
    # procrastinate's tables are unmanaged, so the transactional flush does not empty them.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_events; DELETE FROM procrastinate_jobs; "
                       "DELETE FROM procrastinate_periodic_defers; DELETE FROM procrastinate_workers;")
