"""GET /api/v1/layers/ and /api/v1/layers/{slug}/features/ (GeoJSON built in SQL)."""
from __future__ import annotations

import json

import pytest

from layers.imports import layer_import
from tests.conftest import BACAU_E, BACAU_N
from tests.layers.conftest import lonlat

pytestmark = pytest.mark.django_db


def test_the_layer_list_shows_public_layers_with_current_version_count_and_coverage(layers_world, api):
    response = api().get("/api/v1/layers/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["slug"] for r in rows] == ["lmi-monument"]
    row = rows[0]
    assert (row["kind"], row["theme"], row["current_version"], row["feature_count"]) == ("constraint", "lmi_monument", 1, 2)
    minlon, minlat, maxlon, maxlat = row["coverage_bbox"]
    lon, lat = lonlat(BACAU_E, BACAU_N)
    assert minlon < lon < maxlon and minlat < lat < maxlat
    assert [v["number"] for v in row["versions"]] == [1] and row["versions"][0]["is_current"] is True


def test_an_admin_also_sees_private_layers(layers_world, api, root):
    slugs = [r["slug"] for r in api(root).get("/api/v1/layers/").json()["results"]]
    assert slugs == ["lmi-monument", "secret-gas"]


def test_the_layer_list_takes_a_constant_number_of_queries(layers_world, api, django_assert_max_num_queries, tmp_path):
    for theme in ("railway_axis", "natura2000_site", "flood_hazard_zone"):
        layer_import(path=tmp_path / "mon.geojson", theme=theme)
    with django_assert_max_num_queries(3):
        assert len(api().get("/api/v1/layers/").json()["results"]) == 4


def test_features_in_a_bbox_are_geojson_in_wgs84_by_default(layers_world, api):
    lon, lat = lonlat(BACAU_E, BACAU_N)
    response = api().get(f"/api/v1/layers/lmi-monument/features/?bbox={lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    doc = json.loads(response.content)
    assert doc["type"] == "FeatureCollection" and doc["numberMatched"] == 1
    feature = doc["features"][0]
    assert feature["properties"]["cod_lmi"] == "BC-1" and feature["properties"]["grupa"] == "A"
    assert feature["geometry"]["coordinates"][0][0][0] == pytest.approx(lon, abs=1e-5)


def test_features_can_be_asked_for_in_stereo70(layers_world, api):
    bbox = f"{BACAU_E - 10},{BACAU_N - 10},{BACAU_E + 2000},{BACAU_N + 100}"
    doc = json.loads(api().get(f"/api/v1/layers/lmi-monument/features/?bbox={bbox}&crs=3844").content)
    assert doc["numberMatched"] == 2
    assert doc["features"][0]["geometry"]["coordinates"][0][0] == [BACAU_E, BACAU_N]


def test_features_are_paginated_with_a_next_link(layers_world, api):
    doc = json.loads(api().get("/api/v1/layers/lmi-monument/features/?limit=1").content)
    assert (doc["numberMatched"], doc["numberReturned"]) == (2, 1)
    assert "offset=1" in doc["next"]
    assert api().get("/api/v1/layers/lmi-monument/features/?limit=5000").status_code == 400


@pytest.mark.parametrize("bbox, reason", [
    ("1,2,3", "four numbers"), ("a,b,c,d", "four numbers"), ("27,47,26,46", "minx < maxx"),
    ("27,46,nan,47", "finite"), ("46,27,47,200", "-90..90"),
])
def test_a_bad_bbox_is_a_400_naming_the_problem(layers_world, api, bbox, reason):
    response = api().get(f"/api/v1/layers/lmi-monument/features/?bbox={bbox}")
    assert response.status_code == 400
    assert reason in response.json()["errors"]["bbox"][0]


def test_a_crs_outside_the_whitelist_is_a_400(layers_world, api):
    response = api().get("/api/v1/layers/lmi-monument/features/?crs=2154")
    assert response.status_code == 400 and "crs" in response.json()["errors"]


def test_unknown_and_private_layers_are_404(layers_world, api):
    assert api().get("/api/v1/layers/nope/features/").status_code == 404
    assert api().get("/api/v1/layers/secret-gas/features/").status_code == 404


def test_the_endpoints_are_in_the_openapi_schema(api):
    schema = api().get("/api/v1/schema/?format=json").json()
    assert "/api/v1/layers/" in schema["paths"]
    params = [p["name"] for p in schema["paths"]["/api/v1/layers/{slug}/features/"]["get"]["parameters"]]
    assert {"bbox", "crs", "limit", "offset"} <= set(params)
