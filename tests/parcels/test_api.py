"""The public parcel and UAT API: GeoJSON shape, CRS, filters, pagination, bad input, query counts."""
from __future__ import annotations

import json

import pytest
from django.contrib.gis.geos import GEOSGeometry

from layers.models import Feature, Layer, LayerVersion
from layers.services import layer_version_publish
from tests.conftest import BACAU_E, BACAU_N, square

pytestmark = pytest.mark.django_db


def test_the_list_is_an_rfc7946_feature_collection_in_lonlat(api, parcel_factory):
    parcel = parcel_factory(cadastral_number="12345", use_category="CC")
    response = api().get("/api/v1/parcels/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    body = response.json()
    assert body["type"] == "FeatureCollection" and "crs" not in body
    feature = body["features"][0]
    assert (feature["id"], feature["properties"]["cadastral_number"], feature["properties"]["uat"]) == (parcel.id, "12345", 20297)
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert 26.8 < lon < 27.0 and 46.5 < lat < 46.6
    expected = parcel.geom.transform(4326, clone=True)
    got = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)  # rings reoriented (RFC 7946): compare normalised
    assert got.normalize(clone=True).equals_exact(expected.normalize(clone=True), 1e-7)


def test_crs_3844_returns_stereo70_and_says_so(api, parcel_factory):
    parcel_factory()
    response = api().get("/api/v1/parcels/?crs=3844")
    body = response.json()
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/3844>"
    assert body["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::3844"
    assert body["features"][0]["geometry"]["coordinates"][0][0][0] == [BACAU_E, BACAU_N]


def test_filters_by_bbox_uat_and_cadastral_number(api, parcel_factory, territory):
    near = parcel_factory(cadastral_number="1")
    parcel_factory(cadastral_number="2", e=BACAU_E + 1500)
    parcel_factory(cadastral_number="3", uat=territory["uat_b"], e=BACAU_E - 5000)
    bbox = "26.905,46.565,26.915,46.570"  # around Bacău centre only
    ids = lambda url: [f["properties"]["cadastral_number"] for f in api().get(url).json()["features"]]  # noqa: E731
    assert ids(f"/api/v1/parcels/?bbox={bbox}") == ["1"]
    assert ids("/api/v1/parcels/?uat=22936") == ["3"]
    assert ids("/api/v1/parcels/?cadastral_number=2") == ["2"]
    assert ids(f"/api/v1/parcels/?bbox={BACAU_E - 10},{BACAU_N - 10},{BACAU_E + 30},{BACAU_N + 30}&bbox-crs=3844") == ["1"]
    assert near.pk


def test_pagination_is_capped_and_links_to_the_next_page(api, parcel_factory, django_assert_max_num_queries):
    for i in range(5):
        parcel_factory(e=BACAU_E + i * 30)
    with django_assert_max_num_queries(2):
        body = api().get("/api/v1/parcels/?limit=2&offset=2").json()
    assert body["numberReturned"] == 2
    assert {link["rel"] for link in body["links"]} == {"next", "prev"}
    assert "offset=4" in next(link["href"] for link in body["links"] if link["rel"] == "next")
    assert api().get("/api/v1/parcels/?limit=1001").status_code == 400


def test_list_query_count_does_not_grow_with_rows(api, parcel_factory, django_assert_max_num_queries):
    for i in range(30):
        parcel_factory(e=BACAU_E + i * 30)
    with django_assert_max_num_queries(2):
        assert len(api().get("/api/v1/parcels/?limit=1000").json()["features"]) == 30
    with django_assert_max_num_queries(2):
        assert api().get("/api/v1/uats/").status_code == 200


@pytest.mark.parametrize("query, field, reason", [
    ("bbox=1,2,3", "bbox", "four comma-separated numbers"),
    ("bbox=a,b,c,d", "bbox", "not a number"),
    ("bbox=27,46,26,47", "bbox", "Inverted"),
    ("bbox=-170,-80,170,80", "bbox", "larger than any plausible range"),
    ("bbox=46.5,26.8,46.6,26.9", "bbox", "swapped"),
    ("bbox=2,40,3,41", "bbox", "does not intersect Romania"),
    ("crs=9999", "crs", "nu este acceptat"),
    ("crs=banana", "crs", "necunoscut"),
    ("uat=abc", "uat", "not a valid code"),
    ("offset=-1", "offset", "non-negative"),
])
def test_bad_list_parameters_are_a_400_with_field_and_reason(api, db, query, field, reason):
    response = api().get(f"/api/v1/parcels/?{query}")
    assert response.status_code == 400
    assert reason in response.json()["errors"][field][0]


def test_at_returns_the_parcels_containing_a_point_in_lonlat_or_stereo70(api, parcel_factory):
    parcel = parcel_factory(size=50)
    centre = parcel.geom.centroid.transform(4326, clone=True)
    body = api().get(f"/api/v1/parcels/at/?lon={centre.x}&lat={centre.y}").json()
    assert [f["id"] for f in body["features"]] == [parcel.id]
    body = api().get(f"/api/v1/parcels/at/?crs=3844&x={BACAU_E + 25}&y={BACAU_N + 25}").json()
    assert [f["id"] for f in body["features"]] == [parcel.id]
    assert api().get(f"/api/v1/parcels/at/?lon={centre.x + 0.01}&lat={centre.y}").json()["features"] == []


@pytest.mark.parametrize("query, field, reason", [
    ("lon=46.56&lat=26.91", "lon", "par inversate"),
    ("lon=2.35&lat=48.85", "lon", "în afara României"),
    ("lon=26.9", "lat", "Required"),
    ("lon=x&lat=46.5", "lon", "not a number"),
    ("lon=nan&lat=46.5", "lon", "finite"),
    ("crs=3844&x=26.91&y=46.56", "x", "par grade de longitudine/latitudine"),
    ("crs=EPSG:1234&x=1&y=2", "crs", "nu este acceptat"),
])
def test_bad_points_are_a_400_that_says_what_is_wrong(api, db, query, field, reason):
    response = api().get(f"/api/v1/parcels/at/?{query}")
    assert response.status_code == 400
    assert reason in response.json()["errors"][field][0]


def _intravilan_limit(geom):
    layer = Layer.objects.create(slug="intravilan-bacau", name="Intravilan Bacău", kind=Layer.Kind.ZONING,
                                 theme="intravilan_limit")
    version = LayerVersion.objects.create(layer=layer, number=1)
    Feature.objects.create(version=version, geom=geom)
    layer_version_publish(version=version)


def test_detail_has_uat_areas_buildings_and_intravilan_share(api, parcel_factory):
    inside = parcel_factory(size=20, address="Str. Mărășești 4", legal_area_m2=401)
    straddling = parcel_factory(e=BACAU_E + 90, size=20)  # 25 % inside the limit
    inside.buildings.create(cadastral_id="C1", footprint=square(BACAU_E + 2, BACAU_N + 2, 5), levels=2, built_area_m2=25)
    assert api().get(f"/api/v1/parcels/{inside.id}/").json()["properties"]["intravilan"] is None  # no layer: no data
    _intravilan_limit(square(BACAU_E - 100, BACAU_N - 100, 195))

    props = api().get(f"/api/v1/parcels/{inside.id}/").json()["properties"]
    assert (props["intravilan"], props["intravilan_share"]) == (True, 1.0)
    assert props["uat"] == {"siruta": 20297, "name": "Bacău", "county": "Bacău", "kind": "municipiu", "urban": True}
    assert (props["measured_area_m2"], props["legal_area_m2"], props["address"]) == (400.0, 401, "Str. Mărășești 4")
    assert [(b["cadastral_id"], b["levels"], b["built_area_m2"]) for b in props["buildings"]] == [("C1", 2, 25.0)]
    props = api().get(f"/api/v1/parcels/{straddling.id}/").json()["properties"]
    assert (props["intravilan"], props["intravilan_share"]) == (False, 0.25)


def test_detail_of_a_missing_parcel_is_404_and_is_readable_anonymously(api, db):
    assert api().get("/api/v1/parcels/999999/").status_code == 404


def test_uat_list_and_detail(api, territory):
    body = api().get("/api/v1/uats/").json()
    assert [f["properties"]["siruta"] for f in body["features"]] == [20297, 22936]
    detail = api().get("/api/v1/uats/22936/?crs=3844")
    assert detail["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/3844>"
    props = detail.json()["properties"]
    assert (props["kind"], props["urban"], props["issuer"]["name"], props["area_km2"]) == ("comuna", False, "Primarul comunei Hemeiuș", 16.0)
    assert api().get("/api/v1/uats/1/").status_code == 404


def test_the_openapi_schema_documents_the_parcel_endpoints_and_their_parameters(api, db):
    schema = api().get("/api/v1/schema/?format=json").json()
    params = {p["name"] for p in schema["paths"]["/api/v1/parcels/"]["get"]["parameters"]}
    assert {"bbox", "bbox-crs", "uat", "cadastral_number", "crs", "limit", "offset"} <= params
    at = {p["name"] for p in schema["paths"]["/api/v1/parcels/at/"]["get"]["parameters"]}
    assert {"lon", "lat", "x", "y", "crs"} <= at
    assert "application/geo+json" in schema["paths"]["/api/v1/uats/{siruta}/"]["get"]["responses"]["200"]["content"]
