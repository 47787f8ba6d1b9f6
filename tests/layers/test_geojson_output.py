"""Every GeoJSON answer of the REST API, the OGC API and the web APIs follows RFC 7946 §3.1.6
(exterior rings counterclockwise, holes clockwise) and carries at most 7 decimals in degrees.

The test data are drawn clockwise on purpose (tests.conftest.square draws its squares clockwise),
so an answer that passes the stored winding through fails here.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from parcels.models import Parcel
from tests.conftest import BACAU_E, BACAU_N
from tests.layers.conftest import lonlat

pytestmark = pytest.mark.django_db


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:], strict=False)) / 2


def _geometries(node):
    """Every GeoJSON geometry object anywhere inside a JSON document."""
    if isinstance(node, dict):
        if node.get("type") in ("Polygon", "MultiPolygon", "Point", "LineString", "MultiLineString", "MultiPoint") \
                and "coordinates" in node:
            yield node
        else:
            for value in node.values():
                yield from _geometries(value)
    elif isinstance(node, list):
        for value in node:
            yield from _geometries(value)


def _numbers(coords):
    if isinstance(coords, (Decimal, int)):
        yield Decimal(coords)
    else:
        for c in coords:
            yield from _numbers(c)


def check(body: bytes, *, places: int = 7, lat_first: bool = False) -> int:
    """Assert winding and precision of every geometry in a JSON body; the number of polygons seen."""
    doc = json.loads(body, parse_float=Decimal)  # the decimals as written, not as a float prints them
    polygons = 0
    for geom in _geometries(doc):
        for value in _numbers(geom["coordinates"]):
            assert -value.as_tuple().exponent <= places, f"{value} has more than {places} decimals"
        parts = {"Polygon": [geom["coordinates"]], "MultiPolygon": geom["coordinates"]}.get(geom["type"], [])
        for rings in parts:
            polygons += 1
            rings = [[[float(v) for v in p] for p in ring] for ring in rings]
            if lat_first:
                rings = [[[p[1], p[0]] for p in ring] for ring in rings]
            assert _signed_area(rings[0]) > 0, "exterior ring is clockwise"
            for hole in rings[1:]:
                assert _signed_area(hole) < 0, "hole is counterclockwise"
    return polygons


@pytest.fixture
def world(layers_world):
    """The layers world (clockwise parcels) plus a parcel with a hole drawn the wrong way round."""
    e, n = BACAU_E + 300, BACAU_N + 300
    outer = ((e, n), (e, n + 50), (e + 50, n + 50), (e + 50, n), (e, n))  # clockwise
    hole = ((e + 10, n + 10), (e + 20, n + 10), (e + 20, n + 20), (e + 10, n + 20), (e + 10, n + 10))  # ccw
    geom = MultiPolygon(Polygon(outer, hole), srid=3844)
    holed = Parcel.objects.create(uat=layers_world["uat_a"], cadastral_number="HOLE", geom=geom,
                                  measured_area_m2=geom.area)
    return {**layers_world, "holed": holed}


def test_rest_ogc_and_web_geojson_answers_are_right_hand_ruled_at_7_decimals(world, client):
    p1, holed = world["p1"].pk, world["holed"].pk
    lon, lat = lonlat(BACAU_E + 10, BACAU_N + 10)
    answers = {
        "/api/v1/parcels/?bbox=26.8,46.5,27.1,46.7": {},
        f"/api/v1/parcels/{p1}/": {},
        f"/api/v1/parcels/{holed}/": {},
        f"/api/v1/parcels/at/?lon={lon}&lat={lat}": {},
        "/api/v1/uats/": {},
        "/api/v1/uats/20297/": {},
        f"/api/v1/layers/{world['layer'].slug}/features/": {},
        "/ogc/collections/parcels/items": {},
        f"/ogc/collections/parcels/items/{holed}": {},
        f"/ogc/collections/{world['layer'].slug}/items": {},
        "/ogc/collections/parcels/items?crs=http://www.opengis.net/def/crs/EPSG/0/4326": {"lat_first": True},
        "/ogc/collections/parcels/items?crs=http://www.opengis.net/def/crs/EPSG/0/3844": {"places": 2,
                                                                                           "lat_first": True},
        "/api/v1/parcels/?bbox=26.8,46.5,27.1,46.7&crs=3844": {"places": 2},
    }
    seen = 0
    for url, options in answers.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:200])
        seen += check(response.content, **options)
    assert seen >= 15


def test_analyses_and_the_clipped_footprint_are_right_hand_ruled_at_7_decimals(world, client):
    created = client.post("/api/v1/analyses/", {"parcels": [world["holed"].pk]}, content_type="application/json")
    assert created.status_code == 201, created.content[:300]
    assert check(created.content) >= 1
    detail = client.get(f"/api/v1/analyses/{created.json()['id']}/")
    assert check(detail.content) >= 1
    (x0, y0), (x1, y1) = lonlat(BACAU_E + 300, BACAU_N + 300), lonlat(BACAU_E + 330, BACAU_N + 330)
    clockwise = {"type": "Polygon", "coordinates": [[[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]]]}
    clip = client.post("/api/v1/parcels/footprint-clip/", {"footprint": clockwise, "parcels": [world["holed"].pk]},
                       content_type="application/json")
    assert clip.status_code == 200, clip.content[:300]
    assert check(clip.content) == 1


def test_lines_keep_their_direction(db):
    from django.db import connection

    from gis_portal.api.geojson import geometry_sql

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {geometry_sql('g', 3844)} FROM (SELECT 'SRID=3844;LINESTRING(0 0, 1 1, 2 0)'::geometry g) s")
        assert json.loads(cursor.fetchone()[0])["coordinates"] == [[0, 0], [1, 1], [2, 0]]
