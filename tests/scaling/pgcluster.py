"""Throw-away PostgreSQL clusters for the replica tests: a primary and a streaming hot standby.

Both listen only on a Unix socket in a private temporary directory (never on the network). initdb and
postgres refuse to run as root, so as root they run as the `postgres` system user.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PRIMARY_PORT, REPLICA_PORT = 5432, 5433  # socket file names only: nothing listens on TCP
SETTINGS = {
    "listen_addresses": "''",
    "wal_level": "replica",
    "max_wal_senders": "4",
    "hot_standby": "on",
    "shared_buffers": "32MB",
    "fsync": "off",  # throw-away clusters
    "synchronous_commit": "off",
    "wal_receiver_status_interval": "1s",
    "timezone": "'UTC'",
}


def bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"), reverse=True)
    return Path(found[0]).parent if found else Path(shutil.which("pg_basebackup")).parent


def _as_owner(args: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


class Cluster:
    def __init__(self, root: Path, name: str, port: int):
        self.root, self.data, self.port = root, root / name, port
        self.log = root / f"{name}.log"

    def pg(self, tool: str, *args: str) -> str:
        return _as_owner([str(bindir() / tool), *args]).stdout

    def start(self) -> None:
        self.pg("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def sql(self, sql: str, db: str = "postgres") -> str:
        return self.pg("psql", "-h", str(self.root), "-p", str(self.port), "-U", "postgres", "-d", db,
                       "-v", "ON_ERROR_STOP=1", "-tAc", sql).strip()


class PrimaryAndStandby:
    """`start()` creates the primary, `standby()` clones it with pg_basebackup -R and starts it."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="gisrepl-", dir="/tmp"))
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.primary = Cluster(self.root, "primary", PRIMARY_PORT)
        self.replica = Cluster(self.root, "replica", REPLICA_PORT)

    def start_primary(self) -> None:
        p = self.primary
        p.pg("initdb", "-D", str(p.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
             "--no-sync")
        conf = "".join(f"{key} = {value}\n" for key, value in
                       {**SETTINGS, "port": str(p.port), "unix_socket_directories": f"'{self.root}'"}.items())
        _as_owner(["sh", "-c", f"cat >> {p.data / 'postgresql.auto.conf'}"], input=conf)
        p.start()

    def start_standby(self) -> None:
        r = self.replica
        r.pg("pg_basebackup", "-h", str(self.root), "-p", str(self.primary.port), "-U", "postgres",
             "-D", str(r.data), "-R", "-X", "stream", "-c", "fast", "--no-sync")
        assert (r.data / "standby.signal").exists()
        _as_owner(["sh", "-c", f"echo 'port = {r.port}' >> {r.data / 'postgresql.auto.conf'}"])
        r.start()

    def wait_caught_up(self, db: str, timeout: float = 20) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        target = self.primary.sql("SELECT pg_current_wal_insert_lsn()", db)  # includes unflushed commits
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn", db) == "t":
                return
            time.sleep(0.05)
        raise TimeoutError(f"standby did not reach {target}")

    def destroy(self) -> None:
        for cluster in (self.replica, self.primary):
            try:
                cluster.stop("immediate")
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
