"""Every import format end to end: the rows, geometries, UATs and buildings that land in the database."""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command

from parcels.imports import _text_column, import_parcels_file
from parcels.imports.uats import import_uats_file
from parcels.models import UAT, Building, Issuer, Parcel
from tests.conftest import BACAU_E, BACAU_N
from tests.parcels.conftest import boxes, write_layer, zip_shapefile

pytestmark = pytest.mark.django_db


def test_a_geopackage_in_stereo70_is_imported_with_its_buildings_layer(tmp_path, territory):
    path = write_layer(tmp_path / "p.gpkg", boxes(3), {"cadastral_number": ["101", "102", "103"],
                       "use_category": ["CC", "a", "XX"], "legal_area_m2": [400.0, 401.0, 399.0],
                       "siruta": [20297, 20297, 20297]}, driver="GPKG", geometry_type="Polygon")
    building = shapely.box(BACAU_E + 2, BACAU_N + 2, BACAU_E + 12, BACAU_N + 10)
    write_layer(path, [building], {"cadastral_number": ["101"], "cadastral_id": ["C1"], "levels": [3]},
                layer="buildings", driver="GPKG", append=True, geometry_type="Polygon")

    report = import_parcels_file(path=path)

    assert (report.format, report.srid, report.inserted, report.rejected) == ("gpkg", 3844, 3, 0)
    parcel = Parcel.objects.get(cadastral_number="101")
    assert parcel.uat == territory["uat_a"]
    assert parcel.geom.equals(shapely.box(BACAU_E, BACAU_N, BACAU_E + 20, BACAU_N + 20).wkt and parcel.geom)
    assert parcel.geom.extent == (BACAU_E, BACAU_N, BACAU_E + 20, BACAU_N + 20)
    assert parcel.measured_area_m2 == pytest.approx(400)
    assert parcel.legal_area_m2 == 400.0
    assert list(Parcel.objects.order_by("cadastral_number").values_list("use_category", flat=True)) == ["CC", "A", ""]
    assert any("Unknown use category 'XX'" in i.reason for i in report.issues)
    b = Building.objects.get()
    assert (b.parcel, b.cadastral_id, b.levels, b.built_area_m2) == (parcel, "C1", 3, pytest.approx(80))


def test_a_geojson_in_wgs84_is_reprojected_and_reimport_updates_instead_of_duplicating(tmp_path, territory):
    from pyproj import Transformer

    to_wgs = Transformer.from_crs(3844, 4326, always_xy=True)
    geom = shapely.transform(boxes(1)[0], lambda xy: __import__("numpy").column_stack(to_wgs.transform(xy[:, 0], xy[:, 1])))
    path = write_layer(tmp_path / "p.geojson", [geom], {"nr_cad": ["555"], "adresa": ["Str. Ştefan cel Mare 3"]},
                       crs="EPSG:4326", driver="GeoJSON")

    first = import_parcels_file(path=path, uat_siruta=20297)
    second = import_parcels_file(path=path, uat_siruta=20297)

    assert (first.inserted, first.updated, second.inserted, second.updated) == (1, 0, 0, 1)
    parcel = Parcel.objects.get()
    assert parcel.address == "Str. Ștefan cel Mare 3"  # cedilla ş normalised to comma-below ș
    assert parcel.geom.extent == pytest.approx((BACAU_E, BACAU_N, BACAU_E + 20, BACAU_N + 20), abs=0.01)


def test_a_zipped_shapefile_is_imported_and_the_uat_found_spatially(tmp_path, territory):
    shp = write_layer(tmp_path / "p.shp", boxes(2, e=BACAU_E - 5000), {"cadastral": ["7", "8"]},
                      driver="ESRI Shapefile", geometry_type="Polygon")
    report = import_parcels_file(path=zip_shapefile(shp))
    assert (report.format, report.inserted) == ("shapefile-zip", 2)
    assert set(Parcel.objects.values_list("uat__siruta", flat=True)) == {territory["uat_b"].siruta}


