"""A large file's geometry facts come from forked worker processes: the import must decide every row
exactly as when they are computed in process, and a worker that dies must leave nothing behind."""
from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest
import shapely

import parcels.imports as parcels_imports
from parcels.imports import facts as facts_module
from parcels.imports import import_parcels_file
from parcels.models import Parcel
from tests.parcels.conftest import BACAU_E, BACAU_N, boxes, write_layer

pytestmark = pytest.mark.django_db


def _awkward_file(tmp_path):
    e, n = BACAU_E, BACAU_N + 500
    geoms = boxes(9)
    geoms[1] = shapely.Polygon([(e, n), (e + 100, n), (e + 100, n + 100), (e + 50, n + 100), (e + 50.1, n + 99.9),
                                (e + 50.1, n + 100.1), (e, n + 100)])  # repairable: a tiny loop on an edge
    geoms[2] = shapely.Polygon([(e + 200, n), (e + 300, n + 100), (e + 300, n), (e + 200, n + 100)])  # a bow-tie
    geoms[4] = shapely.Point(e, n)  # not a polygon
    geoms[5] = shapely.box(0, 0, 10, 10)  # outside Romania
    geoms[7] = shapely.Polygon([(x, y, 120.0) for x, y in geoms[7].exterior.coords])  # 3D: Z is dropped
    return write_layer(tmp_path / "awkward.gpkg", geoms,
                       {"cadastral_number": ["1", "2", "3", "4", "5", "6", "7", "8", "4"]}, driver="GPKG")


def _outcome(report):
    stored = {p.cadastral_number: (round(p.measured_area_m2, 3), p.geom.wkt) for p in Parcel.objects.all()}
    return sorted((i.row, i.level, i.reason) for i in report.issues), report.inserted, stored


@pytest.mark.django_db(transaction=True)  # each import commits: the second one is a bulk load again
def test_worker_processes_decide_every_row_as_the_main_process_does(tmp_path, territory, monkeypatch):
    path = _awkward_file(tmp_path)
    monkeypatch.setattr(parcels_imports, "CHECK_CHUNK", 2)  # five stretches over two workers
    in_process = _outcome(import_parcels_file(path=path, uat_siruta=20297))
    Parcel.objects.all().delete()

    pools = []

    class CountedPool(facts_module.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(facts_module, "ProcessPoolExecutor", CountedPool)
    monkeypatch.setattr(facts_module, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(facts_module, "may_fork", lambda: True)  # whatever threads earlier tests left
    in_workers = _outcome(import_parcels_file(path=path, uat_siruta=20297))
    assert len(pools) == 1
    assert in_workers == in_process
    issues, inserted, stored = in_workers
    assert inserted == 4 and set(stored) == {"1", "2", "7", "8"}
    assert "POLYGON Z" not in stored["8"][1] and stored["8"][0] == 400.0
    assert [row for row, level, _ in issues if level == "error"] == [3, 4, 5, 6, 9]


def test_a_worker_that_dies_leaves_no_parcel(tmp_path, territory, monkeypatch):
    parent = os.getpid()

    def die(wkb):
        assert os.getpid() != parent, "computed in process, not in a worker"
        os._exit(3)  # as if the kernel killed the worker (out of memory)

    monkeypatch.setattr(facts_module, "geometry_facts", die)  # inherited by the forked workers
    monkeypatch.setattr(facts_module, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(facts_module, "may_fork", lambda: True)
    monkeypatch.setattr(parcels_imports, "CHECK_CHUNK", 2)
    with pytest.raises(BrokenProcessPool):
        import_parcels_file(path=write_layer(tmp_path / "p.gpkg", boxes(4), {"cadastral_number": list("1234")},
                                             driver="GPKG"), uat_siruta=20297)
    assert Parcel.objects.count() == 0


def test_a_process_with_other_threads_checks_in_process_instead_of_forking(tmp_path, territory, monkeypatch):
    import threading

    forked = []
    monkeypatch.setattr(facts_module, "ProcessPoolExecutor", lambda *a, **k: forked.append(a) or None)
    monkeypatch.setattr(facts_module, "PARALLEL_MIN_ROWS", 0)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # e.g. a web server's thread pool
    other.start()
    try:
        report = import_parcels_file(path=write_layer(tmp_path / "p.gpkg", boxes(4), {"cadastral_number": list("1234")},
                                                      driver="GPKG"), uat_siruta=20297)
    finally:
        stop.set()
        other.join()
    assert forked == [] and report.inserted == 4
