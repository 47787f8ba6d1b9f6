"""Benchmark: a 60-second mixed workload against gunicorn on the 1M-parcel county, driven by wrk.

    .venv/bin/python bench/load_prepare.py        # once: demo_county --parcels 1000000 into bench_load
    flock /tmp/bench.lock .venv/bin/python bench/load_mixed.py [--duration 60] [--connections 16] [--cpu-only]

Mix (weights of a pre-shuffled rotation of 2,000 requests, see MIX): parcel lookup by point, bbox
lists of parcels, z15/z16 parcel and building vector tiles, analyses (new POSTs and reads of stored
ones) and an investor's application list and details with a token. The fixtures (investor, token,
draft applications, stored analyses) are created idempotently through the real services.
The server runs in the product's configuration (scripts/gunicorn.conf.py, as `make run`), DEBUG off.
Recorded besides throughput and latency: the CPU per request of the mix and of each kind (gunicorn
workers + PostgreSQL backends, from /proc: robust to other work on the machine) and the load average.
Targets: ≥ 200 requests/s, zero errors (socket errors and non-2xx), p99 ≤ 250 ms.
Writes bench/results/load.json (not with --cpu-only); the wrk Lua script is bench/load_mixed.lua.

--replica-restart (`make load-replica`): the same load with reads served by a streaming hot standby
of a copy of bench_load, stopped a third into the run and started again at two thirds; the target is
0 errors (bench/results/load_replica.json, with the standby's transaction counts around the stop).
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from procstat import child_pids, cpu_seconds  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from load_prepare import DB, MEDIA, database_url, parcel_count, psql  # noqa: E402

PORT = 8799
GUNICORN_CONF = ROOT / "scripts" / "gunicorn.conf.py"
LUA = ROOT / "bench" / "load_mixed.lua"
REQUESTS_FILE = ROOT / "bench" / "data" / "load_requests.json"
RESULTS = ROOT / "bench" / "results" / "load.json"
MIX = {"parcel_at": 30, "parcel_bbox": 15, "tile_parcels": 20, "tile_buildings": 10,
       "analysis_get": 8, "analysis_post": 2, "application_list": 7, "application_get": 8}
APPLICATIONS, ANALYSES, POINTS = 20, 100, 2000
SERVER_ENV = {
    "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-load",
    "DATABASE_URL": database_url(), "MEDIA_ROOT": str(MEDIA), "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "ERROR", "DB_CONN_MAX_AGE": "600",
    # wrk is one client on 127.0.0.1: the per-client rate limits would (rightly) answer 429 to it.
    "THROTTLE_ANALYSIS": "1000000/min", "THROTTLE_TILES": "1000000/min", "THROTTLE_ANON": "1000000/min",
    "THROTTLE_USER": "1000000/min",
}


def fixtures() -> dict:
    """Investor + token + drafts, stored analyses and sample points, through the real services."""
    os.environ.update({"DEBUG": "1", "DATABASE_URL": database_url(), "MEDIA_ROOT": str(MEDIA),
                       "DJANGO_SETTINGS_MODULE": "gis_portal.settings"})
    import django

    django.setup()
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from permits import services as permits
    from rules.models import Analysis
    from rules.services import analysis_create

    with connection.cursor() as cur:
        cur.execute(f"""SELECT id, ST_X(p), ST_Y(p) FROM (SELECT id, ST_Transform(ST_PointOnSurface(geom), 4326) p
                        FROM parcels_parcel TABLESAMPLE SYSTEM (1) REPEATABLE (11) LIMIT {POINTS}) s""")
        sample = cur.fetchall()
    user, _ = User.objects.get_or_create(username="load-investor", defaults={"role": User.Role.INVESTOR,
                                                                            "email": "load@example.ro"})
    token, _ = Token.objects.get_or_create(user=user)
    for pid, _, _ in sample[len(user.applications.all()):APPLICATIONS]:
        permits.application_create(by=user, data={
            "kind": "cu", "applicant_type": "person", "applicant_name": "Investitor Încărcare",
            "applicant_id_code": "1800101040017", "parcel_ids": [pid], "purpose": "construire",
            "works_kind": "building", "works_description": "Locuință P+1"})
    # Anonymous analyses (the public lookup), readable by id without a token.
    anonymous = Analysis.objects.filter(created_by__isnull=True)
    for pid, _, _ in sample[APPLICATIONS + anonymous.count():APPLICATIONS + ANALYSES]:
        analysis_create(parcels=[pid], by=None)
    analyses = [str(a) for a in anonymous.order_by("created_at").values_list("pk", flat=True)[:ANALYSES]]
    apps = list(user.applications.order_by("pk").values_list("pk", flat=True))
    connection.close()
    return {"token": token.key, "points": [(x, y) for _, x, y in sample], "parcel_ids": [p for p, _, _ in sample],
            "analyses": analyses, "applications": apps}


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    lat_r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(lat_r)) / math.pi) / 2 * n)


def build_requests(fx: dict, count: int = 2000, seed: int = 7) -> list[dict]:
    """A deterministic, shuffled rotation of requests following MIX."""
    rnd = random.Random(seed)
    auth = {"Authorization": f"Token {fx['token']}"}
    kinds = [k for k, w in MIX.items() for _ in range(w)]
    out = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        lon, lat = rnd.choice(fx["points"])
        if kind == "parcel_at":
            req = {"path": f"/api/v1/parcels/at/?lon={lon:.7f}&lat={lat:.7f}"}
        elif kind == "parcel_bbox":  # ~ 250 m × 250 m around a parcel: a street block's parcels
            d_lon, d_lat = 0.0016, 0.0011
            req = {"path": f"/api/v1/parcels/?bbox={lon - d_lon:.6f},{lat - d_lat:.6f},{lon + d_lon:.6f},"
                           f"{lat + d_lat:.6f}&limit=100"}
        elif kind in ("tile_parcels", "tile_buildings"):
            z = rnd.choice((15, 16, 16))
            x, y = tile_of(lon, lat, z)
            req = {"path": f"/tiles/{kind.split('_')[1]}/{z}/{x}/{y}.pbf"}
        elif kind == "analysis_get":
            req = {"path": f"/api/v1/analyses/{rnd.choice(fx['analyses'])}/"}
        elif kind == "analysis_post":
            req = {"method": "POST", "path": "/api/v1/analyses/", "headers": {"Content-Type": "application/json"},
                   "body": json.dumps({"parcels": [rnd.choice(fx["parcel_ids"])]})}
        elif kind == "application_list":
            req = {"path": "/api/v1/applications/?limit=20", "headers": auth}
        else:
            req = {"path": f"/api/v1/applications/{rnd.choice(fx['applications'])}/", "headers": auth}
        out.append({"kind": kind, "method": "GET", "headers": {}, "body": None, **req})
    rnd.shuffle(out)
    return out


def lua_table(requests: list[dict]) -> str:
    def q(s):
        return json.dumps(s, ensure_ascii=True)  # a JSON string literal is a valid Lua string literal here

    rows = []
    for r in requests:
        headers = "{" + ", ".join(f"[{q(k)}] = {q(v)}" for k, v in r["headers"].items()) + "}"
        body = q(r["body"]) if r["body"] else "nil"
        rows.append(f"  {{{q(r['method'])}, {q(r['path'])}, {headers}, {body}}}")
    return "return {\n" + ",\n".join(rows) + "\n}\n"


def gunicorn_settings() -> str:
    conf: dict = {}
    exec(GUNICORN_CONF.read_text(), conf)  # a plain settings module
    return ", ".join(f"{k} {conf[k]}" for k in ("workers", "threads", "keepalive") if k in conf)


def wait_ready() -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def check_each_kind(requests: list[dict]) -> dict:
    """Before the run: every kind of request answers 2xx, and its latency alone (single client)."""
    out = {}
    for kind in MIX:
        samples, statuses = [], set()
        for r in [r for r in requests if r["kind"] == kind][:15]:
            req = urllib.request.Request(f"http://127.0.0.1:{PORT}{r['path']}", method=r["method"],
                                         data=r["body"].encode() if r["body"] else None, headers=r["headers"])
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=30) as response:
                    response.read()
                    statuses.add(response.status)
            except urllib.error.HTTPError as exc:
                statuses.add(exc.code)
                print(kind, r["path"], exc.code, exc.read()[:300])
            samples.append((time.perf_counter() - t0) * 1000)
        out[kind] = {"statuses": sorted(statuses), "single_client_p50_ms": round(statistics.median(samples), 1),
                     "single_client_max_ms": round(max(samples), 1)}
    return out


def ensure_wrk() -> None:
    """wrk is the load tool: install it like scripts/bootstrap.sh installs Debian packages (root only)."""
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return
    raise SystemExit("wrk is missing: sudo apt-get install wrk")


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids}


def server_pids(server: subprocess.Popen) -> tuple[list[int], list[int]]:
    """The gunicorn workers, and the PostgreSQL backends serving bench_load (only ours use that database)."""
    backends = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{DB}' AND pid <> pg_backend_pid()")
    return child_pids(server.pid), [int(p) for p in backends.split()]


def cpu_per_kind(requests: list[dict], pids: list[int], count: int = 100) -> dict:
    """CPU (gunicorn workers + PostgreSQL backends) per request of each kind, sent one at a time over
    one keep-alive connection, as wrk sends them.

    Robust to whatever else runs on the machine: it counts the CPU time the server spent, not the wall
    time. Requests of one kind are sent sequentially, so the sum over all workers is that kind's cost.
    """
    out, errors = {}, {}
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    for kind in MIX:
        mine = [r for r in requests if r["kind"] == kind]
        before = _cpu_seconds(pids)
        for i in range(count):
            r = mine[i % len(mine)]
            conn.request(r["method"], r["path"], body=r["body"], headers=r["headers"])
            response = conn.getresponse()
            body = response.read()
            if not 200 <= response.status < 300:
                errors[kind] = errors.get(kind, 0) + 1
                print(kind, r["path"], response.status, body[:300])
        after = _cpu_seconds(pids)
        out[kind] = round(sum(after.get(p, 0) - before.get(p, 0) for p in pids) / count * 1000, 2)
    conn.close()
    weights = sum(MIX.values())
    out["weighted_mean"] = round(sum(out[k] * w for k, w in MIX.items()) / weights, 2)
    return {**out, "errors": errors}


def run_wrk(duration: int, connections: int, threads: int) -> tuple[dict, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                           "-s", str(LUA), f"http://127.0.0.1:{PORT}"], capture_output=True, text=True, check=True,
                          env={**os.environ, "LOAD_REQUESTS": str(REQUESTS_FILE.with_suffix(".lua"))})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(done.stdout)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("JSON "))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(line[5:]), cpu


class ReplicaPair:
    """--replica-restart: `bench_load` copied into a throw-away primary with a streaming hot standby
    (tests/scaling/pgcluster.py: pg_basebackup -R, Unix sockets only); the server reads through the
    router from the standby, which is stopped a third into the run and started again at two thirds."""

    def __init__(self) -> None:
        sys.path.insert(0, str(ROOT))
        from tests.scaling.pgcluster import PrimaryAndStandby

        self.clusters = PrimaryAndStandby()
        self.events: list[tuple[float, str]] = []

    def start(self) -> dict[str, str]:
        c = self.clusters
        c.start_primary()
        c.primary.sql(f"CREATE DATABASE {DB}")
        dump = subprocess.run(["pg_dump", "-Fc", "-d", database_url()], check=True, capture_output=True).stdout
        subprocess.run(["pg_restore", "--no-owner", "-h", str(c.root), "-p", str(c.primary.port), "-U", "postgres",
                        "-d", DB], input=dump, check=True, capture_output=True)
        c.primary.sql("ANALYZE", DB)
        c.start_standby()
        c.wait_caught_up(DB)
        socket = str(c.root).replace("/", "%2F")
        return {"DATABASE_URL": f"postgres://postgres@{socket}:{c.primary.port}/{DB}",
                "DATABASE_REPLICA_URLS": f"postgres://postgres@{socket}:{c.replica.port}/{DB}"}

    def served_by_replica(self) -> int:
        """Transactions the standby ran on bench_load since it (re)started."""
        return int(self.clusters.replica.sql(
            f"SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{DB}'", DB))

    def stop_and_start(self, duration: int, t0: float) -> threading.Thread:
        def run() -> None:
            time.sleep(duration / 3)
            self.events.append((round(time.monotonic() - t0, 1), f"standby stopped (fast) after "
                                                                 f"{self.served_by_replica()} transactions"))
            self.clusters.replica.stop("fast")
            time.sleep(duration / 3)
            self.clusters.replica.start()
            self.events.append((round(time.monotonic() - t0, 1), "standby started"))

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def destroy(self) -> None:
        self.clusters.destroy()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cpu-only", action="store_true", help="only the CPU per request of each kind (no load run, "
                    "no results file)")
    ap.add_argument("--replica-restart", action="store_true",
                    help="serve reads from a streaming standby that is stopped and started again mid-run "
                         "(results in bench/results/load_replica.json)")
    ap.add_argument("--min-parcels", type=int, default=1_000_000, help="parcels bench_load must hold")
    args = ap.parse_args()
    ensure_wrk()
    parcels = parcel_count()
    if parcels < args.min_parcels:
        raise SystemExit(f"{DB} holds {parcels} parcels: run bench/load_prepare.py first")
    fx = fixtures()
    requests = build_requests(fx)
    REQUESTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    REQUESTS_FILE.write_text(json.dumps(requests))  # the same list, for profiling by hand
    REQUESTS_FILE.with_suffix(".lua").write_text(lua_table(requests))
    psql("ANALYZE", db=DB)
    env = {**os.environ, **SERVER_ENV}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    pair = ReplicaPair() if args.replica_restart else None
    try:
        if pair is not None:
            env.update(pair.start())
        result = serve_and_load(args, env, requests, parcels, pair)
    finally:
        if pair is not None:
            pair.destroy()
    if result is None:
        return
    out = RESULTS.with_name("load_replica.json") if pair is not None else RESULTS
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


def serve_and_load(args: argparse.Namespace, env: dict, requests: list[dict], parcels: int,
                   pair: ReplicaPair | None) -> dict | None:
    # The product's server configuration (workers, threads, keep-alive, access log), as `make run` serves.
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(GUNICORN_CONF), "-b",
                               f"127.0.0.1:{PORT}", "--log-level", "error", "gis_portal.wsgi"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL)
    try:
        wait_ready()
        kinds = check_each_kind(requests)
        print(json.dumps(kinds, indent=1))
        run_wrk(10, args.connections, args.threads)  # warm-up: every worker's caches and connections
        workers, backends = server_pids(server)
        per_kind_cpu = cpu_per_kind(requests, workers + backends)
        print(json.dumps(per_kind_cpu, indent=1))
        if args.cpu_only:
            return None
        cpu_before = _cpu_seconds(workers + backends)
        load_before = os.getloadavg()
        stopper = pair.stop_and_start(args.duration, time.monotonic()) if pair is not None else None
        stats, wrk_cpu = run_wrk(args.duration, args.connections, args.threads)
        if stopper is not None and pair is not None:
            stopper.join()
            time.sleep(2)
            pair.events.append((float(args.duration), f"after the run: {pair.served_by_replica()} transactions "
                                                      f"on the restarted standby"))
        load_after = os.getloadavg()
        cpu_after = _cpu_seconds(workers + backends)
    finally:
        server.terminate()
        server.wait(30)
    errors = stats["errors"]
    # wrk's own "status" count is the >= 400 subset of non_2xx: not added twice.
    total_errors = sum(v for k, v in errors.items() if k != "status") + stats["non_2xx"]
    rps = stats["requests"] / (stats["duration_us"] / 1e6)
    # CPU actually spent on our requests (gunicorn workers + their PostgreSQL backends), so the cost per
    # request can be read independently of what else the shared machine was running.
    app_cpu = sum(cpu_after.get(p, 0) - cpu_before.get(p, 0) for p in workers)
    db_cpu = sum(cpu_after.get(p, 0) - cpu_before.get(p, 0) for p in backends)
    per_request_ms = (app_cpu + db_cpu) / stats["requests"] * 1000
    cores = os.cpu_count() or 2
    result = {
        "name": "load_mixed", "database": DB, "parcels": parcels, "duration_s": args.duration,
        "server": f"gunicorn -c {GUNICORN_CONF.relative_to(ROOT)} (as make run: {gunicorn_settings()})", "wrk": {"threads": args.threads, "connections": args.connections,
                                                  "cpu_seconds": round(wrk_cpu, 1),
                                                  "cpu_share_of_one_core": round(wrk_cpu / args.duration, 3)},
        "mix_weights": MIX, "requests": stats["requests"], "requests_per_s": round(rps, 1),
        "latency_ms": {k: round(v / 1000, 1) for k, v in stats["latency_us"].items()},
        "errors": {**errors, "non_2xx": stats["non_2xx"], "statuses": stats["statuses"], "total": total_errors},
        "per_kind_single_client": kinds,
        "cpu": {"gunicorn_seconds": round(app_cpu, 1), "postgres_seconds": round(db_cpu, 1),
                "cores_used_by_server": round((app_cpu + db_cpu) / args.duration, 2),
                "per_request_ms": round(per_request_ms, 2),
                "per_request_ms_by_kind_sequential": per_kind_cpu,
                "processes_lost": len(set(cpu_before) - set(cpu_after)),
                "projected_requests_per_s_on_idle_cores": round(cores * 1000 / per_request_ms, 1)},
        "targets": {"requests_per_s": 200, "errors": 0, "p99_ms": 250},
        "met": {"requests_per_s": rps >= 200, "errors": total_errors == 0,
                "p99_ms": stats["latency_us"]["p99"] / 1000 <= 250},
        "load_average_before_after": [round(x, 2) for x in (*load_before, *load_after)],
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}",
        "taken_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    if pair is not None:
        result["replica"] = {"setup": "throw-away primary + streaming hot standby on this machine "
                                      "(pg_basebackup -R, Unix sockets), reads routed by gis_portal.db_router",
                             "events_s": pair.events,
                             "note": "cpu.postgres_seconds counts no backend: the throw-away clusters' are not "
                                     "looked up"}
    return result


if __name__ == "__main__":
    main()