def test_the_cgxml_sample_imports_lands_with_swapped_axes_and_their_buildings(fixtures_dir, territory):
    report = import_parcels_file(path=fixtures_dir / "bacau_sector12.cgxml")

    assert (report.format, report.srid, report.inserted, report.buildings, report.rejected) == ("cgxml", 3844, 2, 2, 0)
    land = Parcel.objects.get(cadastral_number="71234")
    # X is the northing and Y the easting in CGXML: stored x must be the easting.
    assert land.geom.extent == (BACAU_E, BACAU_N, BACAU_E + 20, BACAU_N + 30)
    assert land.uat == territory["uat_a"]  # Address SIRUTA is the locality; SIRSUP 20297 the UAT
    assert (land.legal_area_m2, land.use_category, land.old_cf_number, land.topo_number) == (598, "CC", "12345/N", "1234/1/2")
    assert land.address == "Str. Ștefan cel Mare, nr. 12"
    assert list(land.buildings.values_list("cadastral_id", "levels", "destination")) == [("C1", 2, "CL"), ("C2", 1, "CAS")]
    assert land.buildings.get(cadastral_id="C1").built_area_m2 == pytest.approx(120)


def test_a_slightly_invalid_ring_is_repaired_and_a_bowtie_is_rejected(tmp_path, territory):
    e, n = BACAU_E, BACAU_N
    # A ring with a tiny self-intersecting loop on its north edge (area change far below 0.1 %).
    spike = shapely.Polygon([(e, n), (e + 100, n), (e + 100, n + 100), (e + 50, n + 100), (e + 50.1, n + 99.9),
                             (e + 50.1, n + 100.1), (e, n + 100)])
    bowtie = shapely.Polygon([(e + 200, n), (e + 300, n + 100), (e + 300, n), (e + 200, n + 100)])
    path = write_layer(tmp_path / "p.gpkg", [spike, bowtie], {"cadastral_number": ["1", "2"]}, driver="GPKG")
    report = import_parcels_file(path=path, uat_siruta=20297)
    assert list(Parcel.objects.values_list("cadastral_number", flat=True)) == ["1"]
    assert Parcel.objects.get().geom.valid
    assert [(i.row, i.level) for i in report.issues] == [(1, "warning"), (2, "error")]
    assert "repairing it would change the area" in report.issues[1].reason


def test_the_command_prints_a_per_row_report_and_a_summary(tmp_path, territory, capsys):
    path = write_layer(tmp_path / "p.gpkg", boxes(2), {"cadastral_number": ["1", ""]}, driver="GPKG")
    call_command("import_parcels", str(path), "--uat", "20297")
    out = capsys.readouterr().out
    assert "row 2 [-] error: No cadastral number." in out
    assert "2 rows read, 1 inserted, 0 updated, 1 rejected" in out


def test_import_uats_upserts_by_siruta_and_creates_the_mayor(tmp_path, db):
    boundary = shapely.box(BACAU_E - 2000, BACAU_N - 2000, BACAU_E + 2000, BACAU_N + 2000)
    path = write_layer(tmp_path / "u.geojson", [boundary], {"siruta": [20297], "name": ["Bacău"], "county": ["Bacău"],
                       "kind": ["Municipiu"]}, driver="GeoJSON", crs="EPSG:3844")
    first = import_uats_file(path=path)
    second = import_uats_file(path=path)
    assert (first.inserted, second.updated) == (1, 1)
    uat = UAT.objects.get()
    assert (uat.siruta, uat.kind, uat.boundary.area) == (20297, "municipiu", pytest.approx(16e6))
    assert Issuer.objects.get().name == "Primarul municipiului Bacău"


def test_import_uats_command_fails_when_nothing_was_imported(tmp_path, db):
    path = write_layer(tmp_path / "u.geojson", boxes(1), {"siruta": ["x"], "name": ["A"], "county": ["B"], "kind": ["comuna"]},
                       driver="GeoJSON")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_uats", str(path))


@pytest.mark.parametrize("values, expected", [
    (["12", "13", ""], ["12", "13", ""]),
    ([" 12", "13"], ["12", "13"]),
    (["12", "13\t"], ["12", "13"]),
    (["1 2", "3\x1f", "4"], ["1 2", "3", "4"]),
    (["Strada Ştefan cel Mare "], ["Strada Ștefan cel Mare"]),
    (np.array([20297, 7], dtype=np.int32), ["20297", "7"]),
])
def test_text_attributes_are_trimmed_and_normalised_only_where_needed(values, expected):
    assert _text_column(np.array(values, dtype=object) if isinstance(values, list) else values).tolist() == expected
