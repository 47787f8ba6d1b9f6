"""Tiles go through Django's request cycle like every other request (no pipeline in front of it): the
site's middleware, including any added later, sees them and puts its headers on them."""
from __future__ import annotations

import mapbox_vector_tile
import pytest
from django.core.handlers.wsgi import WSGIHandler

from gis_portal import wsgi
from tests.conftest import BACAU_E, BACAU_N
from tests.layers.conftest import lonlat, tile_for

pytestmark = pytest.mark.django_db
SEEN: list[str] = []


class Recorder:
    """A middleware added to the site: it must see tile requests too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        SEEN.append(request.path)
        response = self.get_response(request)
        response["X-Recorded"] = "1"
        return response


def _path(layer: str, z: int) -> str:
    x, y = tile_for(*lonlat(BACAU_E + 15, BACAU_N + 15), z)
    return f"/tiles/{layer}/{z}/{x}/{y}.pbf"


def test_the_project_application_is_djangos():
    assert type(wsgi.application) is WSGIHandler


def test_a_parcel_tile_passes_through_the_sites_middleware(layers_world, client, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.layers.test_tile_request_cycle.Recorder"]
    SEEN.clear()
    response = client.get(_path("parcels", 16))
    assert response.status_code == 200 and SEEN == [_path("parcels", 16)]
    features = mapbox_vector_tile.decode(response.content)["parcels"]["features"]
    assert [(f["id"], f["properties"]["cadastral_number"]) for f in features] == [(layers_world["p1"].pk, "70001")]
    assert response["X-Recorded"] == "1" and response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY" and "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "public, max-age=300" and response["ETag"].startswith('"')
    again = client.get(_path("parcels", 16), HTTP_IF_NONE_MATCH=response["ETag"])
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", response["ETag"])
    assert again["Cache-Control"] == "public, max-age=300" and again["X-Recorded"] == "1"
