"""OGC API Features to the letter: Part 1 details (bbox intersection, unknown parameters, datetime,
HEAD) and Part 3 (queryables, CQL2 text and JSON), read by the test client, GDAL and OWSLib."""
from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.signals import request_started
from django.db import connection
from owslib.ogcapi.features import Features

from parcels.models import Parcel
from tests.conftest import BACAU_E, BACAU_N
from tests.layers.conftest import lonlat

pytestmark = pytest.mark.django_db


def _ids(doc: dict) -> list[int]:
    return sorted(f["id"] for f in doc["features"])


@pytest.fixture
def varied(layers_world, parcel_factory):
    """Parcels of several categories and sizes, and a triangle whose bbox (not its shape) meets a box."""
    made = [parcel_factory(e=BACAU_E + 100 * i, n=BACAU_N + 200, size=10 + 5 * i, use_category=cat)
            for i, cat in enumerate(["CC", "A", "CC", "PD", "A", "CC"])]
    e, n = BACAU_E + 2000, BACAU_N + 2000
    triangle = MultiPolygon(Polygon(((e, n), (e + 100, n), (e, n + 100), (e, n))), srid=3844)
    made.append(Parcel.objects.create(uat=layers_world["uat_a"], cadastral_number="TRI", geom=triangle,
                                      measured_area_m2=triangle.area, use_category="CC"))
    return {**layers_world, "made": made, "triangle": made[-1]}


def _postgis_ids(where: str, params: list) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id FROM parcels_parcel p JOIN parcels_uat u ON u.id = p.uat_id WHERE {where} "
                       "ORDER BY p.id", params)
        return [row[0] for row in cursor.fetchall()]


def test_bbox_selects_by_intersection_like_the_rest_api(varied, client):
    e, n = BACAU_E + 2000, BACAU_N + 2000
    # A box in the triangle's bbox but beyond its hypotenuse: && would match, ST_Intersects does not.
    lo, hi = lonlat(e + 70, n + 70), lonlat(e + 95, n + 95)
    bbox = f"{lo[0]},{lo[1]},{hi[0]},{hi[1]}"
    ogc = client.get("/ogc/collections/parcels/items", {"bbox": bbox}).json()
    rest = client.get("/api/v1/parcels/", {"bbox": bbox}).json()
    assert ogc["numberMatched"] == 0 and rest["features"] == []
    wide = client.get("/ogc/collections/parcels/items", {"bbox": "26.8,46.5,27.1,46.7"}).json()
    rest_wide = client.get("/api/v1/parcels/", {"bbox": "26.8,46.5,27.1,46.7", "limit": 100}).json()
    assert wide["numberMatched"] == len(rest_wide["features"]) == Parcel.objects.count()
    assert _ids(wide) == sorted(f["id"] for f in rest_wide["features"])


@pytest.mark.parametrize("path", ["/ogc/", "/ogc/conformance", "/ogc/collections", "/ogc/collections/parcels",
                                  "/ogc/collections/parcels/items", "/ogc/collections/parcels/queryables"])
def test_an_unknown_query_parameter_is_a_400(layers_world, client, path):
    response = client.get(path, {"owner": "A"})
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue" and "owner" in response.json()["description"]


def test_queryables_are_also_equality_parameters_and_listed_in_the_api(varied, client):
    doc = client.get("/ogc/collections/parcels/items", {"use_category": "PD", "limit": 100}).json()
    assert _ids(doc) == _postgis_ids("p.use_category = %s", ["PD"])
    layer = client.get("/ogc/collections/lmi-monument/items", {"grupa": "A"}).json()
    assert [f["properties"]["cod_lmi"] for f in layer["features"]] == ["BC-1"]
    assert client.get("/ogc/collections/lmi-monument/items", {"use_category": "A"}).status_code == 400
    paths = client.get("/ogc/api").json()["paths"]
    names = [p.get("name") for p in paths["/collections/parcels/items"]["get"]["parameters"]]
    assert "use_category" in names and "measured_area_m2" in names


