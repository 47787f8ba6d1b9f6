"""import_layer for vector files: reprojection, attributes, repair/reject report, versions, coverage."""
from __future__ import annotations

import zipfile
from io import StringIO

import geopandas as gpd
import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from shapely.geometry import box

from layers.imports import layer_import
from layers.models import Feature, FeaturePart, Layer, LayerVersion
from tests.conftest import BACAU_E, BACAU_N
from tests.layers.conftest import geojson_file, lonlat, polygon_feature

pytestmark = pytest.mark.django_db


def _monuments(tmp_path, name="lmi.geojson"):
    lon, lat = lonlat(BACAU_E, BACAU_N)
    return geojson_file(tmp_path / name, [
        {"type": "Feature", "properties": {"cod_lmi": "BC-II-m-B-00845", "grupa": "B", "name": "Casa Ghika", "an": 1890},
         "geometry": {"type": "Point", "coordinates": [lon, lat]}},
        {"type": "Feature", "properties": {"cod_lmi": "BC-II-m-A-00800", "grupa": "A", "name": "Curtea Domnească"},
         "geometry": {"type": "Point", "coordinates": [lon + 0.001, lat]}},
    ])


def test_a_geojson_in_wgs84_is_reprojected_to_stereo70_with_its_attributes(territory, tmp_path):
    report = layer_import(path=_monuments(tmp_path), theme="lmi_monument", name="Monumente istorice")
    layer = Layer.objects.get(slug="lmi-monument")
    assert (layer.kind, layer.theme, layer.name) == ("constraint", "lmi_monument", "Monumente istorice")
    assert report.imported == 2 and report.version.is_current and report.version.source_srid == 4326
    first = Feature.objects.filter(version=report.version).order_by("id").first()
    assert first.geom.srid == 3844
    assert first.geom.x == pytest.approx(BACAU_E, abs=0.15) and first.geom.y == pytest.approx(BACAU_N, abs=0.15)
    assert first.attrs == {"cod_lmi": "BC-II-m-B-00845", "grupa": "B", "name": "Casa Ghika", "an": 1890}
    assert first.name == "Casa Ghika"
    assert FeaturePart.objects.filter(version=report.version).count() == 2


def test_each_import_creates_a_new_current_version_and_keeps_the_old_one(territory, tmp_path):
    first = layer_import(path=_monuments(tmp_path), theme="lmi_monument").version
    second = layer_import(path=_monuments(tmp_path, "again.geojson"), theme="lmi_monument").version
    first.refresh_from_db()
    assert (first.number, first.is_current, second.number, second.is_current) == (1, False, 2, True)
    assert Feature.objects.filter(version=first).count() == 2


def test_the_default_coverage_is_the_union_of_the_uats_the_features_touch(territory, tmp_path):
    version = layer_import(path=_monuments(tmp_path), theme="lmi_monument").version
    assert version.coverage.area == pytest.approx(territory["uat_a"].boundary.area)


def test_coverage_territory_is_null_and_extent_is_the_buffered_envelope(territory, tmp_path):
    assert layer_import(path=_monuments(tmp_path), theme="lmi_monument", coverage="territory").version.coverage is None
    extent = layer_import(path=_monuments(tmp_path), theme="railway_axis", coverage="extent").version.coverage
    assert extent.contains(Point(BACAU_E, BACAU_N, srid=3844)) and extent.area < 1_500 ** 2


def test_a_self_intersecting_polygon_is_repaired_and_reported(territory, tmp_path):
    e, n = BACAU_E, BACAU_N
    bowtie = [(e, n), (e + 100, n + 100), (e + 100, n), (e, n + 100), (e, n)]
    ok = [(e, n), (e + 50, n), (e + 50, n + 50), (e, n + 50), (e, n)]
    path = geojson_file(tmp_path / "zones.geojson", [polygon_feature(bowtie, id="Z1"), polygon_feature(ok, id="Z2")],
                        crs="EPSG:3844")
    report = layer_import(path=path, theme="flood_hazard_zone")
    assert report.imported == 2 and report.rejected == []
    assert [(r["row"], r["source_id"], r["status"]) for r in report.repaired] == [(1, "Z1", "repaired")]
    assert "Self-intersection" in report.repaired[0]["reason"]
    repaired = Feature.objects.get(version=report.version, source_id="Z1").geom
    assert repaired.valid and repaired.geom_type == "MultiPolygon" and repaired.area == pytest.approx(5000)


