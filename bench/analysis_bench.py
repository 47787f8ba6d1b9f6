"""Benchmark: analysis of one parcel through HTTP vs the bare SQL of the same spatial tests.

Usage:
  .venv/bin/python bench/analysis_bench.py --small            # 20 000-parcel demo county (quick)
  .venv/bin/python bench/analysis_bench.py                    # 1 000 000-parcel demo county
  .venv/bin/python bench/analysis_bench.py --database-url URL # any migrated, filled database

Without --database-url (or DATABASE_URL) it creates `bench_analysis` (or `bench_analysis_small`)
on the project's cluster, migrates it and fills it with `manage.py demo_county --parcels N`
(which also seeds institutions and rules) unless it already holds N parcels.

Method, in one run:
1. For each sampled parcel, run the analysis in-process once, untimed, recording every spatial
   statement rules.spatial sends (the SQL text and its parameters) via a Django execute wrapper.
2. Serve the project with gunicorn (1 sync worker, DEBUG off) and POST {"parcels": [id]} to
   /api/v1/analyses/ over one keep-alive connection: the full path (parse, analyse, store, JSON).
3. Replay the recorded statements of each parcel through a bare psycopg connection and time
   their sum: the spatial tests alone, no Python around them.
Writes bench/results/analysis.json.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = 8766


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def prepare(parcels: int, name: str) -> str:
    from gis_portal import devdb

    base = devdb.database_url()
    admin = base.replace("/gis_portal?", "/postgres?")
    url = base.replace("/gis_portal?", f"/{name}?")
    if not psql(admin, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        psql(admin, f"CREATE DATABASE {name}")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    if int(psql(url, "SELECT count(*) FROM parcels_parcel")) < parcels:
        print(f"generating the demo county with {parcels} parcels…", flush=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", "demo_county", "--parcels", str(parcels), "--force"],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        psql(url, "VACUUM ANALYZE")
        print(f"  {time.perf_counter() - started:.0f} s", flush=True)
    return url


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def record_statements(parcel_ids: list[int]) -> dict[int, list[tuple[str, list]]]:
    """Run each analysis in-process (rolled back) and keep the spatial statements it sent."""
    from django.db import connection, transaction

    from rules.services import analysis_create

    recorded: dict[int, list[tuple[str, list]]] = {}
    current: list[tuple[str, list]] = []

    def wrapper(execute, sql, params, many, context):
        if "ST_" in sql and "INSERT" not in sql:
            current.append((sql, list(params or [])))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        for pid in parcel_ids:
            current.clear()
            with transaction.atomic():
                analysis_create(parcels=[pid])
                transaction.set_rollback(True)
            recorded[pid] = list(current)
    return recorded


def measure_sql(url: str, recorded: dict[int, list[tuple[str, list]]]) -> list[float]:
    import psycopg

    times = []
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        for statements in recorded.values():
            t0 = time.perf_counter()
            for sql, params in statements:
                with conn.cursor() as cur:
                    cur.execute(sql, params)
                    cur.fetchall()
            times.append((time.perf_counter() - t0) * 1000)
    return times


def measure_http(parcel_ids: list[int]) -> tuple[list[float], list[int]]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    times, sizes = [], []
    for pid in parcel_ids:
        body = json.dumps({"parcels": [pid]})
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/analyses/", body=body,
                     headers={"Host": "127.0.0.1", "Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status == 201, (response.status, data[:300])
        sizes.append(len(data))
    conn.close()
    return times, sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true", help="a 20 000-parcel county instead of 1 000 000")
    parser.add_argument("--parcels", type=int, help="county size to generate (default 1 000 000, --small 20 000)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    parcels = args.parcels or (20_000 if args.small else 1_000_000)
    url = args.database_url or prepare(parcels, "bench_analysis_small" if args.small else "bench_analysis")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")
    import django

    django.setup()
    from layers.models import FeaturePart, Layer
    from parcels.models import Parcel
    from rules.models import Analysis

    count = Parcel.objects.count()
    # A deterministic spread of parcels over the whole county (every k-th id).
    ids = list(Parcel.objects.order_by("id").values_list("id", flat=True)[:: max(1, count // args.samples)])
    ids = ids[: args.samples]
    recorded = record_statements(ids)
    statements = statistics.mean(len(s) for s in recorded.values())

    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50,
           "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "ERROR",
           "THROTTLE_ANALYSIS": "1000000/min"}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", "1", "-b", f"127.0.0.1:{PORT}",
                               "--log-level", "error", "gis_portal.wsgi"], cwd=ROOT, env=env)
    before = Analysis.objects.count()
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        measure_http(ids[:20])  # warm the worker (imports, connection, caches)
        measure_sql(url, dict(list(recorded.items())[:20]))
        http_ms, sizes = measure_http(ids)
        sql_ms = measure_sql(url, recorded)
    finally:
        server.terminate()
        server.wait(10)
    # The benchmark's analyses are not data anyone asked for.
    Analysis.objects.filter(pk__in=Analysis.objects.order_by("created_at").values("pk")[before:]).delete()
    results = {
        "samples": len(ids), "mean_response_bytes": round(statistics.mean(sizes)),
        "spatial_statements_per_analysis": round(statements, 1),
        "http_p50_ms": round(p(http_ms, 0.5), 2), "http_p95_ms": round(p(http_ms, 0.95), 2),
        "sql_p50_ms": round(p(sql_ms, 0.5), 2), "sql_p95_ms": round(p(sql_ms, 0.95), 2),
        "ratio_p50": round(p(http_ms, 0.5) / p(sql_ms, 0.5), 2),
    }
    doc = {
        "benchmark": "analysis of one parcel through HTTP vs the bare SQL of the same spatial tests",
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "postgres": psql(url, "SHOW server_version"), "postgis": psql(url, "SELECT postgis_lib_version()")},
        "data": {"parcels": count, "layers": Layer.objects.count(), "feature_parts": FeaturePart.objects.count(),
                 "database": url.split("?")[0].rsplit("/", 1)[-1]},
        "server": "gunicorn 1 sync worker, DEBUG off, keep-alive client on the same host",
        "targets": {"http_p50_ms": 25, "ratio_max": 3},
        "results": results,
        "pass": results["http_p50_ms"] <= 25 and results["ratio_p50"] <= 3,
    }
    name = "analysis_small.json" if args.small else "analysis.json"
    (ROOT / "bench" / "results" / name).write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
