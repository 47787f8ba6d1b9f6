"""POST/GET /api/v1/analyses/: input in both CRSs, bad input as 400 without writes, who reads what."""
from __future__ import annotations

import json

import pytest
from django.test import override_settings

from rules.models import Analysis
from tests.rules.conftest import BACAU_E, BACAU_N, Point, square

URL = "/api/v1/analyses/"


def geojson(geom, srid: int = 4326) -> dict:
    return json.loads(geom.transform(srid, clone=True).json)


@pytest.fixture
def monument(make_layer, intravilan, seeded):
    make_layer("lmi_monument", [(Point(BACAU_E, BACAU_N + 100), {"name": "Casa Ghika"})])


@pytest.mark.django_db
class TestRunningAnAnalysis:
    def test_anyone_may_analyse_a_drawn_shape_in_wgs84(self, api, monument):
        response = api().post(URL, {"geometry": geojson(square(BACAU_E, BACAU_N, 20))}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["locality_class"] == "urban"
        assert [h["rule"] for h in body["rule_hits"]] == ["R2"]
        assert body["rule_hits"][0]["distance_m"] == pytest.approx(80.0, abs=0.2)  # WGS 84 round trip
        assert body["required_avize"][0]["institution"]["code"] == "djc-bacau"
        assert Analysis.objects.get(pk=body["id"]).created_by is None

    def test_a_stereo70_geometry_declared_with_crs_3844_is_not_transformed(self, api, monument):
        response = api().post(URL, {"geometry": geojson(square(BACAU_E, BACAU_N, 20), 3844), "crs": 3844}, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["rule_hits"][0]["distance_m"] == pytest.approx(80.0, abs=0.01)
        assert response.json()["area_m2"] == pytest.approx(400.0, abs=0.01)

    def test_a_geojson_crs_member_declares_stereo70_too(self, api, monument):
        geometry = {**geojson(square(BACAU_E, BACAU_N, 20), 3844),
                    "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3844"}}}
        assert api().post(URL, {"geometry": geometry}, format="json").status_code == 201

    def test_parcels_are_analysed_by_id_and_linked(self, api, cast, parcel_factory, monument):
        parcel = parcel_factory(e=BACAU_E, n=BACAU_N, size=20)
        response = api(cast["alice"]).post(URL, {"parcels": [parcel.pk]}, format="json")
        assert response.status_code == 201, response.json()
        analysis = Analysis.objects.get(pk=response.json()["id"])
        assert list(analysis.parcels.all()) == [parcel] and analysis.created_by == cast["alice"]
        assert response.json()["parcels"] == [parcel.pk]

    def test_the_same_input_gives_the_same_result(self, api, monument):
        payload = {"geometry": geojson(square(BACAU_E, BACAU_N, 20), 3844), "crs": "3844"}
        first, second = (api().post(URL, payload, format="json").json() for _ in range(2))
        strip = ("id", "created_at")
        assert {k: v for k, v in first.items() if k not in strip} == {k: v for k, v in second.items() if k not in strip}


BOWTIE = {"type": "Polygon", "coordinates": [[[26.91, 46.57], [26.92, 46.58], [26.92, 46.57], [26.91, 46.58],
                                               [26.91, 46.57]]]}
SQUARE = [[26.91, 46.57], [26.911, 46.57], [26.911, 46.571], [26.91, 46.571], [26.91, 46.57]]