def test_reject_mode_skips_invalid_rows_and_strict_mode_imports_nothing(territory, tmp_path):
    e, n = BACAU_E, BACAU_N
    bowtie = [(e, n), (e + 100, n + 100), (e + 100, n), (e, n + 100), (e, n)]
    ok = [(e, n), (e + 50, n), (e + 50, n + 50), (e, n + 50), (e, n)]
    path = geojson_file(tmp_path / "z.geojson", [polygon_feature(bowtie, id="Z1"), polygon_feature(ok, id="Z2")],
                        crs="EPSG:3844")
    report = layer_import(path=path, theme="flood_hazard_zone", on_invalid="reject")
    assert report.imported == 1 and [r["source_id"] for r in report.rejected] == ["Z1"]
    with pytest.raises(ValidationError, match="1 of 2 rows rejected"):
        layer_import(path=path, theme="natura2000_site", on_invalid="reject", strict=True)
    assert not Layer.objects.filter(theme="natura2000_site").exists()


def test_coordinates_declared_in_the_wrong_crs_are_rejected_as_outside_romania(territory, tmp_path):
    e, n = BACAU_E, BACAU_N
    ring = [(e, n), (e + 50, n), (e + 50, n + 50), (e, n + 50), (e, n)]
    path = geojson_file(tmp_path / "wrong.geojson", [polygon_feature(ring)])  # Stereo 70 metres, no crs member
    with pytest.raises(ValidationError, match="outside Romania"):
        layer_import(path=path, theme="natura2000_site")
    assert LayerVersion.objects.count() == 0 and Feature.objects.count() == 0


def test_a_non_whitelisted_srid_is_refused(territory, tmp_path):
    with pytest.raises(ValidationError, match="EPSG:2154 is not supported"):
        layer_import(path=_monuments(tmp_path), theme="lmi_monument", srid=2154)


def test_a_crash_while_publishing_leaves_nothing_half_imported(territory, tmp_path, monkeypatch):
    import layers.imports.service as service

    def boom(**kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "layer_version_publish", boom)
    with pytest.raises(RuntimeError):
        layer_import(path=_monuments(tmp_path), theme="lmi_monument")
    assert (Layer.objects.count(), LayerVersion.objects.count(), Feature.objects.count()) == (0, 0, 0)


def test_geopackage_and_zipped_shapefile_are_imported(territory, tmp_path):
    frame = gpd.GeoDataFrame({"voltage_kv": [110, 20], "name": ["LEA 110", "LEA 20"]},
                             geometry=[box(BACAU_E, BACAU_N, BACAU_E + 10, BACAU_N + 10).boundary,
                                       box(BACAU_E, BACAU_N, BACAU_E + 20, BACAU_N + 20).boundary], crs="EPSG:3844")
    frame.to_file(tmp_path / "lines.gpkg", driver="GPKG")
    gpkg = layer_import(path=tmp_path / "lines.gpkg", theme="power_line_110kV", slug="lea")
    assert gpkg.imported == 2 and gpkg.layer.kind == "constraint"
    assert sorted(Feature.objects.filter(version=gpkg.version).values_list("attrs__voltage_kv", flat=True)) == [20, 110]
    frame.to_file(tmp_path / "lines.shp")
    with zipfile.ZipFile(tmp_path / "lines.zip", "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            if (tmp_path / f"lines.{ext}").exists():
                zf.write(tmp_path / f"lines.{ext}", f"lines.{ext}")
    shp = layer_import(path=tmp_path / "lines.zip", theme="power_line_110kV", slug="lea")
    assert (shp.version.number, shp.imported, shp.version.source_srid) == (2, 2, 3844)
    assert Feature.objects.get(version=shp.version, name="LEA 110").geom.length == pytest.approx(40)


def test_kind_defaults_from_the_theme(territory, tmp_path):
    e, n = BACAU_E, BACAU_N
    ring = [(e, n), (e + 50, n), (e + 50, n + 50), (e, n + 50), (e, n)]
    path = geojson_file(tmp_path / "u.geojson", [polygon_feature(ring, utr_code="L1")], crs="EPSG:3844")
    assert layer_import(path=path, theme="utr_polygon").layer.kind == "zoning"
    assert layer_import(path=path, theme="intravilan_limit").layer.kind == "reference"


def test_the_command_prints_a_summary_and_fails_cleanly_on_bad_input(territory, tmp_path):
    out = StringIO()
    call_command("import_layer", str(_monuments(tmp_path)), "--theme", "lmi_monument", stdout=out)
    assert "lmi-monument v1: 2 features, 0 repaired, 0 rejected" in out.getvalue()
    with pytest.raises(CommandError, match="Unsupported file type .txt"):
        (tmp_path / "x.txt").write_text("hello")
        call_command("import_layer", str(tmp_path / "x.txt"), "--theme", "lmi_monument")
