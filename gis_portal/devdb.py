"""The project's own PostGIS cluster under var/ (used when DATABASE_URL is not set).

Standard library only: it runs before the virtualenv exists. `python3 -m gis_portal.devdb start`
initialises the cluster on first use, starts it and creates the database; `stop` stops it.
The cluster listens only on a Unix socket inside var/, so two checkouts never clash.
initdb and postgres refuse to run as root, so as root they run as the `postgres` system user.
"""
from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var"
PGDATA = VAR / "pgdata"
DB_NAME = "gis_portal"
DB_USER = "postgres"
# Unix socket paths are limited to 107 bytes; very deep checkouts fall back to /tmp.
_SOCKET_MAX = 100

TUNING = {
    "listen_addresses": "''",
    "max_connections": "200",
    "shared_buffers": "1GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "1GB",
    "effective_cache_size": "8GB",
    "synchronous_commit": "off",  # a crash loses at most the last few commits, never corrupts
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "random_page_cost": "1.1",
    "jit": "off",  # JIT compilation costs more than it saves on short spatial queries
    "timezone": "'UTC'",
    "log_min_messages": "warning",
}


def socket_dir() -> Path:
    candidate = VAR / "run"
    if len(str(candidate / ".s.PGSQL.5432")) <= _SOCKET_MAX:
        return candidate
    digest = hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:10]
    return Path("/tmp") / f"gis_portal-{digest}"


def database_url() -> str:
    return f"postgres://{DB_USER}@/{DB_NAME}?host={socket_dir()}"


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    sys.exit("PostgreSQL server binaries not found: install postgresql and postgis (see README)")


def _run_as_owner(args: list[str], check: bool = True, **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        args = ["runuser", "-u", _owner(), "--", *args]
    return subprocess.run(args, check=check, **kw)


def _owner() -> str:
    for name in ("postgres", "gisportal"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "gisportal"], check=True)
    return "gisportal"


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(_owner())
        os.chown(path, entry.pw_uid, entry.pw_gid)


def running() -> bool:
    status = [str(_bindir() / "pg_ctl"), "status", "-D", str(PGDATA)]
    return _run_as_owner(status, check=False, capture_output=True).returncode == 0


def init() -> None:
    if (PGDATA / "PG_VERSION").exists():
        return
    for path in (VAR, PGDATA, VAR / "log"):
        path.mkdir(parents=True, exist_ok=True)
    for path in (PGDATA, VAR / "log"):
        _chown(path)
    os.chmod(PGDATA, 0o700)
    _run_as_owner([
        str(_bindir() / "initdb"), "-D", str(PGDATA), "-U", DB_USER, "--auth=trust",
        "-E", "UTF8", "--locale=C.UTF-8",
    ], stdout=subprocess.DEVNULL)
    with open(PGDATA / "postgresql.auto.conf", "a") as conf:
        for key, value in TUNING.items():
            conf.write(f"{key} = {value}\n")
        conf.write(f"unix_socket_directories = '{socket_dir()}'\n")


def start() -> None:
    init()
    sock = socket_dir()
    sock.mkdir(parents=True, exist_ok=True)
    _chown(sock)
    if not running():
        (VAR / "log").mkdir(exist_ok=True)
        _chown(VAR / "log")
        _run_as_owner([
            str(_bindir() / "pg_ctl"), "-D", str(PGDATA), "-l", str(VAR / "log" / "postgres.log"),
            "-w", "-t", "60", "start",
        ], stdout=subprocess.DEVNULL)
    _ensure_database(sock)


def _psql(sock: Path, sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        [str(_bindir() / "psql") if (_bindir() / "psql").exists() else "psql",
         "-h", str(sock), "-U", DB_USER, "-d", db, "-tAc", sql],
        check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()


def _ensure_database(sock: Path) -> None:
    for _ in range(30):
        try:
            exists = _psql(sock, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'")
            break
        except subprocess.CalledProcessError:
            time.sleep(0.5)
    else:
        sys.exit(f"PostgreSQL did not answer on {sock}; see var/log/postgres.log")
    if exists != "1":
        _psql(sock, f"CREATE DATABASE {DB_NAME}")
    _psql(sock, "CREATE EXTENSION IF NOT EXISTS postgis", db=DB_NAME)


def stop() -> None:
    if (PGDATA / "PG_VERSION").exists() and running():
        _run_as_owner([str(_bindir() / "pg_ctl"), "-D", str(PGDATA), "-m", "fast", "stop"],
                      stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    {"start": start, "stop": stop, "url": lambda: print(database_url())}[command]()
