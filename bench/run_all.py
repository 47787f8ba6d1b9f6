"""Run every benchmark of bench/ in turn (`make bench`), each writing its bench/results/<name>.json.

    .venv/bin/python bench/run_all.py [--only tiles,analysis,...] [--skip load,...]

The benchmarks run one after the other (never two at once: they would measure each other), each in
its own process with its documented default arguments, under the shared lock /tmp/bench.lock that
ad-hoc runs take too. The 1M-parcel databases are built on first use and reused afterwards
(bench_load by load_prepare.py, bench_tiles, bench_parcels, bench_web_map, …). A failing benchmark is
reported and the others still run; the exit status is non-zero if any failed.
"""
from __future__ import annotations

import argparse
import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")

# name -> command lines (run in order); the name is what --only / --skip take.
BENCHES: dict[str, list[list[str]]] = {
    "machine": [["bench/calibrate.py"]],  # first: how fast the VM is today (see bench/calibrate.py)
    "parcels_import": [["bench/parcels_import.py"]],
    "parcels_api": [["bench/parcels_api.py"]],
    "tiles": [["bench/tiles_bench.py"]],
    "analysis": [["bench/load_prepare.py"], ["bench/analysis_bench.py"]],
    "notifications": [["bench/notifications_bench.py"]],
    "avize": [["bench/avize_bench.py"]],
    "web_map": [["bench/web_map.py"]],
    "web_search": [["bench/web_search.py"]],
    "load": [["bench/load_prepare.py"], ["bench/load_mixed.py"]],
    "demo_county": [["bench/demo_county.py"]],
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="", help="comma-separated names: " + ",".join(BENCHES))
    ap.add_argument("--skip", default="")
    args = ap.parse_args()
    only = {n for n in args.only.split(",") if n}
    skip = {n for n in args.skip.split(",") if n}
    unknown = (only | skip) - set(BENCHES)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    failed = []
    with open("/tmp/bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for name, commands in BENCHES.items():
            if (only and name not in only) or name in skip:
                continue
            started = time.perf_counter()
            print(f"==> {name} (load average {os.getloadavg()[0]:.1f})", flush=True)
            for command in commands:
                if subprocess.run([PY, *command], cwd=ROOT).returncode != 0:
                    failed.append(name)
                    break
            print(f"<== {name}: {time.perf_counter() - started:.0f} s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
