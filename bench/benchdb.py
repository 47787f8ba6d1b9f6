"""The benchmarks' own databases in the worktree's cluster: `psql` against a URL, and a database
migrated to the current schema (`migrated_database`)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gis_portal import devdb  # noqa: E402


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def migrated_database(name: str, *, fresh: bool = False) -> tuple[str, dict[str, str]]:
    """(URL, environment for manage.py) of database `name`, created when missing (dropped first when
    `fresh`) and migrated."""
    base = devdb.database_url()
    admin = base.replace("/gis_portal?", "/postgres?")
    url = base.replace("/gis_portal?", f"/{name}?")
    if fresh:
        psql(admin, f"DROP DATABASE IF EXISTS {name}")
    if not psql(admin, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        psql(admin, f"CREATE DATABASE {name}")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    return url, env
