"""Machine calibration: how fast this VM is right now, so benchmark runs of different days compare.

    .venv/bin/python bench/calibrate.py

The same virtual machine type ran 2.6x slower one afternoon than that morning (the same ogr2ogr on
the same file: 21.6 s vs 8.25 s). Absolute targets only mean something next to a figure like these:
- a pure-Python loop (20 million additions), single core;
- PostgreSQL summing 20 million integers (`generate_series`) on the project's cluster, single core;
- the CPU time the hypervisor took from this VM meanwhile (steal, from /proc/stat), in %.
Writes bench/results/machine.json; bench/run_all.py runs it first.
"""
from __future__ import annotations

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

LOOP = 20_000_000


def _cpu_ticks() -> tuple[int, int]:
    """(steal, total) jiffies of all CPUs so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return values[7], sum(values)


def _python_loop() -> float:
    start = time.perf_counter()
    total = 0
    for i in range(LOOP):
        total += i
    return time.perf_counter() - start


def _postgres_sum() -> float:
    url = os.environ.get("DATABASE_URL") or devdb.database_url()
    start = time.perf_counter()
    subprocess.run(["psql", url, "-qAtc", f"SELECT sum(i) FROM generate_series(1, {LOOP}) AS i"], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    steal0, total0 = _cpu_ticks()
    python_s = min(_python_loop() for _ in range(3))
    postgres_s = min(_postgres_sum() for _ in range(3))
    steal1, total1 = _cpu_ticks()
    doc = {
        "name": "machine", "taken_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "python_loop_20M_s": round(python_s, 2), "postgres_sum_20M_s": round(postgres_s, 2),
        "steal_percent": round(100 * (steal1 - steal0) / max(total1 - total0, 1), 1),
        "load_average_1_5_15": [round(v, 2) for v in os.getloadavg()],
    }
    out = ROOT / "bench" / "results" / "machine.json"
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
