"""Benchmark: how long `manage.py demo_county --parcels N` takes into a scratch database.

Usage: .venv/bin/python bench/demo_county.py [--parcels 1000000] [--seed 1]
Creates (or recreates) the database `bench_demo` on the project's cluster, migrates it, runs the
command with DATABASE_URL pointing at it, and writes bench/results/demo_county.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gis_portal import devdb  # noqa: E402


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", str(devdb.socket_dir()), "-U", "postgres", "-d", db, "-Atc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", default="bench_demo")
    args = ap.parse_args()
    sock = devdb.socket_dir()
    psql(f"DROP DATABASE IF EXISTS {args.db}")
    subprocess.run(["createdb", "-h", str(sock), "-U", "postgres", args.db], check=True)
    psql("CREATE EXTENSION postgis", db=args.db)
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"postgres://postgres@/{args.db}?host={sock}",
           "MEDIA_ROOT": str(ROOT / "bench" / "data" / "media")}
    py = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([py, "manage.py", "migrate", "-v0", "--skip-checks"], cwd=ROOT, env=env, check=True)
    t0 = time.perf_counter()
    # stderr passes through, so a failure shows its traceback.
    out = subprocess.run([py, "manage.py", "demo_county", "--skip-checks", "--skip-seeds", "--parcels",
                          str(args.parcels), "--seed", str(args.seed)], cwd=ROOT, env=env, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    wall = time.perf_counter() - t0
    print(out)
    phases = {}
    for line in out.splitlines():
        if line.startswith("  ") and line.rstrip().endswith(" s") and ": " in line:
            name, value = line.strip().rsplit(": ", 1)
            phases[name] = float(value[:-2])
    counts = {t: int(psql(f"SELECT count(*) FROM {t}", db=args.db)) for t in
              ("parcels_parcel", "parcels_building", "layers_feature", "layers_featurepart")}
    size = psql(f"SELECT pg_size_pretty(pg_database_size('{args.db}'))")
    # Reference in the same run: bare SQL copy of the parcel table (what any loader must at least pay).
    t1 = time.perf_counter()
    psql("CREATE TABLE bench_copy AS SELECT * FROM parcels_parcel; CREATE INDEX ON bench_copy USING gist (geom);"
         " DROP TABLE bench_copy", db=args.db)
    bare = time.perf_counter() - t1
    result = {
        "name": "demo_county", "parcels": args.parcels, "seed": args.seed, "wall_seconds": round(wall, 1),
        "phases_seconds": phases, "counts": counts, "database_size": size,
        "bare_sql_ctas_with_gist_seconds": round(bare, 1), "ratio_to_bare_sql": round(wall / bare, 2),
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    (ROOT / "bench" / "results" / "demo_county.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
