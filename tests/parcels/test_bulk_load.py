"""The bulk path (first load of an empty table): indexes and constraints dropped for the COPY come
back exactly, a crash leaves neither rows nor a missing index, and the address search index,
built after the commit, is reported when it fails and rebuilt by the next import."""
from __future__ import annotations

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.db.backends.postgresql.schema import DatabaseSchemaEditor

import parcels.imports as parcels_imports
from parcels.imports import ImportFileError, binary_copy, import_parcels_file
from parcels.models import Parcel
from tests.conftest import BACAU_E
from tests.parcels.conftest import boxes, write_layer

pytestmark = pytest.mark.django_db


def _schema() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'parcels_parcel'
                          UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                          WHERE conrelid = 'parcels_parcel'::regclass
                          UNION ALL SELECT conrelid::regclass || '.' || conname, pg_get_constraintdef(oid)
                          FROM pg_constraint WHERE confrelid = 'parcels_parcel'::regclass""")
        return set(cursor.fetchall())


def _file(tmp_path, n=3):
    return write_layer(tmp_path / "p.gpkg", boxes(n), {"cadastral_number": [str(i) for i in range(1, n + 1)],
                                                       "address": [f"Strada Mărășești {i}" for i in range(n)]},
                       driver="GPKG")


def test_a_bulk_load_restores_every_index_and_constraint(tmp_path, territory):
    before = _schema()
    assert {"parcel_address_trgm_idx", "parcel_unique_cadastral_number", "parcels_parcel_pkey"} <= {
        n for n, _ in before}
    # The foreign keys of the tables that reference parcels are dropped for the load too.
    assert sum(n.startswith(("parcels_building.", "rules_analysis_parcels.", "permits_application_parcels."))
               for n, _ in before) == 3
    report = import_parcels_file(path=_file(tmp_path), uat_siruta=20297)
    assert report.inserted == 3
    assert _schema() == before


def test_a_crash_during_the_bulk_copy_leaves_no_rows_and_every_index(tmp_path, territory, monkeypatch):
    before = _schema()

    def crash(pieces):
        raise KeyboardInterrupt  # Ctrl-C while the rows stream in

    monkeypatch.setattr(binary_copy, "rows_payload", crash)
    with pytest.raises(KeyboardInterrupt):
        import_parcels_file(path=_file(tmp_path), uat_siruta=20297)
    assert Parcel.objects.count() == 0
    assert _schema() == before


@pytest.mark.django_db(transaction=True)  # each import commits, as in production (no pending FK checks)
def test_a_missing_address_index_is_rebuilt_by_the_next_import(tmp_path, territory):
    before = _schema()
    # A first import fills the table, so the next one is an upsert: it does not drop and rebuild the
    # indexes itself, and only the repair of deferred indexes can bring the dropped one back.
    import_parcels_file(path=_file(tmp_path), uat_siruta=20297)
    with connection.cursor() as cursor:  # as if a process died between the commit and the index build
        cursor.execute("DROP INDEX parcel_address_trgm_idx")
    import_parcels_file(path=_file(tmp_path), uat_siruta=20297)
    assert _schema() == before


def test_a_failed_address_index_build_is_reported_and_the_parcels_stay(tmp_path, territory, monkeypatch, capsys):
    def fail(self, model, index):
        raise DatabaseError("could not extend file: No space left on device")

    monkeypatch.setattr(DatabaseSchemaEditor, "add_index", fail)
    with pytest.raises(CommandError, match="parcels were imported, but building the index parcel_address_trgm_idx "
                                           "failed: could not extend file"):
        call_command("import_parcels", str(_file(tmp_path)), "--uat", "20297")
    assert "3 inserted" in capsys.readouterr().out
    assert Parcel.objects.count() == 3


def test_a_bulk_load_with_rejected_and_duplicate_rows_keeps_each_geometry_with_its_parcel(tmp_path, territory):
    geoms = boxes(6)
    path = write_layer(tmp_path / "p.gpkg", geoms, {"cadastral_number": ["1", "2", "", "4", "4", "6"]}, driver="GPKG")
    report = import_parcels_file(path=path, uat_siruta=20297)
    assert (report.inserted, report.rejected) == (3, 3)
    stored = {p.cadastral_number: p.geom.extent for p in Parcel.objects.all()}
    assert stored == {cad: geoms[row].bounds for cad, row in (("1", 0), ("2", 1), ("6", 5))}


@pytest.mark.parametrize("chunk", [2, 50_000])
def test_a_streamed_bulk_load_decides_duplicates_after_every_geometry_is_checked(tmp_path, territory, monkeypatch, chunk):
    monkeypatch.setattr(parcels_imports, "CHECK_CHUNK", chunk)  # several stretches, repeats across them
    geoms = boxes(7)
    geoms[1] = shapely.box(0, 0, 10, 10)  # outside Romania: its row is rejected, so row 6 is no duplicate
    path = write_layer(tmp_path / "p.gpkg", geoms, {"cadastral_number": ["1", "2", "3", "4", "3", "2", "5"]},
                       driver="GPKG")
    report = import_parcels_file(path=path, uat_siruta=20297)
    reasons = {issue.row: issue.reason for issue in report.issues}
    assert set(reasons) == {2, 3, 5}
    assert "în afara României" in reasons[2]
    assert reasons[3] == reasons[5] == ("Duplicate cadastral number 3 in this file (rows 3, 5); none of these rows "
                                        "was imported.")
    stored = {p.cadastral_number: p.geom.extent for p in Parcel.objects.all()}
    assert stored == {cad: geoms[row].bounds for cad, row in (("1", 0), ("4", 3), ("2", 5), ("5", 6))}


def test_strict_mode_rolls_back_a_streamed_load_when_a_late_row_is_rejected(tmp_path, territory, monkeypatch):
    monkeypatch.setattr(parcels_imports, "CHECK_CHUNK", 2)  # the bad row arrives after rows were sent
    before = _schema()
    geoms = boxes(5)
    geoms[4] = shapely.box(0, 0, 10, 10)
    path = write_layer(tmp_path / "p.gpkg", geoms, {"cadastral_number": ["1", "2", "3", "4", "5"]}, driver="GPKG")
    with pytest.raises(ImportFileError, match="--strict"):
        import_parcels_file(path=path, uat_siruta=20297, strict=True)
    assert Parcel.objects.count() == 0
    assert _schema() == before


def test_a_bulk_load_numbers_its_parcels_from_the_sequence_and_hands_back_unused_ids(tmp_path, territory):
    """Ids are reserved in one call and sent with the rows; the ids of rejected rows go back."""
    polygons = boxes(4)
    polygons[2] = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])  # a bow-tie: rejected
    path = write_layer(tmp_path / "r.gpkg", polygons, {"cadastral_number": ["1", "2", "3", "4"]}, driver="GPKG")
    report = import_parcels_file(path=path, uat_siruta=20297)
    assert report.inserted == 3 and report.rejected == 1
    ids = sorted(Parcel.objects.values_list("id", flat=True))
    assert ids == list(range(ids[0], ids[0] + 3))
    assert dict(Parcel.objects.values_list("cadastral_number", "id")) == {"1": ids[0], "2": ids[1], "4": ids[2]}
    later = Parcel.objects.create(uat=territory["uat_a"], cadastral_number="99", geom=Parcel.objects.first().geom,
                                  measured_area_m2=1)
    assert later.pk == ids[-1] + 1  # the sequence stands right after the last parcel loaded


def _county(tmp_path, name: str, siruta: int, cads: list[str], *, e: float = 0.0):
    return write_layer(tmp_path / name, boxes(len(cads), e=BACAU_E + e),
                       {"cadastral_number": cads, "siruta": [siruta] * len(cads)}, driver="GPKG")


def test_a_file_of_uats_without_parcels_is_appended_through_the_bulk_path(tmp_path, territory, monkeypatch):
    """The next county of a national load: COPY straight into the table, its indexes kept (readers
    are never locked out), nothing staged; a file of a UAT that has parcels still upserts."""
    import_parcels_file(path=_county(tmp_path, "a.gpkg", 20297, ["1", "2"]))
    before = _schema()
    staged = parcels_imports.loader._staged_load
    monkeypatch.setattr(parcels_imports.loader, "_staged_load", lambda *a, **k: pytest.fail("staged"))
    monkeypatch.setattr(parcels_imports.loader, "_bulk_drop", lambda *a, **k: pytest.fail("indexes dropped"))
    report = import_parcels_file(path=_county(tmp_path, "b.gpkg", 22936, ["1", "2", "3"], e=100))
    assert (report.inserted, report.updated) == (3, 0)
    assert _schema() == before
    assert sorted(Parcel.objects.values_list("uat__siruta", "cadastral_number")) == [
        (20297, "1"), (20297, "2"), (22936, "1"), (22936, "2"), (22936, "3")]
    monkeypatch.setattr(parcels_imports.loader, "_staged_load", staged)
    report = import_parcels_file(path=_county(tmp_path, "a2.gpkg", 20297, ["2", "9"], e=300))
    assert (report.inserted, report.updated) == (1, 1)


def test_several_files_are_one_load_with_indexes_rebuilt_once(tmp_path, territory, capsys):
    before = _schema()
    call_command("import_parcels", str(_county(tmp_path, "a.gpkg", 20297, ["1", "2"])),
                 str(_county(tmp_path, "b.gpkg", 22936, ["1", "2", "3"], e=100)))
    out = capsys.readouterr().out
    assert "a.gpkg (gpkg, EPSG:3844): 2 rows read, 2 inserted" in out
    assert "b.gpkg (gpkg, EPSG:3844): 3 rows read, 3 inserted" in out
    assert Parcel.objects.count() == 5
    assert _schema() == before  # every index and constraint back, the address index too
    ids = sorted(Parcel.objects.values_list("id", flat=True))
    assert ids == list(range(ids[0], ids[0] + 5))


def test_several_files_with_a_key_already_present_roll_back_together(tmp_path, territory):
    import_parcels_file(path=_county(tmp_path, "a.gpkg", 20297, ["1", "2"]))
    before = _schema()
    with pytest.raises(CommandError, match="already in the database or in two of the files"):
        call_command("import_parcels", str(_county(tmp_path, "b.gpkg", 22936, ["7"], e=100)),
                     str(_county(tmp_path, "c.gpkg", 20297, ["2"], e=300)))
    assert sorted(Parcel.objects.values_list("uat__siruta", "cadastral_number")) == [(20297, "1"), (20297, "2")]
    assert _schema() == before


def test_several_files_refuse_a_file_that_cannot_only_be_added(tmp_path, territory):
    no_siruta = write_layer(tmp_path / "x.gpkg", boxes(1), {"cadastral_number": ["5"]}, driver="GPKG")
    with pytest.raises(CommandError, match="import this file alone"):
        call_command("import_parcels", str(_county(tmp_path, "a.gpkg", 20297, ["1"])), str(no_siruta))
    assert Parcel.objects.count() == 0
    with pytest.raises(CommandError, match="--uat applies to one file"):
        call_command("import_parcels", str(no_siruta), str(no_siruta), "--uat", "20297")