def test_every_route_answers_head_like_get_without_a_body(layers_world, client):
    pk = layers_world["p1"].pk
    for path in ["/ogc/", "/ogc/conformance", "/ogc/api", "/ogc/collections", "/ogc/collections/parcels",
                 "/ogc/collections/parcels/items", f"/ogc/collections/parcels/items/{pk}",
                 "/ogc/collections/parcels/queryables"]:
        get, head = client.get(path), client.head(path)
        assert (get.status_code, head.status_code) == (200, 200), path
        assert head["Content-Type"] == get["Content-Type"] and head.content == b"", path
    assert client.post("/ogc/collections").status_code == 405


def test_queryables_are_a_json_schema_per_collection(layers_world, client):
    response = client.get("/ogc/collections/parcels/queryables")
    assert response.status_code == 200 and response["Content-Type"] == "application/schema+json"
    doc = response.json()
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema" and doc["type"] == "object"
    assert doc["$id"] == "http://testserver/ogc/collections/parcels/queryables"
    assert doc["properties"]["measured_area_m2"] == {"type": "number", "title": "Measured area (m²)"}
    assert doc["properties"]["geometry"]["format"] == "geometry-any"
    layer = client.get("/ogc/collections/lmi-monument/queryables").json()["properties"]
    assert layer["grupa"] == {"type": "string"} and layer["cod_lmi"] == {"type": "string"} and "name" in layer
    assert client.get("/ogc/collections/secret-gas/queryables").status_code == 404
    links = client.get("/ogc/collections/parcels").json()["links"]
    assert any(link["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/queryables" for link in links)
    conformance = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter" in conformance
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json" in conformance


CQL2 = [
    ("use_category = 'CC'", "p.use_category = %s", ["CC"]),
    ("use_category = 'A' OR measured_area_m2 > 600", "p.use_category = %s OR p.measured_area_m2 > %s", ["A", 600]),
    ("measured_area_m2 BETWEEN 200 AND 500 AND NOT use_category = 'PD'",
     "p.measured_area_m2 BETWEEN %s AND %s AND NOT p.use_category = %s", [200, 500, "PD"]),
    ("use_category IN ('PD', 'A')", "p.use_category IN (%s, %s)", ["PD", "A"]),
    ("cadastral_number LIKE '7000%'", "p.cadastral_number LIKE %s", ["7000%"]),
    ("uat = 'Bacău' AND uat_siruta = 20297", "u.name = %s AND u.siruta = %s", ["Bacău", 20297]),
]


@pytest.mark.parametrize("text, where, params", CQL2)
def test_cql2_text_selects_what_postgis_selects(varied, client, text, where, params):
    doc = client.get("/ogc/collections/parcels/items", {"filter": text, "limit": 100}).json()
    expected = _postgis_ids(where, params)
    assert expected and _ids(doc) == expected and doc["numberMatched"] == len(expected)


def test_cql2_spatial_filters_in_crs84_and_stereo70(varied, client):
    e, n = BACAU_E + 2000, BACAU_N + 2000
    (x0, y0), (x1, y1) = lonlat(e + 70, n + 70), lonlat(e + 95, n + 95)
    text = f"S_INTERSECTS(geometry, POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0})))"
    assert client.get("/ogc/collections/parcels/items", {"filter": text}).json()["numberMatched"] == 0
    (x0, y0), (x1, y1) = lonlat(e + 5, n + 5), lonlat(e + 20, n + 20)
    hit = client.get("/ogc/collections/parcels/items", {"filter": f"S_INTERSECTS(geometry, BBOX({x0},{y0},{x1},{y1}))"})
    assert _ids(hit.json()) == [varied["triangle"].pk]
    # filter-crs EPSG:3844: northing first, as the CRS defines.
    stereo = client.get("/ogc/collections/parcels/items", {
        "filter": f"S_INTERSECTS(geometry, POINT({n + 10} {e + 10}))",
        "filter-crs": "http://www.opengis.net/def/crs/EPSG/0/3844"})
    assert _ids(stereo.json()) == [varied["triangle"].pk]
    expected = _postgis_ids("ST_Within(p.geom, ST_Buffer(ST_SetSRID(ST_MakePoint(%s, %s), 3844), 800))",
                            [BACAU_E, BACAU_N])
    (cx, cy) = lonlat(BACAU_E, BACAU_N)
    box = f"POLYGON(({cx - 0.02} {cy - 0.02}, {cx + 0.02} {cy - 0.02}, {cx + 0.02} {cy + 0.02}, {cx - 0.02} {cy + 0.02}, {cx - 0.02} {cy - 0.02}))"
    within = client.get("/ogc/collections/parcels/items", {"filter": f"S_WITHIN(geometry, {box})", "limit": 100})
    assert set(expected) <= set(_ids(within.json())) and varied["triangle"].pk not in _ids(within.json())


def test_cql2_json_and_layer_attributes(varied, client):
    flt = {"op": "and", "args": [{"op": "=", "args": [{"property": "use_category"}, "A"]},
                                 {"op": ">", "args": [{"property": "measured_area_m2"}, 200]}]}
    doc = client.get("/ogc/collections/parcels/items", {"filter": json.dumps(flt), "filter-lang": "cql2-json"}).json()
    assert _ids(doc) == _postgis_ids("p.use_category = %s AND p.measured_area_m2 > %s", ["A", 200])
    layer = client.get("/ogc/collections/lmi-monument/items", {"filter": "grupa = 'B'"}).json()
    assert [f["properties"]["cod_lmi"] for f in layer["features"]] == ["BC-2"]


@pytest.mark.parametrize("params, field", [
    ({"filter": "use_category = "}, "filter"),
    ({"filter": "owner = 'x'"}, "filter"),  # not a queryable: never reaches other columns
    ({"filter": "uat__issuer__name = 'x'"}, "filter"),
    ({"filter": "use_category = 'A'", "filter-lang": "sql"}, "filter-lang"),
    ({"use_category": "CC", "measured_area_m2": "big"}, "measured_area_m2"),
    ({"filter": "{not json", "filter-lang": "cql2-json"}, "filter"),
    ({"filter": "x" * 20_001}, "filter"),
    ({"filter": "S_INTERSECTS(geometry, POINT(1 2))", "filter-crs": "EPSG:2154"}, "filter-crs"),
    ({"filter": "measured_area_m2 = 'abc'"}, "filter"),
    ({"filter": "uat_siruta = 'x'"}, "filter"),
    ({"filter": "S_DWITHIN(geometry, POINT(26.9 46.5), 10, meters)"}, "filter"),
    ({"filter": "measured_area_m2 * 2 > 10"}, "filter"),
    ({"filter": "T_AFTER(cadastral_number, TIMESTAMP('2020-01-01T00:00:00Z'))"}, "filter"),
    ({"datetime": "yesterday"}, "datetime"),
    ({"datetime": "2026-12-07/2026-01-01"}, "datetime"),
])
def test_bad_filters_are_400_naming_the_parameter(layers_world, client, params, field):
    response = client.get("/ogc/collections/parcels/items", params)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["description"].startswith(field)


@pytest.mark.parametrize("params", [
    {"filter": "(" * 3000 + "use_category = 'A'" + ")" * 3000},
    {"filter": '{"op": "not", "args": [' * 2000 + '{"op": "=", "args": [{"property": "uat"}, "x"]}' + "]}" * 2000,
     "filter-lang": "cql2-json"},
    {"filter": " OR ".join(f"cadastral_number = '{i}'" for i in range(800))},
])
def test_deeply_nested_or_long_filters_are_answered_not_crashed(layers_world, client, params):
    response = client.get("/ogc/collections/parcels/items", params)
    assert response.status_code in (200, 400), response.content[:300]


def test_datetime_tests_the_last_update_of_parcels_and_the_publication_of_layers(varied, client):
    old = varied["made"][0]
    Parcel.objects.filter(pk=old.pk).update(updated_at=datetime(2020, 5, 17, 10, 0, tzinfo=UTC))
    doc = client.get("/ogc/collections/parcels/items", {"datetime": "../2021-01-01T00:00:00Z"}).json()
    assert _ids(doc) == [old.pk]
    assert _ids(client.get("/ogc/collections/parcels/items", {"datetime": "2020-05-17"}).json()) == [old.pk]
    assert _ids(client.get("/ogc/collections/parcels/items", {"datetime": "2020-05-17T10:00:00Z"}).json()) == [old.pk]
    recent = client.get("/ogc/collections/parcels/items", {"datetime": "2021-01-01T00:00:00Z/..", "limit": 100}).json()
    assert recent["numberMatched"] == Parcel.objects.count() - 1
    assert client.get("/ogc/collections/lmi-monument/items", {"datetime": "../2000-01-01"}).json()["numberMatched"] == 0
    assert client.get("/ogc/collections/lmi-monument/items", {"datetime": "2000-01-01/.."}).json()["numberMatched"] == 2


def test_gdal_and_owslib_read_a_cql2_filtered_collection(transactional_db, varied, live_server):
    expected = _postgis_ids("p.use_category = %s AND p.measured_area_m2 > %s", ["CC", 150])
    assert len(expected) >= 2
    seen: list[str] = []

    def record(sender, environ, **kw):
        seen.append(environ.get("QUERY_STRING", ""))

    request_started.connect(record)
    try:
        run = subprocess.run(["ogrinfo", "-ro", "-al", "-q", f"OAPIF:{live_server.url}/ogc", "parcels",
                              "-where", "use_category = 'CC' AND measured_area_m2 > 150"],
                             capture_output=True, text=True, timeout=120)
    finally:
        request_started.disconnect(record)
    assert run.returncode == 0, run.stderr
    numbers = sorted(line.split("=", 1)[1].strip() for line in run.stdout.splitlines()
                     if line.strip().startswith("cadastral_number (String)"))
    assert numbers == sorted(Parcel.objects.filter(pk__in=expected).values_list("cadastral_number", flat=True))
    assert any("filter=" in q for q in seen), seen  # filtered by the server, not by GDAL after reading all

    api = Features(f"{live_server.url}/ogc")
    got = api.collection_items("parcels", filter="use_category = 'CC' AND measured_area_m2 > 150",
                               **{"filter-lang": "cql2-text"})
    assert sorted(f["id"] for f in got["features"]) == expected


@pytest.mark.slow
def test_gdal_reads_5000_features_in_at_most_10_requests(transactional_db, territory, live_server):
    uat = territory["uat_a"]
    Parcel.objects.bulk_create([
        Parcel(uat=uat, cadastral_number=f"B{i}", measured_area_m2=100.0,
               geom=MultiPolygon(Polygon.from_bbox((BACAU_E + (i % 100) * 12, BACAU_N + (i // 100) * 12,
                                                    BACAU_E + (i % 100) * 12 + 10, BACAU_N + (i // 100) * 12 + 10)),
                                 srid=3844)) for i in range(5000)])
    seen: list[str] = []

    def record(sender, environ, **kw):
        seen.append(environ.get("PATH_INFO", ""))

    request_started.connect(record)
    try:
        run = subprocess.run(["ogr2ogr", "-f", "CSV", "/vsistdout/", f"OAPIF:{live_server.url}/ogc", "parcels"],
                             capture_output=True, text=True, timeout=300)
    finally:
        request_started.disconnect(record)
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.strip().splitlines()) == 5001  # header + 5,000 rows
    item_requests = [p for p in seen if p.endswith("/items")]
    assert len(item_requests) <= 10, seen
