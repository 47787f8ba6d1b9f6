"""The project's own PostGIS cluster (used when DATABASE_URL is not set).

Standard library only: it runs before the virtualenv exists. `python3 -m gis_portal.devdb start`
initialises the cluster on first use, starts it and creates the database; `stop` stops it.
The cluster listens only on a Unix socket next to its data, so two checkouts never clash.

Where it lives: var/ of the checkout. initdb and postgres refuse to run as root, so as root they run
as the `postgres` system user, which must be able to reach var/. When it cannot (a checkout inside a
private 0700 directory such as `mktemp -d` or /root), the cluster lives in a directory of its own
under /var/lib/gis-portal/, named after the checkout's path, owned by that user.

Commits are durable (synchronous_commit=on). DEVDB_SYNCHRONOUS_COMMIT=off trades the last few
commits before a crash for speed; it is applied at every `start`, so the setting always wins.
"""
from __future__ import annotations

import glob
import grp
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var"
SHARED_ROOT = Path("/var/lib/gis-portal")  # clusters of checkouts the postgres user cannot reach
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
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "random_page_cost": "1.1",
    "jit": "off",  # JIT compilation costs more than it saves on short spatial queries
    "timezone": "'UTC'",
    "log_min_messages": "warning",
}


class DevDbError(Exception):
    """A problem the person running `make` can fix; the message says how (printed without a traceback)."""


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise DevDbError("PostgreSQL server binaries not found: install postgresql and postgis (see README)")


