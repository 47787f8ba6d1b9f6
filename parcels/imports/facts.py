"""What the row checks need to know of each geometry, computed from its WKB in one pass, and, for a
large file, in forked worker processes while the main process checks attributes and streams COPY.

Parsing WKB into Shapely objects holds the GIL (~0.8 µs a row) and the validity test is GEOS work
of the same order, so a million parcels kept one core busy for 1.5-2 s on the critical path of an
import. The facts are small (type, emptiness, Z, bounds, validity, area: ~50 bytes a row), so
workers that inherit the WKB at fork and send back only the facts move that work to the other
core. Rows that need more (a repair, a 3D geometry, an unusual encoding) are parsed again, one by
one, in the main process.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import shapely

# Below this many rows a file is checked in process: forking costs more than it saves.
PARALLEL_MIN_ROWS = 200_000
_worker_wkb: np.ndarray | list | None = None  # in a worker process: the file's WKB, inherited at fork


@dataclass
class GeometryFacts:
    type_ids: np.ndarray  # Shapely type id, -1 when unreadable or NULL
    missing: np.ndarray  # unreadable, NULL or empty
    has_z: np.ndarray
    bounds: np.ndarray  # (n, 4): xmin, ymin, xmax, ymax
    valid: np.ndarray
    area: np.ndarray

    def __len__(self) -> int:
        return len(self.type_ids)


def parse(wkb) -> np.ndarray:
    return shapely.from_wkb(np.array(wkb, dtype=object), on_invalid="ignore")


def geometry_facts(wkb) -> GeometryFacts:
    geoms = parse(wkb)
    return GeometryFacts(type_ids=shapely.get_type_id(geoms), missing=shapely.is_missing(geoms) | shapely.is_empty(geoms),
                         has_z=shapely.has_z(geoms), bounds=shapely.bounds(geoms), valid=shapely.is_valid(geoms),
                         area=shapely.area(geoms))


def may_fork() -> bool:
    """Forking is safe only from a process with one thread (manage.py import_parcels): a lock that
    another thread held at the fork (logging, a C library) would stay held in the child forever."""
    return threading.active_count() == 1


def _inherit(wkb: np.ndarray | list) -> None:
    global _worker_wkb
    _worker_wkb = wkb


def _facts_of(lo: int, hi: int) -> GeometryFacts:
    assert _worker_wkb is not None, "runs in a worker process forked after _inherit"
    return geometry_facts(_worker_wkb[lo:hi])


class FactsOfStretches:
    """Facts of consecutive stretches of `wkb` ([lo, hi) pairs), started at once: in worker
    processes for a large file imported by a single-threaded process, else computed on demand. `get(k)` waits for stretch k; `close()`
    stops the workers (pending stretches are dropped). A worker that dies raises BrokenProcessPool
    from get(), and the import rolls back."""

    def __init__(self, wkb: np.ndarray | list, stretches: list[tuple[int, int]]):
        self.wkb, self.stretches = wkb, stretches
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future] = []
        workers = min(len(stretches), os.cpu_count() or 1, 4)
        if len(wkb) >= PARALLEL_MIN_ROWS and (os.cpu_count() or 1) > 1 and may_fork():
            # fork: the workers inherit the WKB (the initializer's argument is not pickled with
            # fork) instead of receiving ~200 MB through pipes. They are forked on the first
            # submit, before the pool starts its own thread.
            self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_inherit, initargs=(wkb,))
            self.futures = [self.pool.submit(_facts_of, lo, hi) for lo, hi in stretches]

    def get(self, k: int) -> GeometryFacts:
        if self.pool is None:
            lo, hi = self.stretches[k]
            return geometry_facts(self.wkb[lo:hi])
        return self.futures[k].result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
