"""A disposable copy of the portal for fault tests: its own PostgreSQL cluster (which a test may stop
or crash without touching the suite's), a gunicorn web server and a `manage.py worker`, all on loopback.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.db import connection

from gis_portal.devdb import Cluster
from tests.notifications.receivers import free_port

ROOT = Path(__file__).resolve().parents[2]
FAULT_DB = "fault"


class FaultLab:
    def __init__(self, *, smtp_port: int):
        # Under /tmp and world-traversable: as root, PostgreSQL runs as the postgres user.
        self.dir = Path(tempfile.mkdtemp(prefix="gis-fault-", dir="/tmp"))
        os.chmod(self.dir, 0o755)
        self.cluster = Cluster(self.dir / "db")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "DEBUG": "1", "DEMO_MODE": "1", "DATABASE_URL": self.cluster.url(FAULT_DB),
            "MEDIA_ROOT": str(self.dir / "media"), "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "5", "THROTTLE_ANALYSIS": "100000/min", "DATABASE_RETRY_AFTER_SECONDS": "2",
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.2", "NOTIFICATIONS_RETRY_MAX_DELAY_SECONDS": "0.5",
            "NOTIFICATIONS_MAX_ATTEMPTS": "1000",
            "WORKER_POLL_SECONDS": "0.2", "WORKER_HEARTBEAT_SECONDS": "0.5", "WORKER_STALLED_SECONDS": "2",
            "WORKER_FAST_PERIODIC": "1",
        }
        self.env.pop("TESTING", None)
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    def start_database_from_test_database(self) -> None:
        """The cluster, with the committed content of the suite's test database (schema and data)."""
        self.cluster.start(database=None)
        self.cluster.psql(f'CREATE DATABASE "{FAULT_DB}"')
        params = connection.get_connection_params()
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "-h", str(params.get("host") or ""), "-U", params.get("user") or "postgres",
             "-p", str(params.get("port") or 5432), params["dbname"]],
            check=True, capture_output=True, env={**os.environ, "PGPASSWORD": params.get("password") or ""})
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.cluster.socket), "-U", "postgres",
                        "-d", FAULT_DB], input=dump.stdout, check=True, capture_output=True)

    def _spawn(self, name: str, args: list[str]) -> None:
        self.logs[name] = self.dir / f"{name}.log"
        with open(self.logs[name], "wb") as log:
            self.procs[name] = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_web_and_worker(self) -> None:
        self._spawn("web", [str(ROOT / ".venv/bin/gunicorn"), "-c", "scripts/gunicorn.conf.py", "gis_portal.wsgi",
                            "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "4"])
        self._spawn("worker", [sys.executable, "manage.py", "worker", "--concurrency", "4"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{self.base}/healthz", timeout=2).status == 200:
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise AssertionError(f"web server did not start:\n{self.output('web')}")

    def alive(self, name: str) -> bool:
        return self.procs[name].poll() is None

    def output(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")[-6000:]

    def query(self, sql: str) -> list[str]:
        out = self.cluster.psql(sql, db=FAULT_DB)
        return out.splitlines() if out else []

    def request(self, method: str, path: str, *, body: dict | None = None, token: str = "",
                files: dict[str, tuple[str, bytes]] | None = None,
                accept: str = "application/json") -> tuple[int, dict[str, str], bytes]:
        headers = {"Accept": accept}
        data = None
        if token:
            headers["Authorization"] = f"Token {token}"
        if files is not None:
            boundary = "----faultlab"
            parts = []
            for field, value in (body or {}).items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'.encode())
            for field, (filename, content) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                             f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
            data = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.cluster.stop("immediate")
        subprocess.run(["rm", "-rf", str(self.dir)], check=False)