def _owner(*, create: bool = True) -> str:
    """The system user that runs PostgreSQL when we are root (created on first use if none exists)."""
    for name in ("postgres", "gisportal"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    if not create:
        return "root"
    subprocess.run(["useradd", "--system", "--no-create-home", "gisportal"], check=True)
    return "gisportal"


def reachable_by(user: str, path: Path) -> bool:
    """Whether `user` can traverse every existing directory down to `path` (mode bits, as the kernel checks)."""
    entry = pwd.getpwnam(user)
    groups = {entry.pw_gid, *(g.gr_gid for g in _groups_of(user))}
    for directory in [*reversed(path.parents), path]:
        try:
            info = directory.stat()
        except FileNotFoundError:
            break  # created later by us, with the right owner
        if info.st_uid == entry.pw_uid:
            bit = stat.S_IXUSR
        elif info.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return False
    return True


def _groups_of(user: str) -> list[grp.struct_group]:
    return [g for g in grp.getgrall() if user in g.gr_mem]


class Cluster:
    """One PostgreSQL cluster: data in `root`/pgdata, socket in `root`/run, log in `root`/log."""

    def __init__(self, root: Path, *, socket_key: str | None = None):
        self.root = root
        self.pgdata = root / "pgdata"
        self.log = root / "log" / "postgres.log"
        candidate = root / "run"
        if len(str(candidate / ".s.PGSQL.5432")) <= _SOCKET_MAX:
            self.socket = candidate
        else:
            digest = hashlib.sha1((socket_key or str(root)).encode()).hexdigest()[:10]
            self.socket = Path("/tmp") / f"gis_portal-{digest}"

    def url(self, db: str = DB_NAME) -> str:
        return f"postgres://{DB_USER}@/{db}?host={self.socket}"

    def _run(self, args: list[str], check: bool = True, **kw) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            args = ["runuser", "-u", _owner(), "--", *args]
        # From "/": the postgres user may not be allowed into the current directory (a private checkout).
        return subprocess.run(args, check=check, cwd="/", **kw)

    def _mkdir_owned(self, path: Path, mode: int = 0o700) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = pwd.getpwnam(_owner())
            os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(path, mode)

    def running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        status = [str(_bindir() / "pg_ctl"), "status", "-D", str(self.pgdata)]
        return self._run(status, check=False, capture_output=True).returncode == 0

    def init(self) -> None:
        if (self.pgdata / "PG_VERSION").exists():
            return
        if os.geteuid() == 0 and not reachable_by(_owner(), self.root):
            raise DevDbError(f"The {_owner()} user cannot reach {self.root}: make its parent directories "
                             "traversable (chmod o+x) or set DATABASE_URL to a server you run.")
        self.root.mkdir(parents=True, exist_ok=True)
        self._mkdir_owned(self.pgdata)
        self._mkdir_owned(self.log.parent, 0o755)
        result = self._run([str(_bindir() / "initdb"), "-D", str(self.pgdata), "-U", DB_USER, "--auth=trust",
                            "-E", "UTF8", "--locale=C.UTF-8"], check=False, capture_output=True, text=True)
        if result.returncode != 0:
            raise DevDbError(f"initdb failed in {self.pgdata}: {result.stderr.strip()}")
        with open(self.pgdata / "postgresql.auto.conf", "a") as conf:
            for key, value in TUNING.items():
                conf.write(f"{key} = {value}\n")
            conf.write(f"unix_socket_directories = '{self.socket}'\n")

    def start(self, *, synchronous_commit: str = "on", database: str | None = DB_NAME) -> None:
        self.init()
        self._mkdir_owned(self.socket, 0o755)
        if not self.running():
            self._mkdir_owned(self.log.parent, 0o755)
            result = self._run([str(_bindir() / "pg_ctl"), "-D", str(self.pgdata), "-l", str(self.log),
                                "-w", "-t", "60", "start"], check=False, capture_output=True, text=True)
            if result.returncode != 0:
                raise DevDbError(f"PostgreSQL did not start; see {self.log}")
        self.wait_until_ready()
        # Every start applies the commit durability, also to clusters created with another value.
        self.psql(f"ALTER SYSTEM SET synchronous_commit = '{synchronous_commit}'")
        self.psql("SELECT pg_reload_conf()")
        if database:
            self.ensure_database(database)

    def wait_until_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.psql("SELECT 1")
                return
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise DevDbError(f"PostgreSQL did not answer on {self.socket}; see {self.log}") from None
                time.sleep(0.2)

    def psql(self, sql: str, db: str = "postgres") -> str:
        psql = _bindir() / "psql"
        out = subprocess.run([str(psql) if psql.exists() else "psql", "-h", str(self.socket), "-U", DB_USER,
                              "-d", db, "-tAc", sql], check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def ensure_database(self, name: str) -> None:
        if self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
            self.psql(f'CREATE DATABASE "{name}"')
        self.psql("CREATE EXTENSION IF NOT EXISTS postgis", db=name)

    def stop(self, mode: str = "fast") -> None:
        if self.running():
            self._run([str(_bindir() / "pg_ctl"), "-D", str(self.pgdata), "-m", mode, "-w", "stop"],
                      stdout=subprocess.DEVNULL)


def _shared_root() -> Path:
    return SHARED_ROOT / hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:12]


def cluster() -> Cluster:
    """This checkout's cluster: var/, or its own directory under /var/lib/gis-portal/ when var/ is
    out of the postgres user's reach (root in a private directory). Decided without side effects:
    settings call it on import."""
    shared = _shared_root()
    if not (VAR / "pgdata" / "PG_VERSION").exists():
        if (shared / "pgdata" / "PG_VERSION").exists():
            return Cluster(shared)
        if os.geteuid() == 0 and not reachable_by(_owner(create=False), VAR):
            return Cluster(shared)
    return Cluster(VAR, socket_key=str(BASE_DIR))


def socket_dir() -> Path:
    return cluster().socket


def database_url() -> str:
    return cluster().url()


def start() -> None:
    own = cluster()
    if own.root != VAR:
        SHARED_ROOT.mkdir(mode=0o711, parents=True, exist_ok=True)
        print(f"var/ is out of the {_owner()} user's reach (private directory): the database lives in {own.root}")
    own.start(synchronous_commit=os.environ.get("DEVDB_SYNCHRONOUS_COMMIT", "on"))


def stop() -> None:
    cluster().stop()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    actions = {"start": start, "stop": stop, "url": lambda: print(database_url())}
    if command not in actions:
        print(f"usage: python3 -m gis_portal.devdb [{'|'.join(actions)}]", file=sys.stderr)
        return 2
    try:
        actions[command]()
    except DevDbError as exc:
        print(f"gis_portal.devdb: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or "").strip() if isinstance(exc.stderr, str) else ""
        print(f"gis_portal.devdb: {' '.join(map(str, exc.cmd))} failed ({detail or exc.returncode}); "
              f"see {cluster().log}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
