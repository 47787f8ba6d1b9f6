"""Coordinates stay exact across Stereo 70 and WGS 84 on every path, checked against the 11 surveyed
verification points in ../shared/data/stereo70 (accepted accuracy 0.15 m, PROJ's EPSG operation)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from django.db import connection
from pyproj import Transformer

from parcels.imports import import_parcels_file
from parcels.models import UAT, Parcel
from tests.parcels.conftest import write_layer

POINTS = Path("/work/shared/data/stereo70")
TOLERANCE_M = 0.15
SIDE = 10.0
pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not (POINTS / "stereo.shp").exists(), reason="verification points not available")]


def _pairs() -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    stereo = pyogrio.read_dataframe(POINTS / "stereo.shp")
    wgs = pyogrio.read_dataframe(POINTS / "wgs84.shp").set_index("NAME")
    return [(name, (g.x, g.y), (wgs.loc[name].geometry.x, wgs.loc[name].geometry.y))
            for name, g in zip(stereo["NAME"], stereo.geometry, strict=False)]


PAIRS = _pairs() if (POINTS / "stereo.shp").exists() else []


def _nearest_metres(ring, lonlat) -> float:
    """Distance from the surveyed point to the nearest vertex of a returned ring (vertex order is free)."""
    return min(_metres(vertex, lonlat) for vertex in ring)


def _metres(lonlat_a, lonlat_b) -> float:
    dlat = (lonlat_a[1] - lonlat_b[1]) * 111_320.0
    dlon = (lonlat_a[0] - lonlat_b[0]) * 111_320.0 * math.cos(math.radians(lonlat_a[1]))
    return math.hypot(dlat, dlon)


@pytest.fixture
def uat(db):
    xs = [p[1][0] for p in PAIRS]
    ys = [p[1][1] for p in PAIRS]
    boundary = shapely.box(min(xs) - 1000, min(ys) - 1000, max(xs) + 1000, max(ys) + 1000)
    from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

    return UAT.objects.create(siruta=179132, name="București Sector 1", county="București", kind="municipiu",
                              boundary=MultiPolygon(GEOSGeometry(boundary.wkt, srid=3844), srid=3844))


def test_there_are_eleven_verification_points():
    assert len(PAIRS) == 11


def test_postgis_uses_the_epsg_operation_not_the_proj4_towgs84_string(db):
    """PostGIS's spatial_ref_sys proj4text for 3844 has towgs84 rotations that put points ~38 m off;
    ST_Transform must agree with pyproj's EPSG:4326 -> EPSG:3844 to the centimetre."""
    to_stereo = Transformer.from_crs(4326, 3844, always_xy=True)
    with connection.cursor() as cursor:
        for name, _stereo, (lon, lat) in PAIRS:
            cursor.execute("SELECT ST_X(g), ST_Y(g) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), 3844) g",
                           [lon, lat])
            x, y = cursor.fetchone()
            px, py = to_stereo.transform(lon, lat)
            assert math.hypot(x - px, y - py) < 0.01, name


def test_stereo70_file_storage_and_api_output_in_both_crs_match_the_surveyed_points(tmp_path, uat, api):
    squares = [shapely.box(e, n, e + SIDE, n + SIDE) for _, (e, n), _ in PAIRS]  # SW corner = the point
    path = write_layer(tmp_path / "p.gpkg", squares, {"cadastral_number": [name for name, _, _ in PAIRS]}, driver="GPKG")
    assert import_parcels_file(path=path, uat_siruta=179132).inserted == 11

    for name, (e, n), lonlat in PAIRS:
        stored = Parcel.objects.get(cadastral_number=name).geom
        assert stored.extent[:2] == (e, n)  # storage is exact in Stereo 70
        feature = api().get(f"/api/v1/parcels/?cadastral_number={name}").json()["features"][0]
        assert _nearest_metres(feature["geometry"]["coordinates"][0][0], lonlat) < TOLERANCE_M, name
        feature = api().get(f"/api/v1/parcels/?cadastral_number={name}&crs=3844").json()["features"][0]
        assert min(math.hypot(x - e, y - n) for x, y in feature["geometry"]["coordinates"][0][0]) <= 0.0071, name  # 2 decimals


def test_wgs84_file_is_stored_within_tolerance_and_found_by_point_lookup(tmp_path, uat, api):
    to_wgs = Transformer.from_crs(3844, 4326, always_xy=True)
    squares = []
    for _, (e, n), (lon, lat) in PAIRS:
        # A square whose SW corner is the surveyed WGS 84 point; the other corners come from PROJ.
        corners = np.array(to_wgs.transform([e + SIDE, e + SIDE, e], [n, n + SIDE, n + SIDE])).T
        squares.append(shapely.Polygon([(lon, lat), *corners.tolist()]))
    path = write_layer(tmp_path / "p.geojson", squares, {"cadastral_number": [name for name, _, _ in PAIRS]},
                       crs="EPSG:4326", driver="GeoJSON")
    assert import_parcels_file(path=path, uat_siruta=179132).inserted == 11

    for name, (e, n), (lon, lat) in PAIRS:
        ring = Parcel.objects.get(cadastral_number=name).geom[0].exterior_ring
        assert min(math.hypot(x - e, y - n) for x, y in ring) < TOLERANCE_M, name
        # Point lookup 5 m inside the SW corner, in lon/lat and in Stereo 70.
        inside_lon, inside_lat = to_wgs.transform(e + SIDE / 2, n + SIDE / 2)
        found = api().get(f"/api/v1/parcels/at/?lon={inside_lon}&lat={inside_lat}").json()["features"]
        assert [f["properties"]["cadastral_number"] for f in found] == [name]
        assert _nearest_metres(found[0]["geometry"]["coordinates"][0][0], (lon, lat)) < TOLERANCE_M, name
        found = api().get(f"/api/v1/parcels/at/?crs=3844&x={e + SIDE / 2}&y={n + SIDE / 2}").json()["features"]
        assert [f["properties"]["cadastral_number"] for f in found] == [name]
