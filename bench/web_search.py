"""Address search at county scale: the map's search SQL with and without the trigram index.

A scratch database `bench_web_search` (created if missing, on the project's cluster) holds the two
tables the search reads, parcels_uat and parcels_parcel (same names and columns the query uses),
with BENCH_PARCELS (default 1,000,000) parcels whose addresses are "Strada <street> nr. <n>, <locality>"
(400 streets, 60 localities). For each query the exact SQL of `parcels.search.parcel_search_sql`
runs BENCH_RUNS times (median, ms) with the pg_trgm GIN index, then again after dropping it
(sequential scan: the same SQL without the index is the baseline). Timed: building the SQL
(with its cadastral-number check) and the GeoJSON FeatureCollection, i.e. the API minus HTTP. Writes bench/results/web_search.json.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
N = int(os.environ.get("BENCH_PARCELS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
DB = "bench_web_search"
QUERIES = {
    "street and number": "Trandafirilor 17",
    "full address": "Strada Castanilor nr. 12, Localitatea 7",
    "one rare word": "Localitatea 59",
    "common word (capped)": "Strada",
    "no match": "Inexistentă",
}


def main() -> None:
    os.environ.setdefault("DEBUG", "1")
    from gis_portal import devdb

    base = devdb.database_url()
    url = base.replace("/gis_portal?", f"/{DB}?")
    assert url != base, base
    subprocess.run(["psql", base, "-qc", f"CREATE DATABASE {DB}"], stderr=subprocess.DEVNULL)
    os.environ["DATABASE_URL"] = url
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")
    django.setup()
    from django.db import connection

    from parcels.search import parcel_search_sql

    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm")
        ready = False
        if _exists(cur):
            cur.execute("SELECT count(*) FROM parcels_parcel")
            ready = cur.fetchone()[0] == N
        t0 = time.perf_counter()
        if not ready:
            _generate(cur)
        generate_s = time.perf_counter() - t0
        cur.execute("CREATE INDEX IF NOT EXISTS parcel_address_trgm_idx ON parcels_parcel USING gin (address gin_trgm_ops)")
        cur.execute("VACUUM ANALYZE parcels_parcel")
        results = {}
        for label, q in QUERIES.items():
            results[label] = {"q": q, "indexed_ms": _median(q)}
        t0 = time.perf_counter()
        cur.execute("DROP INDEX parcel_address_trgm_idx")
        for label, q in QUERIES.items():
            results[label]["seqscan_ms"] = _median(q)
            sql, params = parcel_search_sql(q)
            results[label]["ratio_indexed_to_seqscan"] = round(results[label]["indexed_ms"] / results[label]["seqscan_ms"], 4)
            cur.execute("SELECT count(*) FROM (" + sql + ") s", params)
            results[label]["rows"] = cur.fetchone()[0]
        t0 = time.perf_counter()
        cur.execute("CREATE INDEX parcel_address_trgm_idx ON parcels_parcel USING gin (address gin_trgm_ops)")
        index_build_s = time.perf_counter() - t0
    out = {"parcels": N, "runs": RUNS, "generate_s": round(generate_s, 1), "index_build_s": round(index_build_s, 1),
           "queries": results, "machine": "2 cores, 24 GB, Debian 12, PostgreSQL 15 / PostGIS 3.3",
           "load_note": "measured while other engineers' suites and benchmarks ran on the same machine"}
    path = ROOT / "bench/results/web_search.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=2, ensure_ascii=False))


def _exists(cur) -> bool:
    cur.execute("SELECT to_regclass('parcels_parcel') IS NOT NULL")
    return cur.fetchone()[0]


def _generate(cur) -> None:
    cur.execute("DROP TABLE IF EXISTS parcels_parcel; DROP TABLE IF EXISTS parcels_uat")
    cur.execute("CREATE TABLE parcels_uat (id int PRIMARY KEY, siruta int, name text)")
    cur.execute("INSERT INTO parcels_uat SELECT i, 20000 + i, 'Localitatea ' || i FROM generate_series(1, 60) i")
    streets = ["Trandafirilor", "Castanilor", "Mărășești", "Ștefan cel Mare", "Unirii", "Libertății", "Teilor"]
    cur.execute("CREATE TABLE parcels_parcel (id bigint PRIMARY KEY, uat_id int, cadastral_number varchar(32), "
                "address varchar(255), measured_area_m2 float8, geom geometry(MultiPolygon, 3844))")
    # 400 street names: 7 real-looking ones and numbered others, a number 1..42 (one parcel per street, number and locality).
    cur.execute("""
        INSERT INTO parcels_parcel
        SELECT i, 1 + i %% 60, (100000 + i)::text,
               'Strada ' || CASE WHEN (i / 60) %% 400 < 7 THEN (%s::text[])[1 + (i / 60) %% 400]
                                 ELSE 'Strada' || ((i / 60) %% 400) END
               || ' nr. ' || (1 + i / 24000) || ', Localitatea ' || (1 + i %% 60),
               600.0,
               ST_Multi(ST_MakeEnvelope(600000 + (i %% 1000) * 30, 500000 + (i / 1000) * 60,
                                        600000 + (i %% 1000) * 30 + 28, 500000 + (i / 1000) * 60 + 58, 3844))
        FROM generate_series(1, %s) i""", [streets, N])
    cur.execute("CREATE INDEX parcel_cadastral_idx ON parcels_parcel (cadastral_number)")


def _median(q: str) -> float:
    """What the search API does for q, minus HTTP: build the SQL (cadastral check) and the GeoJSON."""
    from gis_portal.api.geojson import features_geojson
    from parcels.search import parcel_search_sql

    features_geojson(*parcel_search_sql(q))  # warm-up
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        features_geojson(*parcel_search_sql(q))
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)


if __name__ == "__main__":
    main()
