"""Web map benchmark: time to interactive of the investor map and what panning at z16 requests.

Runs gunicorn on loopback against its own database `bench_web_map` on the project's cluster (created,
migrated and filled with the 5,000-parcel demo county, `manage.py demo_county --parcels 5000`, when it
has no parcels yet), drives Debian's headless Chromium (SwiftShader WebGL) and records:
- time to interactive: navigation start → MapLibre `load` with every tile of the first view loaded
  (the page's own `map.loaded() && map.areTilesLoaded()`), median of N cold loads (new context each);
  the first view is the page's own (the town at z15, constraint layers off until toggled);
- first-input readiness of the same loads: search form (DOMContentLoaded), map click (MapLibre `load`);
- panning at z16 over the demo town: every request made during 10 pans must be a vector tile.
Writes bench/results/web_map.json.
"""
from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
sys.path.insert(0, str(ROOT))
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

DB = "bench_web_map"
READY = "() => window.portalMap && window.portalMap.loaded() && window.portalMap.areTilesLoaded()"
# First-input readiness, reported beside time to interactive: the search form works once the page's
# modules ran (DOMContentLoaded); a click on the map selects a parcel from MapLibre `load` on (the
# page's own `portal:map-load` performance mark).
MARKS = """() => ({dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
             load: performance.getEntriesByName("portal:map-load")[0].startTime})"""


def prepare_database() -> str:
    """URL of the benchmark database, with the demo county in it (generated once, ~1 min)."""
    from gis_portal import devdb

    sock = devdb.socket_dir()
    url = f"postgres://postgres@/{DB}?host={sock}"

    def psql(sql: str, db: str) -> str:
        return subprocess.run(["psql", "-h", str(sock), "-U", "postgres", "-d", db, "-Atc", sql],
                              capture_output=True, text=True).stdout.strip()

    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'", "postgres"):
        subprocess.run(["createdb", "-h", str(sock), "-U", "postgres", DB], check=True)
        psql("CREATE EXTENSION postgis", DB)
    if psql("SELECT count(*) FROM parcels_parcel", DB) != "5000":
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url, "MEDIA_ROOT": str(ROOT / "bench" / "data" / "media")}
        py = str(ROOT / ".venv" / "bin" / "python")
        subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([py, "manage.py", "demo_county", "--parcels", "5000", "--force"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    return url


def start_server(database_url: str) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url}
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "gis_portal.wsgi", "--bind", f"127.0.0.1:{PORT}",
                             "--workers", "3", "--threads", "2", "--log-level", "warning"], cwd=ROOT, env=env,
                            start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    from playwright.sync_api import sync_playwright

    server = start_server(prepare_database())
    load_start = os.getloadavg()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            times, tile_counts, search_ready, map_load = [], [], [], []
            for i in range(RUNS + 1):  # the first run warms the server (imports, connections)
                ctx = browser.new_context(viewport={"width": 1280, "height": 860})
                page = ctx.new_page()
                tiles = []
                page.on("request", lambda r, tiles=tiles: "/tiles/" in r.url and tiles.append(r.url))
                page.goto(f"{BASE}/")
                page.wait_for_function(READY, timeout=30_000)
                elapsed = page.evaluate("() => performance.now()")
                if i:
                    times.append(elapsed)
                    tile_counts.append(len(tiles))
                    marks = page.evaluate(MARKS)
                    search_ready.append(marks["dcl"])
                    map_load.append(marks["load"])
                ctx.close()
            # panning at z16 over the demo town: only tiles, never GeoJSON of whole layers
            ctx = browser.new_context(viewport={"width": 1280, "height": 860})
            page = ctx.new_page()
            page.goto(f"{BASE}/")
            page.wait_for_function(READY, timeout=30_000)
            page.evaluate("() => window.portalMap.jumpTo({center: [26.9146, 46.5670], zoom: 16})")
            page.wait_for_function(READY, timeout=30_000)
            seen: list[str] = []
            page.on("request", lambda r: seen.append(r.url))
            pan_ms = []
            for step in range(10):
                t0 = time.perf_counter()
                page.evaluate(f"() => window.portalMap.panBy([{300 if step % 2 else -300}, 150], {{duration: 0}})")
                page.wait_for_function(READY, timeout=30_000)
                pan_ms.append((time.perf_counter() - t0) * 1000)
            parcels_drawn = page.evaluate("() => window.portalMap.queryRenderedFeatures({layers: ['parcels-fill']}).length")
            ctx.close()
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    non_tiles = [u for u in seen if "/tiles/" not in u]
    result = {
        "machine": "2 cores, 24 GB, Debian 12, PostgreSQL 15 / PostGIS 3.3, headless Chromium + SwiftShader",
        "parcels": 5000,
        "load_average_start_end": [round(load_start[0], 2), round(os.getloadavg()[0], 2)],
        "runs": RUNS,
        "time_to_interactive_ms": {"median": round(statistics.median(times)), "min": round(min(times)),
                                   "max": round(max(times)), "all": [round(t) for t in times]},
        "first_input_ms": {"search_form_median": round(statistics.median(search_ready)),
                           "map_click_median": round(statistics.median(map_load))},
        "tiles_first_view": statistics.median(tile_counts),
        "pan_z16": {"pans": 10, "requests": len(seen), "non_tile_requests": non_tiles,
                    "median_ms_until_idle": round(statistics.median(pan_ms)), "parcels_drawn_after": parcels_drawn},
    }
    out = ROOT / "bench" / "results" / "web_map.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
