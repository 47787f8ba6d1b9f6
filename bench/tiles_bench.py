"""Benchmark: parcel vector tiles through HTTP vs the bare ST_AsMVT query, on a 1M-parcel county.

Usage: .venv/bin/python bench/tiles_bench.py [--parcels 1000000] [--database-url URL] [--samples 300]

Without --database-url it creates the database `bench_tiles` on the project's cluster, migrates
it and fills parcels_parcel with N parcels in SQL (generate_series: a 1000-column grid of
30 m × 60 m lots south-west of Bacău, vertices jittered so no two are alike) — fast and
independent of the demo generator. Pass --database-url to measure an existing database
instead (e.g. the one `manage.py demo_county --parcels 1000000` filled).
It then serves the project with gunicorn in the production configuration (scripts/gunicorn.conf.py,
the one `make run` uses; DEBUG off) and fetches random z16 and z14 tiles over one keep-alive HTTP
connection and, tile by tile in the same run, through psycopg — the honest baseline: the identical
SQL and parameters (layers.tiles.tile_sql + tile_params, the per-tile affine fit included in the
timing) executed as the view executes it (prepared statement, binary result) on a plain psycopg
connection. Each tile is fetched both ways back to back, in alternating order, so both see the
same load and cache state. For reference also the previous exact query (ST_Transform of every
vertex). Load averages are recorded before and after. Writes bench/results/tiles.json.
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchdb import migrated_database, psql  # noqa: E402
from procstat import child_pids  # noqa: E402
from rawhttp import LibClient, RawClient  # noqa: E402

DB = "bench_tiles"
PORT = 8771
# South-west corner of the grid (EPSG:3844) and lot size.
E0, N0, LOT_W, LOT_H, COLS = 632_000.0, 535_000.0, 30.0, 60.0, 1000


def prepare(parcels: int) -> str:
    url, _env = migrated_database(DB)
    if int(psql(url, "SELECT count(*) FROM parcels_parcel")) != parcels:
        print(f"generating {parcels} parcels…", flush=True)
        started = time.perf_counter()
        psql(url, "TRUNCATE parcels_parcel CASCADE")
        psql(url, f"""
            INSERT INTO parcels_uat (siruta, name, county, county_code, kind, boundary)
            VALUES (999001, 'Bench UAT', 'Bacău', 'BC', 'comuna',
                    ST_Multi(ST_MakeEnvelope({E0 - 100}, {N0 - 100}, {E0 + COLS * LOT_W + 100},
                                             {N0 + (parcels // COLS + 1) * LOT_H + 100}, 3844)))
            ON CONFLICT (siruta) DO NOTHING""")
        psql(url, f"""
            INSERT INTO parcels_parcel (uat_id, cadastral_number, cf_number, old_cf_number, topo_number, geom,
                                        measured_area_m2, use_category, address, updated_at)
            SELECT u.id, (100000 + i)::text, '', '', '', g, ST_Area(g), 'CC', '', now()
            FROM parcels_uat u, generate_series(0, {parcels - 1}) AS i,
            LATERAL (SELECT {E0} + (i % {COLS}) * {LOT_W} AS e, {N0} + (i / {COLS}) * {LOT_H} AS n,
                            (abs(hashint4(i)) % 100) / 100.0 AS j) c,
            LATERAL (SELECT ST_Multi(ST_SetSRID(ST_MakePolygon(ST_MakeLine(ARRAY[
                ST_MakePoint(c.e, c.n), ST_MakePoint(c.e + {LOT_W} - c.j, c.n + c.j),
                ST_MakePoint(c.e + {LOT_W}, c.n + {LOT_H} / 2 + c.j), ST_MakePoint(c.e + {LOT_W} - c.j, c.n + {LOT_H}),
                ST_MakePoint(c.e + c.j, c.n + {LOT_H}), ST_MakePoint(c.e, c.n)])), 3844)) AS g) p
            WHERE u.siruta = 999001""")
        psql(url, "VACUUM ANALYZE parcels_parcel")
        print(f"  {time.perf_counter() - started:.0f} s", flush=True)
    return url


def tiles_in_grid(url: str, z: int, count: int, rng: random.Random) -> list[tuple[int, int, int]]:
    """Random tiles whose centre lies inside the parcel grid (WGS 84 → XYZ)."""
    rows = psql(url, "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Transform("
                     "ST_SetSRID(ST_EstimatedExtent('public', 'parcels_parcel', 'geom')::geometry, 3844), 4326) e) s")
    minlon, minlat, maxlon, maxlat = (float(v) for v in rows.split("|"))
    n = 2 ** z
    out = []
    for _ in range(count):
        lon = rng.uniform(minlon + 0.2 * (maxlon - minlon), maxlon - 0.2 * (maxlon - minlon))
        lat = rng.uniform(minlat + 0.2 * (maxlat - minlat), maxlat - 0.2 * (maxlat - minlat))
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        out.append((z, x, y))
    return out


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def sql_runner(url: str):
    """A function running one tile through psycopg with the view's SQL, parameters and execution;
    it returns (ms for fit + query, ms for the query alone, bytes). exact=True runs the ST_Transform
    query instead, for reference."""
    import django
    import psycopg

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")
    os.environ.setdefault("DEBUG", "1")
    django.setup()
    from layers.tiles import BUILTIN, tile_params, tile_sql

    _, props, table, where = BUILTIN["parcels"]
    conn = psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)
    cur = conn.cursor(binary=True)

    run_pid = conn.info.backend_pid

    def run(z: int, x: int, y: int, exact: bool = False) -> tuple[float, float, int]:
        t0 = time.perf_counter()
        params, affine = ({"z": z, "x": x, "y": y}, False) if exact else tile_params(z, x, y)
        t1 = time.perf_counter()
        cur.execute(tile_sql(props=props, table=table, where=where, affine=affine), {**params, "name": "parcels"},
                    prepare=True)
        data = cur.fetchone()[0] or b""
        t2 = time.perf_counter()
        return (t2 - t0) * 1000, (t2 - t1) * 1000, len(data)

    run.backend_pid = run_pid
    return run


def cpu_ns(pid: int) -> int:
    """CPU time (ns) of all threads of a process so far, from the scheduler's own accounting."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # the thread ended meanwhile
    return total


def cpu_per_tile_ms(tiles, fetch, pids) -> float:
    """CPU spent per tile by this process plus the processes pids() lists (read before and after, so
    a process started meanwhile counts from zero)."""
    before = {pid: cpu_ns(pid) for pid in pids()}
    own = time.process_time_ns()
    for tile in tiles:
        fetch(*tile)
    own = time.process_time_ns() - own
    others = sum(cpu_ns(pid) - before.get(pid, 0) for pid in set(before) | set(pids()))
    return round((own + others) / len(tiles) / 1e6, 3)


def http_runner(client_class=RawClient):
    """A function fetching one tile over one keep-alive connection (bench/rawhttp.py): (ms, bytes)."""
    client = client_class(PORT)

    def run(z: int, x: int, y: int) -> tuple[float, int]:
        elapsed, status, body = client.request("GET", f"/tiles/parcels/{z}/{x}/{y}.pbf")
        assert status == 200, (status, body[:200])
        return elapsed, len(body)

    return run


def server_pids(url: str, server_pid: int, own_backend: int) -> list[int]:
    """The gunicorn workers and every other PostgreSQL backend on the bench database."""
    backends = psql(url, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                         f"AND pid NOT IN (pg_backend_pid(), {own_backend})").split()
    return child_pids(server_pid) + [int(pid) for pid in backends]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    url = args.database_url or prepare(args.parcels)
    count = int(psql(url, "SELECT count(*) FROM parcels_parcel"))
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50,
           "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "ERROR"}
    # The production server configuration (as `make run`), access log discarded.
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", "scripts/gunicorn.conf.py", "-b",
                               f"127.0.0.1:{PORT}", "--log-level", "error", "gis_portal.wsgi"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited (port {PORT} in use?)")
        sql, http_get, http_lib = sql_runner(url), http_runner(), http_runner(LibClient)
        rng = random.Random(42)
        results = {}
        load_before = load_average()
        for z, n in ((16, args.samples), (14, max(args.samples // 3, 30))):
            tiles = tiles_in_grid(url, z, n + 20, rng)
            warm_up, tiles = tiles[:20], tiles[20:]
            for tile in warm_up:  # other tiles: the worker's connection and both prepared statements
                sql(*tile)
                http_get(*tile)
            sql_ms, query_ms, http_ms, sizes = [], [], [], []
            for i, tile in enumerate(tiles):
                if i % 2:
                    (h, h_size), (s, q, s_size) = http_get(*tile), sql(*tile)
                else:
                    (s, q, s_size), (h, h_size) = sql(*tile), http_get(*tile)
                # Same tile, same SQL. Sizes may still differ by a few %: PostgreSQL may run ST_AsMVT as a
                # parallel aggregate, and merging the workers' partial tiles orders rows, keys and values
                # differently from run to run.
                assert abs(s_size - h_size) <= 0.05 * max(s_size, 1), "HTTP and SQL returned different tiles"
                sql_ms.append(s), query_ms.append(q), http_ms.append(h)
                sizes.append(h_size)
            exact_ms = [sql(*tile, exact=True)[0] for tile in tiles]
            http_lib_ms = [http_lib(*tile)[0] for tile in tiles]
            # CPU per tile, which contention from other processes does not inflate: the client plus the
            # gunicorn workers and their PostgreSQL backends, vs the client plus its own backend.
            cpu_http = cpu_per_tile_ms(tiles, http_get, lambda: server_pids(url, server.pid, sql.backend_pid))
            cpu_sql = cpu_per_tile_ms(tiles, sql, lambda: [sql.backend_pid])
            results[f"z{z}"] = {
                "tiles": len(tiles), "mean_bytes": round(statistics.mean(sizes)),
                "http_p50_ms": round(p(http_ms, 0.5), 2), "http_p95_ms": round(p(http_ms, 0.95), 2),
                "sql_p50_ms": round(p(sql_ms, 0.5), 2), "sql_p95_ms": round(p(sql_ms, 0.95), 2),
                "ratio_p50": round(p(http_ms, 0.5) / p(sql_ms, 0.5), 2),
                "query_only_p50_ms": round(p(query_ms, 0.5), 2),
                "exact_st_transform_sql_p50_ms": round(p(exact_ms, 0.5), 2),
                "http_client_lib_p50_ms": round(p(http_lib_ms, 0.5), 2),
                "cpu_per_tile_ms": {"http": cpu_http, "sql": cpu_sql, "ratio": round(cpu_http / cpu_sql, 2)},
            }
            print(f"z{z}: {results[f'z{z}']}", flush=True)
    finally:
        server.terminate()
        server.wait(10)
    doc = {
        "benchmark": "parcel vector tiles (ST_AsMVT) through HTTP vs bare SQL",
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "postgres": psql(url, "SHOW server_version"), "postgis": psql(url, "SELECT postgis_lib_version()")},
        "parcels": count, "server": "gunicorn -c scripts/gunicorn.conf.py (3 stock gthread workers x 2 threads, as make run), DEBUG off, "
                  "one keep-alive client connection on the same host (a minimal socket client; http_client_lib: Python http.client)",
        "baseline": "same SQL and parameters through psycopg, prepared, binary result; affine fit included",
        "load_average_1_5_15": {"before": load_before, "after": load_average()},
        "targets": {"z16_http_p50_ms": 10, "z16_ratio_max": 1.5, "z14_http_p50_ms": 60},
        "results": results,
        "pass": results["z16"]["http_p50_ms"] <= 10 and results["z16"]["ratio_p50"] <= 1.5
        and results["z14"]["http_p50_ms"] <= 60,
    }
    out = ROOT / "bench" / "results" / "tiles.json"
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
