"""A bulk load reads its file batch by batch: memory holds a few batches of geometries and the keys
of the rows (cadastral number, UAT), never the whole file."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely

import parcels.imports as parcels_imports
from parcels.imports import facts as facts_module
from parcels.imports import import_parcels_file, loader
from parcels.imports.sources import VectorSource
from parcels.models import Parcel
from tests.conftest import BACAU_E, BACAU_N
from tests.helpers import child_database_url
from tests.parcels.conftest import write_layer

pytestmark = pytest.mark.django_db(transaction=True)  # the subprocess reads what the test committed
ROOT = Path(__file__).resolve().parents[2]


def _grid(n: int, *, vertices: int = 4) -> np.ndarray:
    """n parcels in rows of 400 around Bacău: 20 × 30 m boxes, or near-circles of `vertices` points
    (heavier rows, so that a file read whole would show in the process's memory)."""
    i = np.arange(n)
    x, y = BACAU_E + (i % 400) * 20.0, BACAU_N + (i // 400) * 30.0
    if vertices == 4:
        return shapely.box(x, y, x + 20, y + 30)
    return shapely.buffer(shapely.points(x + 10, y + 15), 9.0, quad_segs=vertices // 4)


@pytest.mark.parametrize("again", [False, True], ids=["first load", "re-import (upsert)"])
def test_a_load_reads_geometries_batch_by_batch_a_few_batches_ahead_of_the_copy(tmp_path, territory, monkeypatch,
                                                                                again):
    geoms = _grid(200)
    path = write_layer(tmp_path / "p.gpkg", list(geoms), {"cadastral_number": [str(k) for k in range(200)]},
                       driver="GPKG")
    if again:  # the UAT's parcels are there: the rows go through the staging table and one upsert
        import_parcels_file(path=path, uat_siruta=20297)
    monkeypatch.setattr(parcels_imports, "CHECK_CHUNK", 10)
    monkeypatch.setattr(facts_module, "PARALLEL_MIN_ROWS", 0)  # the pipeline with its worker processes
    monkeypatch.setattr(facts_module, "may_fork", lambda: True)
    whole_reads: list[bool] = []
    real_read = pyogrio.raw.read_arrow
    monkeypatch.setattr(pyogrio.raw, "read_arrow",
                        lambda *a, **k: whole_reads.append(k.get("read_geometry", True)) or real_read(*a, **k))
    read, loaded, ahead = [0], [0], []
    real_batches = VectorSource.batches

    def batches(self, size):
        for item in real_batches(self, size):
            read[0] += 1
            yield item

    def counted(real):
        def part_loaded(cursor_or_part, *args, **kwargs):
            loaded[0] += 1
            ahead.append(read[0] - loaded[0])
            return real(cursor_or_part, *args, **kwargs)
        return part_loaded

    monkeypatch.setattr(VectorSource, "batches", batches)
    monkeypatch.setattr(loader, "_without_duplicates", counted(loader._without_duplicates))  # the COPY of a first load
    monkeypatch.setattr(loader, "_stage_part", counted(loader._stage_part))  # the COPY into the staging table
    report = import_parcels_file(path=path, uat_siruta=20297)

    assert (report.inserted, report.updated, report.rejected) == ((0, 200, 0) if again else (200, 0, 0))
    assert whole_reads == [False]  # the keys only, no geometry; the geometries came in 20 batches
    assert read[0] == 20 and loaded[0] == 20
    assert 0 < max(ahead) <= min(os.cpu_count() or 1, 4) + 1  # read ahead, but only a few batches
    stored = dict(Parcel.objects.values_list("cadastral_number", "geom"))
    assert len(stored) == 200
    assert all(stored[str(k)].extent == geoms[k].bounds for k in (0, 9, 10, 105, 199))


def _peak_rss_mb(path: Path, chunk: int) -> int:
    """Peak resident memory of a process that imports `path` (its own, measured at its exit)."""
    # VmHWM, the peak of this process's own memory (ru_maxrss would carry the parent's across exec).
    code = ("import django, re; django.setup(); import parcels.imports as p; "
            f"p.CHECK_CHUNK = {chunk}; from parcels.models import Parcel; "
            f"r = p.import_parcels_file(path={str(path)!r}, uat_siruta=20297); "
            "peak = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1); "
            "print(r.inserted, Parcel.objects.count(), int(peak) // 1024)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "DATABASE_URL": child_database_url(), "DEBUG": "1",
                              "DJANGO_SETTINGS_MODULE": "gis_portal.settings"})
    assert out.returncode == 0, out.stderr[-3000:]
    inserted, count, rss = map(int, out.stdout.split()[-3:])
    assert inserted == count
    return rss


def test_peak_memory_does_not_grow_with_the_file(tmp_path, territory):
    """Four times the rows (190 MB more of geometry) leave the peak where it was. Read whole, the
    larger file would add ~400 MB (the reader's buffers and one bytes object a row); sent to the
    server faster than it ingests, its COPY data would pile up in libpq's buffer (+50 MB, seen)."""
    rows = {"small": 15_000, "large": 60_000}
    paths = {name: write_layer(tmp_path / f"{name}.gpkg", list(_grid(n, vertices=128)),
                               {"cadastral_number": [str(k) for k in range(n)]}, driver="GPKG")
             for name, n in rows.items()}
    small = _peak_rss_mb(paths["small"], chunk=500)
    Parcel.objects.all().delete()
    large = _peak_rss_mb(paths["large"], chunk=500)
    assert Parcel.objects.count() == rows["large"]
    assert paths["large"].stat().st_size > 100e6
    assert large - small < 25, (small, large)  # measured: 330 and 335 MB
