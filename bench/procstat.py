"""CPU time of the processes a benchmark measures (Linux /proc), shared by the bench scripts.

CPU seconds, unlike wall time, barely move with what else runs on the machine, so the benches
record them beside their latencies. Imported as `procstat` (a script's own folder is on sys.path).
"""
from __future__ import annotations

import os
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (fields 14 and 15 of /proc/<pid>/stat), 0.0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (e.g. the workers of a gunicorn master)."""
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