@pytest.mark.django_db
@pytest.mark.parametrize("payload, field, words", [
    ({"geometry": BOWTIE}, "geometry", "Geometrie invalidă"),
    ({"geometry": {"type": "Polygon", "coordinates": []}}, "geometry", "goală"),
    ({"geometry": {"type": "Point", "coordinates": [26.91, 46.57]}}, "geometry", "nu este acceptat"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[y, x] for x, y in SQUARE]]}}, "geometry", "par inversate"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[x - 30, y] for x, y in SQUARE]]}}, "geometry", "în afara României"),
    ({"geometry": {"type": "Polygon", "coordinates": [SQUARE]}, "crs": 2154}, "crs", "nu este acceptat"),
    ({"parcels": [999999]}, "parcels", "Unknown parcel ids: [999999]"),
    ({"parcels": ["x"]}, "parcels", ""),
    ({}, "geometry", "Send parcels"),
    ({"geometry": {"type": "Polygon", "coordinates": [SQUARE]}, "works": {"levels": -1}}, "works", "levels"),
])
def test_bad_input_is_a_400_naming_the_problem_and_writes_nothing(api, seeded, payload, field, words):
    response = api().post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"] and words in json.dumps(body["errors"], ensure_ascii=False)
    assert Analysis.objects.count() == 0


@pytest.mark.django_db
def test_a_shape_outside_every_uat_is_outside_the_covered_territory(api, seeded):
    far = {"type": "Polygon", "coordinates": [[[x - 3, y - 1] for x, y in SQUARE]]}  # near Brașov, in Romania
    response = api().post(URL, {"geometry": far}, format="json")
    assert response.status_code == 400
    assert "outside the covered territory" in response.json()["detail"]


@pytest.mark.django_db
def test_too_many_vertices_and_too_large_areas_are_refused(api, seeded):
    with override_settings(GEOMETRY_MAX_VERTICES=4):
        response = api().post(URL, {"geometry": {"type": "Polygon", "coordinates": [SQUARE]}}, format="json")
        assert response.status_code == 400 and "Prea multe vârfuri" in response.json()["detail"]
    with override_settings(GEOMETRY_MAX_AREA_M2=1000):
        response = api().post(URL, {"geometry": {"type": "Polygon", "coordinates": [SQUARE]}}, format="json")
        assert response.status_code == 400 and "km²" in response.json()["detail"]


@pytest.mark.django_db
class TestWhoReadsAnAnalysis:
    @pytest.fixture
    def alices(self, api, cast, intravilan, seeded):
        body = api(cast["alice"]).post(URL, {"geometry": geojson(square(BACAU_E, BACAU_N, 20), 3844), "crs": 3844},
                                       format="json").json()
        return f"{URL}{body['id']}/"

    def test_the_creator_reads_it(self, api, cast, alices):
        assert api(cast["alice"]).get(alices).status_code == 200

    def test_another_investor_does_not_even_learn_it_exists(self, api, cast, alices):
        assert api(cast["bob"]).get(alices).status_code == 404
        assert api().get(alices).status_code == 404

    def test_the_clerk_of_the_uat_reads_it_but_not_the_clerk_of_another_uat(self, api, cast, alices):
        assert api(cast["carol"]).get(alices).status_code == 200
        assert api(cast["erin"]).get(alices).status_code == 200
        assert api(cast["dave"]).get(alices).status_code == 404

    def test_the_admin_reads_everything(self, api, cast, alices):
        assert api(cast["root"]).get(alices).status_code == 200

    def test_an_anonymous_analysis_is_readable_by_its_id_in_either_crs(self, api, intravilan, seeded):
        body = api().post(URL, {"geometry": geojson(square(BACAU_E, BACAU_N, 20), 3844), "crs": 3844},
                          format="json").json()
        read = api().get(f"{URL}{body['id']}/?crs=3844")
        assert read.status_code == 200
        assert read.json()["geometry"]["coordinates"][0][0][0] == [BACAU_E, BACAU_N]
        assert read.json()["required_avize"] == body["required_avize"]

    def test_an_unknown_id_is_a_404(self, api, seeded):
        assert api().get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.django_db
def test_the_analysis_endpoints_are_in_the_openapi_schema(api):
    schema = api().get("/api/v1/schema/?format=json").json()
    assert "/api/v1/analyses/" in schema["paths"] and "/api/v1/analyses/{analysis_id}/" in schema["paths"]
    assert "/api/v1/institutions/" in schema["paths"] and "/api/v1/rules/" in schema["paths"]
