"""What the row checks need to know of each geometry, computed from its WKB in one pass, and, for a
large file, in forked worker processes while the main process reads the file, checks attributes
and streams COPY.

Parsing WKB into Shapely objects holds the GIL (~0.8 µs a row) and the validity test is GEOS work
of the same order, so a million parcels kept one core busy for 1.5-2 s on the critical path of an
import. The facts are small (type, emptiness, Z, bounds, validity, area: ~50 bytes a row), so
workers that receive a piece's WKB and send back only its facts move that work to the other core.
Rows that need more (a repair, a 3D geometry, an unusual encoding) are parsed again, one by one, in
the main process.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import shapely

# Below this many rows a file is checked in process: forking costs more than it saves.
PARALLEL_MIN_ROWS = 200_000
T = TypeVar("T")


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


def _facts_of(wkb) -> GeometryFacts:
    # Submitted by name, so a worker calls this module's geometry_facts as the fork left it.
    return geometry_facts(wkb)


class FactsAhead:
    """Facts of consecutive pieces of a file (a stretch of rows, or a batch read from it), computed
    a few pieces ahead of the one being checked: in worker processes for a large file imported by a
    single-threaded process, else in process when asked for. Each piece's WKB goes to a worker
    through a pipe (~12 MB for 50,000 parcels, pickled as a NumPy array of bytes), so
    memory holds a few pieces, never the whole file. A worker that dies raises BrokenProcessPool
    from `run()`, and the import rolls back; `close()` stops the workers."""

    def __init__(self, rows: int):
        self.pool: ProcessPoolExecutor | None = None
        cores = os.cpu_count() or 1
        if rows >= PARALLEL_MIN_ROWS and cores > 1 and may_fork():
            self.pool = ProcessPoolExecutor(min(cores, 4), mp_context=multiprocessing.get_context("fork"))
            # With fork, every worker starts at the first submit: now, while this process has one
            # thread (before the file reader's and the COPY writer's threads exist).
            self.pool.submit(int).result()
            self.ahead = min(cores, 4) + 1

    def run(self, pieces: Iterable[T], wkb_of: Callable[[T], Any]) -> Iterator[tuple[T, GeometryFacts]]:
        """(piece, its facts) for each piece, in order."""
        if self.pool is None:
            for piece in pieces:
                yield piece, geometry_facts(wkb_of(piece))
            return
        queue: deque[tuple[T, Future]] = deque()
        for piece in pieces:
            queue.append((piece, self.pool.submit(_facts_of, wkb_of(piece))))
            if len(queue) > self.ahead:
                done, future = queue.popleft()
                yield done, future.result()
        while queue:
            done, future = queue.popleft()
            yield done, future.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
