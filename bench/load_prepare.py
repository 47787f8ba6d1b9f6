"""Prepare the database `bench_load` for bench/load_mixed.py: the 1M-parcel demo county.

    .venv/bin/python bench/load_prepare.py [--parcels 1000000] [--seed 1] [--force]

Creates (or, with --force, recreates) `bench_load` on the project's cluster, migrates it and runs
`manage.py demo_county --parcels N` into it with DATABASE_URL, then VACUUM ANALYZE. Skips the
generation when the database already holds N parcels. The applications and tokens the mixed workload
reads are added by load_mixed.py itself (quick and idempotent).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gis_portal import devdb  # noqa: E402

DB = "bench_load"
MEDIA = ROOT / "bench" / "data" / "load_media"


def database_url(db: str = DB) -> str:
    return f"postgres://postgres@/{db}?host={devdb.socket_dir()}"


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", str(devdb.socket_dir()), "-U", "postgres", "-d", db, "-Atc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def django_env(db: str = DB) -> dict[str, str]:
    return {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url(db), "MEDIA_ROOT": str(MEDIA)}


def parcel_count(db: str = DB) -> int:
    try:
        return int(psql("SELECT count(*) FROM parcels_parcel", db=db) or 0)
    except subprocess.CalledProcessError:
        return -1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    py = str(ROOT / ".venv" / "bin" / "python")
    if not args.force and parcel_count() == args.parcels:
        # Bring the schema up to the code's (new migrations since the county was generated).
        subprocess.run([py, "manage.py", "migrate", "-v0", "--skip-checks"], cwd=ROOT, env=django_env(), check=True)
        print(f"{DB} already holds {args.parcels} parcels (migrated)")
        return
    psql(f"DROP DATABASE IF EXISTS {DB}")
    subprocess.run(["createdb", "-h", str(devdb.socket_dir()), "-U", "postgres", DB], check=True)
    psql("CREATE EXTENSION postgis", db=DB)
    env = django_env()
    subprocess.run([py, "manage.py", "migrate", "-v0", "--skip-checks"], cwd=ROOT, env=env, check=True)
    t0 = time.perf_counter()
    subprocess.run([py, "manage.py", "demo_county", "--skip-checks", "--parcels", str(args.parcels),
                    "--seed", str(args.seed)], cwd=ROOT, env=env, check=True)
    psql("VACUUM ANALYZE", db=DB)
    print(f"demo_county --parcels {args.parcels} into {DB}: {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
