"""Benchmark: GET /api/v1/parcels/at/ under load (2 gunicorn workers, wrk on loopback) and a
500-parcel bbox page, on the parcels loaded by bench/parcels_import.py (database bench_parcels).

    .venv/bin/python bench/parcels_api.py [--parcels 1000000] [--duration 15]

`--parcels N` loads N parcels first (via parcels_import.py) when the table holds a different count.
In the same run, the exact SQL statements the selectors send (recorded in-process through a Django
execute wrapper) are replayed through a bare psycopg connection with client-side binding like
Django's: the ratio HTTP / bare SQL is the cost of everything around the query. `uptime` load
averages are recorded before and after.
Writes bench/results/parcels_api.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from parcels_import import BACAU_E, BACAU_N, RESULTS, database_url, psql  # noqa: E402

PORT = 8765
LUA = """
-- Rotate through points spread over the generated parcel grid (lon/lat, EPSG:4326).
local points = {%s}
local i = 0
request = function()
  i = i %% #points + 1
  return wrk.format("GET", "/api/v1/parcels/at/?lon=" .. points[i][1] .. "&lat=" .. points[i][2])
end
"""


def sample_points(url: str, n: int = 500) -> list[tuple[float, float]]:
    rows = psql(url, f"""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointOnSurface(geom), 4326) p
                         FROM parcels_parcel TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT {n}) s""")
    return [tuple(map(float, line.split("|"))) for line in rows.splitlines()]


def wait_ready(port: int) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def timed_get(url: str, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            body = response.read()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, json.loads(body)


def recorded_sql(url: str, points: list[tuple[float, float]], bbox: str) -> dict[str, list[tuple[str, list]]]:
    """The statements the selectors send for each /at/ point and for the bbox page."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from parcels import selectors

    out: dict[str, list[tuple[str, list]]] = {"at": [], "bbox": []}
    target: list = []

    def wrapper(execute, sql, params, many, context):
        target.append((sql, list(params or [])))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        target = out["at"]
        for lon, lat in points:
            selectors.parcels_at(x=lon, y=lat, point_srid=4326, srid=4326)
        target = out["bbox"]
        selectors.parcel_page(bbox=tuple(float(v) for v in bbox.split(",")), bbox_srid=4326, srid=4326, limit=500)
    return out


def bare_sql_ms(url: str, statements: list[tuple[str, list]], repeat: int = 1) -> list[float]:
    import psycopg

    times = []
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True,
                         cursor_factory=psycopg.ClientCursor) as conn, conn.cursor() as cur:
        for sql, params in statements[:20]:  # warm-up (PROJ objects, catalog caches)
            cur.execute(sql, params)
            cur.fetchall()
        for _ in range(repeat):
            for sql, params in statements:
                t0 = time.perf_counter()
                cur.execute(sql, params)
                cur.fetchall()
                times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=15)
    args = parser.parse_args()
    url = database_url("bench_parcels")
    count = int(psql(url, "SELECT count(*) FROM parcels_parcel") or 0)
    if count != args.parcels:
        subprocess.run([sys.executable, str(ROOT / "bench" / "parcels_import.py"), "--parcels", str(args.parcels)],
                       check=True)
        count = int(psql(url, "SELECT count(*) FROM parcels_parcel"))
    psql(url, "ANALYZE parcels_parcel")
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
           "DATABASE_URL": url, "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "ERROR", "ALLOWED_HOSTS": "127.0.0.1"}
    load_before = [round(v, 2) for v in os.getloadavg()]
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "gis_portal.wsgi", "-w", "2", "-b",
                               f"127.0.0.1:{PORT}", "--log-level", "error"], cwd=ROOT, env=env)
    try:
        wait_ready(PORT)
        points = sample_points(url)
        script = Path("/tmp/parcels_at.lua")
        script.write_text(LUA % ",".join(f"{{{x:.7f},{y:.7f}}}" for x, y in points))
        base = f"http://127.0.0.1:{PORT}"
        # Warm-up: connections, plans and caches of both workers.
        subprocess.run(["wrk", "-t1", "-c4", "-d3s", "-s", str(script), base], capture_output=True, check=True)
        out = subprocess.run(["wrk", "-t2", "-c8", f"-d{args.duration}s", "--latency", "-s", str(script), base],
                             capture_output=True, text=True, check=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
        p50_ms = float(p50.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
        p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
        p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        # Single-client latency of one /at/ request (no queueing): median of 200.
        single, _ = timed_get(f"{base}/api/v1/parcels/at/?lon={points[0][0]}&lat={points[0][1]}", 200)
        # A bbox page of 500 parcels around the centre (~25 x 20 parcels of 20 x 30 m).
        bbox = psql(url, f"""SELECT concat_ws(',', ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)) FROM
                    (SELECT ST_Transform(ST_MakeEnvelope({BACAU_E}, {BACAU_N}, {BACAU_E + 500}, {BACAU_N + 600}, 3844), 4326) b) s""")
        page, body = timed_get(f"{base}/api/v1/parcels/?bbox={bbox}&limit=500", 50)
        statements = recorded_sql(url, points, bbox)
        at_sql = bare_sql_ms(url, [statements["at"][0]] * 200)
        at_sql_rotating = bare_sql_ms(url, statements["at"])
        bbox_sql = bare_sql_ms(url, statements["bbox"] * 50)
        single_p50 = statistics.median(single)
        result = {
            "load_average_1_5_15": {"before": load_before, "after": [round(v, 2) for v in os.getloadavg()]},
            "name": "parcels_api", "parcels": count, "workers": 2, "load_tool": "wrk -t2 -c8 (Lua script rotating 500 points)",
            "duration_s": args.duration,
            "at": {"requests_per_s": rps, "p50_ms": p50_ms, "p99_ms": p99_ms,
                   "non_2xx": int(non2xx.group(1)) if non2xx else 0,
                   "single_client_p50_ms": round(single_p50, 2),
                   "bare_sql_p50_ms": round(statistics.median(at_sql), 3),
                   "bare_sql_rotating_points_p50_ms": round(statistics.median(at_sql_rotating), 3),
                   "ratio_single_client_to_sql": round(single_p50 / statistics.median(at_sql), 2)},
            "bbox_page": {"features": len(body["features"]), "p50_ms": round(statistics.median(page), 2),
                          "p90_ms": round(sorted(page)[int(len(page) * 0.9)], 2),
                          "bare_sql_p50_ms": round(statistics.median(bbox_sql), 2),
                          "ratio_to_sql": round(statistics.median(page) / statistics.median(bbox_sql), 2)},
            "wrk_output": out,
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "parcels_api.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "wrk_output"}, indent=2))


if __name__ == "__main__":
    main()
