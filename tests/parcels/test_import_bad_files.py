"""Bad input never half-writes: file-level problems import nothing, bad rows are reported."""
from __future__ import annotations

import pytest
import shapely
from django.core.management import CommandError, call_command

from parcels.imports import ImportFileError, import_parcels_file, loader
from parcels.models import Parcel
from tests.conftest import BACAU_E, BACAU_N
from tests.parcels.conftest import boxes, write_layer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"hello, world", "Unknown or unsupported file format"),
    (b"SQLite format 3\x00" + b"\x00" * 200, "not a GeoPackage"),
    (b"PK\x03\x04garbage", "zip archive is corrupt"),
    (b"<root><a/></root>", "not a CGXML"),
    (b'{"type": "FeatureCollection", "features": [', "Cannot read the file"),
])
def test_corrupt_empty_and_unknown_files_are_refused_with_a_clear_message(tmp_path, territory, content, message):
    path = tmp_path / "parcels.geojson"  # the extension lies: the content decides
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        import_parcels_file(path=path, uat_siruta=20297)
    assert Parcel.objects.count() == 0


def test_a_file_without_crs_requires_srid(tmp_path, territory):
    path = write_layer(tmp_path / "p.shp", boxes(1), {"cadastral": ["1"]}, crs=None, driver="ESRI Shapefile")
    with pytest.raises(ImportFileError, match="pass --srid"):
        import_parcels_file(path=_zip(path), uat_siruta=20297)
    report = import_parcels_file(path=_zip(path), uat_siruta=20297, srid=3844)
    assert report.inserted == 1


def _zip(shp):
    from tests.parcels.conftest import zip_shapefile

    return zip_shapefile(shp)


def test_a_crs_outside_the_whitelist_is_refused(tmp_path, territory):
    path = write_layer(tmp_path / "p.gpkg", boxes(1), {"cadastral_number": ["1"]}, crs="EPSG:32635", driver="GPKG")
    with pytest.raises(ImportFileError, match="EPSG:32635 nu este acceptat"):
        import_parcels_file(path=path, uat_siruta=20297)


def test_swapped_lonlat_rows_are_rejected_with_a_message_that_says_so(tmp_path, territory):
    swapped = shapely.box(46.56, 26.91, 46.5601, 26.9101)  # (lat, lon) written as (x, y)
    path = write_layer(tmp_path / "p.geojson", [swapped], {"cadastral_number": ["1"]}, crs="EPSG:4326", driver="GeoJSON")
    report = import_parcels_file(path=path, uat_siruta=20297)
    assert report.imported == 0
    assert "par inversate" in report.issues[0].reason


def test_mixed_geometry_types_reject_the_non_polygon_rows(tmp_path, territory):
    geoms = [boxes(1)[0], shapely.Point(BACAU_E, BACAU_N)]
    path = write_layer(tmp_path / "p.geojson", geoms, {"cadastral_number": ["1", "2"]}, crs="EPSG:3844", driver="GeoJSON")
    report = import_parcels_file(path=path, uat_siruta=20297)
    assert list(Parcel.objects.values_list("cadastral_number", flat=True)) == ["1"]
    assert report.issues[0].row == 2 and "Geometry type Point" in report.issues[0].reason


@pytest.mark.parametrize("existing", [False, True], ids=["bulk path", "upsert path"])
def test_duplicate_cadastral_numbers_in_one_file_are_all_reported_not_last_wins(tmp_path, parcel_factory, existing):
    if existing:
        parcel_factory(cadastral_number="999", e=BACAU_E + 1000)
    path = write_layer(tmp_path / "p.gpkg", boxes(3), {"cadastral_number": ["5", "6", "5"]}, driver="GPKG")
    report = import_parcels_file(path=path, uat_siruta=20297)
    assert report.inserted == 1
    assert [(i.row, i.identifier) for i in report.issues] == [(1, "5"), (3, "5")]
    assert "rows 1, 3" in report.issues[0].reason
    assert not Parcel.objects.filter(cadastral_number="5").exists()


def test_a_geojson_that_is_not_utf8_is_refused(tmp_path, territory):
    path = tmp_path / "p.geojson"
    path.write_bytes('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                     '{"cadastral_number": "1", "address": "Bacău"}, "geometry": null}]}'.encode("cp1250"))
    with pytest.raises(ImportFileError, match="not UTF-8"):
        import_parcels_file(path=path, uat_siruta=20297)


def test_a_crash_during_the_load_leaves_nothing_half_written(tmp_path, parcel_factory, monkeypatch):
    parcel_factory(cadastral_number="1", e=BACAU_E + 1000)
    path = write_layer(tmp_path / "p.gpkg", boxes(3), {"cadastral_number": ["1", "2", "3"]}, driver="GPKG")

    monkeypatch.setattr(loader, "_upsert", _upsert_then_crash)
    with pytest.raises(KeyboardInterrupt):
        import_parcels_file(path=path, uat_siruta=20297)
    assert list(Parcel.objects.values_list("cadastral_number", flat=True)) == ["1"]
    assert Parcel.objects.get().geom.extent[0] == BACAU_E + 1000


_real_upsert = loader._upsert


def _upsert_then_crash(cursor, srid, report):
    _real_upsert(cursor, srid, report)  # rows are written inside the transaction…
    raise KeyboardInterrupt  # …then Ctrl-C arrives before the commit


def test_the_command_exits_non_zero_when_nothing_was_imported(tmp_path, territory):
    path = write_layer(tmp_path / "p.gpkg", boxes(1, e=BACAU_E + 900000), {"cadastral_number": ["1"]}, driver="GPKG")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_parcels", str(path), "--uat", "20297")


def test_strict_mode_imports_nothing_when_a_row_is_rejected(tmp_path, territory):
    path = write_layer(tmp_path / "p.gpkg", boxes(2), {"cadastral_number": ["1", ""]}, driver="GPKG")
    with pytest.raises(ImportFileError, match="--strict"):
        import_parcels_file(path=path, uat_siruta=20297, strict=True)
    assert Parcel.objects.count() == 0
