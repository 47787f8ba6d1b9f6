"""Benchmark: the portal at national scale — 1M, 5M and 20M parcels over ~3,200 synthetic UATs.

    make bench-national                      # 1M, 5M, 20M (not part of `make test`)
    .venv/bin/python bench/national.py --sizes 100000,200000 --per-uat 625   # a quick rehearsal

Database `bench_national` on the worktree's own cluster (created, migrated, emptied; dropped at
the end unless --keep). Geography and layers: bench/national_data.py. Then, size by size
(cumulative, like counties being loaded one after another):
1. parcel files: one GeoPackage per county segment (the UATs a size adds, cut at county borders;
   at most 77 UATs), each written UAT by UAT in append mode (never a whole file in memory);
2. import, file by file, alternating with the same file through ogr2ogr into a scratch table
   `ogr_parcels` (PG_USE_COPY, GiST index created with the first file, then -append): the wall
   clock of `manage.py import_parcels FILE` (whole process) under `/usr/bin/time -v`, whose
   "Maximum resident set size" must stay under --rss-ceiling-mb for every file;
3. VACUUM ANALYZE (timed apart), then over HTTP (gunicorn with scripts/gunicorn.conf.py, DEBUG off,
   one keep-alive connection, bench/rawhttp.py) at random places of the whole imported country:
   the parcel look-up (/api/v1/parcels/at/), a 500-parcel bbox page, z16 and z14 parcel tiles, and
   the analysis of one parcel (POST /api/v1/analyses/) — p50 and p99 of each, the median of three
   rounds (--read-rounds);
4. database size (without the scratch table), the parcels table, each of its indexes.
The free disk is checked before each size. Writes bench/results/national.json; parcel files and the
scratch table are removed at the end.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import national_data as nd  # noqa: E402
from rawhttp import RawClient  # noqa: E402

from gis_portal import devdb  # noqa: E402

DB = "bench_national"
PORT = 8779
DATA = ROOT / "bench" / "data" / "national"
RESULTS = ROOT / "bench" / "results"


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def pg_dsn(url: str) -> str:
    parts = urlsplit(url)
    host = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("host") or parts.hostname
    return f"dbname={parts.path.lstrip('/')} host={host} user={parts.username or 'postgres'}"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2)


def prepare(per_uat: int, used: list[nd.Uat]) -> str:
    base = devdb.database_url()
    admin = base.replace("/gis_portal?", "/postgres?")
    url = base.replace("/gis_portal?", f"/{DB}?")
    psql(admin, f"DROP DATABASE IF EXISTS {DB}")
    psql(admin, f"CREATE DATABASE {DB}")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update({"DATABASE_URL": url, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "gis_portal.settings"})
    import django

    django.setup()
    from django.db import connection

    from demo import writer
    from demo.catalog import REGIMES
    from layers.models import Layer, ZoningUnit
    from layers.services import layer_version_publish, layer_version_start
    from parcels.models import UAT

    writer.copy_rows("parcels_uat", ("siruta", "name", "county", "county_code", "kind", "boundary"),
                     nd.uat_rows(nd.uats()))
    ids = dict(UAT.objects.values_list("siruta", "id"))
    kinds = {"utr_polygon": "zoning"}
    for theme, rows in nd.layer_features(used, per_uat).items():
        layer = Layer.objects.create(slug=f"national-{theme.lower()}", name=f"Național (sintetic): {theme}",
                                     kind=kinds.get(theme, "constraint"), theme=theme, synthetic=True,
                                     provenance="Date sintetice generate de bench/national.py.")
        version = layer_version_start(layer=layer, source_name="bench/national.py", source_srid=3844)
        writer.copy_features(version_id=version.pk, source_ids=[r[0] for r in rows], names=[r[1] for r in rows],
                             attrs=[r[2] for r in rows], geoms=[r[3] for r in rows])
        layer_version_publish(version=version)
    ZoningUnit.objects.bulk_create([ZoningUnit(uat_id=ids[u.siruta], code=code, plan="PUG sintetic", **REGIMES[code])
                                    for u in used for code in ("L1a", "M2")], batch_size=2000)
    connection.close()
    return url


def timed_import(paths: list[Path], env: dict) -> tuple[float, int, str]:
    """Wall clock (s), peak RSS (MB) and output of `manage.py import_parcels FILE...` (one load)."""
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-v", sys.executable, "manage.py", "import_parcels", *map(str, paths)],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if out.returncode:
        raise SystemExit(f"import_parcels {paths[0]}… failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1)) // 1024
    return seconds, rss, out.stdout


def timed_ogr(path: Path, url: str, first: bool) -> float:
    cmd = ["ogr2ogr", "-f", "PostgreSQL", f"PG:{pg_dsn(url)}", str(path), "parcels", "-nln", "ogr_parcels",
           "--config", "PG_USE_COPY", "YES"]
    cmd += ["-overwrite", "-lco", "SPATIAL_INDEX=GIST"] if first else ["-append"]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


def sizes_of(url: str) -> dict:
    q = psql(url, """SELECT pg_database_size(current_database()) - coalesce(pg_total_relation_size(to_regclass('ogr_parcels')), 0),
                            pg_total_relation_size('parcels_parcel'), pg_relation_size('parcels_parcel'),
                            coalesce(pg_total_relation_size(to_regclass('ogr_parcels')), 0)""").split("|")
    indexes = dict(line.split("|") for line in psql(url, """
        SELECT c.relname, pg_relation_size(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
        WHERE x.indrelid = 'parcels_parcel'::regclass ORDER BY 1""").splitlines())
    mb = 1024 * 1024
    return {"database_mb": round(int(q[0]) / mb), "parcels_table_total_mb": round(int(q[1]) / mb),
            "parcels_heap_mb": round(int(q[2]) / mb), "ogr_scratch_mb": round(int(q[3]) / mb),
            "parcels_indexes_mb": {k: round(int(v) / mb, 1) for k, v in indexes.items()}}


def tile_path(lon: float, lat: float, z: int) -> str:
    n = 2 ** z
    x, y = int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"/tiles/parcels/{z}/{x}/{y}.pbf"


def measure_http(url: str, samples: int, rng: random.Random) -> dict:
    """p50/p99 of the five reads over HTTP, at random parcels of the whole imported country."""
    count = int(psql(url, "SELECT max(id) FROM parcels_parcel"))
    low = int(psql(url, "SELECT min(id) FROM parcels_parcel"))
    ids = sorted(rng.sample(range(low, count + 1), samples * 2))
    rows = psql(url, f"""SELECT id, ST_X(p), ST_Y(p), ST_X(c), ST_Y(c) FROM (
        SELECT id, ST_Transform(ST_PointOnSurface(geom), 4326) p, ST_PointOnSurface(geom) c
        FROM parcels_parcel WHERE id = ANY('{{{",".join(map(str, ids))}}}'::bigint[])) s""").splitlines()
    points = [(int(r[0]), float(r[1]), float(r[2]), float(r[3]), float(r[4])) for r in (x.split("|") for x in rows)]
    rng.shuffle(points)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DEMO_MODE": "0", "SECRET_KEY": "bench-" + "x" * 50,
           "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "ERROR",
           "THROTTLE_ANALYSIS": "1000000/min"}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", "scripts/gunicorn.conf.py",
                               "-b", f"127.0.0.1:{PORT}", "--log-level", "error", "--access-logfile", "/dev/null",
                               "gis_portal.wsgi"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        client = RawClient(PORT)
        for _ in range(150):
            try:
                if client.request("GET", "/healthz")[1] == 200:
                    break
            except OSError:
                client.sock = None
                time.sleep(0.2)
        bbox_half = (260, 360)  # 520 × 720 m: ~600 parcels of 20 × 30 m, a 500-parcel page
        to_wgs = bbox_wgs(url, [(p[3], p[4]) for p in points[:samples]], bbox_half)

        def run(name: str, requests: list[tuple[str, str, bytes | None]], expect: int) -> dict:
            for method, path, body in requests[:10]:  # warm every worker thread's connection and plans
                status = client.request(method, path, body)[1]
                assert status == expect, (name, status, path)
            times = []
            for method, path, body in requests:
                elapsed, status, data = client.request(method, path, body)
                assert status == expect, (name, status, path, data[:300])
                times.append(elapsed)
            return {"p50_ms": pct(times, 0.5), "p99_ms": pct(times, 0.99), "n": len(times)}

        out = {"load_before": list(os.getloadavg())}
        pts = points[:samples]
        out["lookup"] = run("lookup", [("GET", f"/api/v1/parcels/at/?lon={p[1]:.7f}&lat={p[2]:.7f}", None)
                                       for p in pts], 200)
        out["bbox_page_500"] = run("bbox", [("GET", f"/api/v1/parcels/?bbox={b}&limit=500", None)
                                            for b in to_wgs[: max(20, samples // 4)]], 200)
        out["tile_z16"] = run("z16", [("GET", tile_path(p[1], p[2], 16), None)
                                      for p in pts], 200)
        out["tile_z14"] = run("z14", [("GET", tile_path(p[1], p[2], 14), None)
                                      for p in points[samples: samples + max(20, samples // 2)]], 200)
        out["analysis"] = run("analysis", [("POST", "/api/v1/analyses/", json.dumps({"parcels": [p[0]]}).encode())
                                           for p in points[samples: samples + max(20, samples // 2)]], 201)
        out["load_after"] = list(os.getloadavg())
        out["uptime"] = uptime()
        return out
    finally:
        server.terminate()
        server.wait(30)


def combine(rounds: list[dict]) -> dict:
    """Several rounds of the reads (each at new random places, a new server): the median of their p50s
    and p99s, and each round's p50. On this VM one round's p50 moves by up to ±50 % from one run to
    the next at the same size, so one round per size cannot show growth of 1.3×."""
    out: dict = {"rounds": len(rounds), "load_before": rounds[0]["load_before"], "load_after": rounds[-1]["load_after"],
                 "uptime": rounds[-1]["uptime"]}
    for kind in ("lookup", "bbox_page_500", "tile_z16", "tile_z14", "analysis"):
        p50s, p99s = [r[kind]["p50_ms"] for r in rounds], [r[kind]["p99_ms"] for r in rounds]
        out[kind] = {"p50_ms": round(statistics.median(p50s), 2), "p99_ms": round(statistics.median(p99s), 2),
                     "p50_rounds": p50s, "n": sum(r[kind]["n"] for r in rounds)}
    return out


def bbox_wgs(url: str, centres: list[tuple[float, float]], half: tuple[float, float]) -> list[str]:
    values = ",".join(f"({x},{y})" for x, y in centres)
    rows = psql(url, f"""SELECT concat_ws(',', round(ST_XMin(b)::numeric, 7), round(ST_YMin(b)::numeric, 7),
                                round(ST_XMax(b)::numeric, 7), round(ST_YMax(b)::numeric, 7))
                         FROM (VALUES {values}) v(x, y),
                         LATERAL (SELECT ST_Transform(ST_MakeEnvelope(x - {half[0]}, y - {half[1]}, x + {half[0]},
                                                                      y + {half[1]}, 3844), 4326) b) s""")
    return rows.splitlines()


def segment_path(n: int, group: list[nd.Uat], per_uat: int) -> Path:
    return DATA / f"segment_{per_uat}_{n:03d}_{group[0].index}_{group[-1].index}.gpkg"


def generate(args: argparse.Namespace, *, reverse: bool) -> float:
    """Write the missing parcel files (two writers, one from each end, each claiming a file before
    writing it); return the seconds taken."""
    started = time.perf_counter()
    DATA.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    todo = [(n, group) for n, (_, group) in enumerate(nd.segments(nd.uats(), sizes, args.per_uat))]
    if not args.generate_only and not all(segment_path(n, g, args.per_uat).exists() for n, g in todo):
        helper = subprocess.Popen([sys.executable, __file__, "--generate-only", "--reverse", "--sizes", args.sizes,
                                   "--per-uat", str(args.per_uat)], cwd=ROOT)
    else:
        helper = None
    for n, group in reversed(todo) if reverse else todo:
        path = segment_path(n, group, args.per_uat)
        try:
            os.close(os.open(path.with_suffix(".claim"), os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            continue
        if not path.exists():
            t = time.perf_counter()
            nd.write_segment(path, group, args.per_uat)
            print(f"{path.name}: {time.perf_counter() - t:.1f} s", flush=True)
    if helper is not None:
        helper.wait()
    while not all(segment_path(n, g, args.per_uat).exists() for n, g in todo):
        time.sleep(1)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,5000000,20000000")
    parser.add_argument("--per-uat", type=int, default=6250)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--read-rounds", type=int, default=3, help="rounds of reads per size (median reported)")
    parser.add_argument("--rss-ceiling-mb", type=int, default=800)
    parser.add_argument("--keep", action="store_true", help="keep the database and the parcel files")
    parser.add_argument("--output", default=str(RESULTS / "national.json"))
    parser.add_argument("--generate-only", action="store_true", help="write the parcel files, nothing else")
    parser.add_argument("--reverse", action="store_true", help="with --generate-only: from the last file back")
    args = parser.parse_args()
    if args.generate_only:
        generate(args, reverse=args.reverse)
        return
    started = time.perf_counter()
    sizes = [int(s) for s in args.sizes.split(",")]
    all_uats = nd.uats()
    segs = nd.segments(all_uats, sizes, args.per_uat)
    used = all_uats[: sizes[-1] // args.per_uat]
    print(f"{len(segs)} files, {len(used)} UATs; {uptime()}", flush=True)
    generate_s = generate(args, reverse=False)  # all files first: no writing while anything is measured
    print(f"files ready in {generate_s:.0f} s; {uptime()}", flush=True)
    t = time.perf_counter()
    url = prepare(args.per_uat, used)
    setup_s = time.perf_counter() - t
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    DATA.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20)
    result: dict = {"name": "national", "sizes": sizes, "per_uat": args.per_uat, "uats_used": len(used),
                    "files": len(segs), "setup_s": round(setup_s, 1), "steps": [],
                    "generate_missing_files_s": round(generate_s),
                    "rss_ceiling_mb": args.rss_ceiling_mb,
                    "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                                "postgres": psql(url, "SHOW server_version"),
                                "postgis": psql(url, "SELECT postgis_lib_version()"),
                                "gdal": subprocess.run(["ogr2ogr", "--version"], capture_output=True,
                                                       text=True).stdout.strip(),
                                "uptime_start": uptime()}}
    first_ogr = True
    try:
        for step, size in enumerate(sizes):
            files = [(n, g) for n, (s, g) in enumerate(segs) if s == step]
            free_gb = shutil.disk_usage(ROOT).free / 1e9
            added = size - (sizes[step - 1] if step else 0)
            per_m_gb = (result["steps"][-1]["db"]["database_mb"] * 2.2 / 1024 / (sizes[step - 1] / 1e6)
                        if step else 1.0)  # database + scratch + files, per million
            need = added / 1e6 * per_m_gb + 5
            print(f"size {size}: {len(files)} files, free disk {free_gb:.0f} GB, need ~{need:.0f} GB", flush=True)
            if free_gb < need:
                raise SystemExit(f"not enough disk for {size} parcels: {free_gb:.0f} GB free, ~{need:.0f} GB needed")
            ogr_s = 0.0
            paths = [segment_path(n, group, args.per_uat) for n, group in files]
            load_before = list(os.getloadavg())
            # The step's files as one load (one process, one transaction), then each through ogr2ogr.
            ours_s, rss, output = timed_import(paths, env)
            print(f"  import_parcels of {len(paths)} files: {ours_s:.1f} s, peak RSS {rss} MB", flush=True)
            for path in paths:
                ogr_s += timed_ogr(path, url, first_ogr)
                first_ogr = False
            print(f"  ogr2ogr: {ogr_s:.1f} s", flush=True)
            if rss > args.rss_ceiling_mb:
                raise SystemExit(f"import peak RSS {rss} MB > ceiling {args.rss_ceiling_mb} MB")
            largest = max(p.stat().st_size for p in paths) / 1e6
            count = int(psql(url, "SELECT count(*) FROM parcels_parcel"))
            ogr_count = int(psql(url, "SELECT count(*) FROM ogr_parcels"))
            assert count == size and ogr_count == size, (count, ogr_count, size)
            t = time.perf_counter()
            psql(url, "VACUUM ANALYZE parcels_parcel")
            vacuum_s = time.perf_counter() - t
            db = sizes_of(url)
            http = combine([measure_http(url, args.samples, rng) for _ in range(args.read_rounds)])
            millions = added / 1e6
            entry = {"parcels": size, "added": added, "files": len(files),
                     "import_s": round(ours_s, 1), "import_s_per_million": round(ours_s / millions, 1),
                     "ogr2ogr_s": round(ogr_s, 1), "ratio": round(ours_s / ogr_s, 3),
                     "import_files_s": round(sum(map(float, re.findall(r" in ([\d.]+) s$", output, re.M))), 1),
                     "import_peak_rss_mb": rss, "largest_file_mb": round(largest), "load_during_import": load_before,
                     "files_mb": round(sum(p.stat().st_size for p in paths) / 1e6),
                     "vacuum_analyze_s": round(vacuum_s, 1),
                     "db": db, "database_mb_per_million": round(db["database_mb"] / (size / 1e6)), "http": http,
                     "elapsed_s": round(time.perf_counter() - started)}
            result["steps"].append(entry)
            print(json.dumps(entry), flush=True)
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
        base = result["steps"][0]["http"]
        result["growth_vs_first_p50"] = {
            step["parcels"]: {k: round(step["http"][k]["p50_ms"] / base[k]["p50_ms"], 2)
                              for k in ("lookup", "bbox_page_500", "tile_z16", "tile_z14", "analysis")}
            for step in result["steps"]}
    finally:
        result["total_s"] = round(time.perf_counter() - started)
        result["machine"]["uptime_end"] = uptime()
        Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
        if not args.keep:
            psql(url, "DROP TABLE IF EXISTS ogr_parcels")
            shutil.rmtree(DATA, ignore_errors=True)
            admin = url.replace(f"/{DB}?", "/postgres?")
            psql(admin, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    print(json.dumps({"total_s": result["total_s"], "growth_vs_first_p50": result.get("growth_vs_first_p50")}))


if __name__ == "__main__":
    main()
