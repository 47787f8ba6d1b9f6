"""Built-in tiles answered in front of Django (layers/tile_wsgi.py): the same answer as the view,
the site's security headers, the same limit, and everything else left to Django."""
from __future__ import annotations

import io
import sys

import mapbox_vector_tile
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError

from gis_portal import wsgi
from layers import tiles
from layers.tile_wsgi import BuiltinTiles
from tests.conftest import BACAU_E, BACAU_N
from tests.layers.conftest import lonlat, tile_for

pytestmark = pytest.mark.django_db
LON, LAT = lonlat(BACAU_E + 15, BACAU_N + 15)
# Django's path adds these for pages (language, session); a tile depends on neither.
PAGE_ONLY = {"Vary", "Content-Language"}


def call(app, path: str, method: str = "GET", **extra) -> tuple[int, dict, bytes]:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "HTTP_HOST": "testserver", "REMOTE_ADDR": "10.1.2.3", "SERVER_PROTOCOL": "HTTP/1.1",
               "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
               "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False, **extra}
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=int(status.split()[0]), headers=dict(headers))

    result = app(environ, start_response)
    body = b"".join(result)
    getattr(result, "close", lambda: None)()  # Django sends request_finished here
    return answer["status"], answer["headers"], body


@pytest.fixture(autouse=True)
def connection_cycles(monkeypatch):
    """What Django's test client does: requests must not close "old" connections, which would close
    the test's own transaction. Counts the wrapper's calls instead."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    calls = []
    monkeypatch.setattr("layers.tile_wsgi.close_old_connections", lambda: calls.append(1))
    yield calls
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fast(monkeypatch):
    """The wrapper with a Django behind it that records what reached it."""
    reached = []

    def django_app(environ, start_response):
        reached.append(environ["PATH_INFO"])
        return wsgi.django_application(environ, start_response)

    return BuiltinTiles(django_app), reached


def _path(layer: str, z: int) -> str:
    x, y = tile_for(LON, LAT, z)
    return f"/tiles/{layer}/{z}/{x}/{y}.pbf"


def test_the_project_application_is_the_wrapper():
    assert isinstance(wsgi.application, BuiltinTiles) and wsgi.application.app is wsgi.django_application


def test_a_parcel_tile_is_answered_without_django_and_as_django_answers_it(layers_world, fast, connection_cycles):
    app, reached = fast
    status, headers, body = call(app, _path("parcels", 16))
    assert status == 200 and reached == [] and len(connection_cycles) == 2  # as a request starts and ends
    features = mapbox_vector_tile.decode(body)["parcels"]["features"]
    assert [(f["id"], f["properties"]["cadastral_number"]) for f in features] == [(layers_world["p1"].pk, "70001")]
    d_status, d_headers, d_body = call(wsgi.django_application, _path("parcels", 16))
    assert (d_status, d_body) == (status, body)
    # Same content headers and the same security headers (HSTS aside, on plain HTTP): nothing lost.
    assert {k: v for k, v in d_headers.items() if k not in PAGE_ONLY} == headers
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert int(headers["Content-Length"]) == len(body)


def test_over_https_behind_the_proxy_it_sends_hsts_like_the_site(layers_world, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    app = BuiltinTiles(wsgi.django_application)  # the middleware reads its settings when built
    status, headers, _ = call(app, _path("parcels", 16), HTTP_X_FORWARDED_PROTO="https")
    assert status == 200 and headers["Strict-Transport-Security"].startswith("max-age=3600")
    assert "Strict-Transport-Security" not in call(app, _path("parcels", 16))[1]
    assert call(app, _path("parcels", 16), HTTP_X_FORWARDED_PROTO="https")[1] == headers  # learnt per scheme
    django_now = WSGIHandler()  # Django's own answer, its middleware built with these settings
    d_headers = call(django_now, _path("parcels", 16), HTTP_X_FORWARDED_PROTO="https")[1]
    assert {k: v for k, v in d_headers.items() if k not in PAGE_ONLY} == headers
    settings.SECURE_SSL_REDIRECT = True  # plain HTTP is Django's to redirect (its middleware as built now)
    django_now = WSGIHandler()
    status, headers, _ = call(BuiltinTiles(django_now), _path("parcels", 16))
    assert status == 301 and headers["Location"].startswith("https://testserver/tiles/parcels/16/")
    app = BuiltinTiles(django_now)
    secure = call(app, _path("parcels", 16), HTTP_X_FORWARDED_PROTO="https")
    assert secure[0] == 200 and secure[1] == call(app, _path("parcels", 16), HTTP_X_FORWARDED_PROTO="https")[1]
    assert call(app, _path("parcels", 16))[0] == 301  # and again: not learnt


def test_buildings_and_empty_low_zoom_tiles_too(layers_world, fast):
    app, reached = fast
    status, headers, body = call(app, _path("buildings", 14))
    assert (status, body, reached) == (200, b"", [])
    assert headers["ETag"] == call(wsgi.django_application, _path("buildings", 14))[1]["ETag"]


def test_an_etag_match_answers_304(layers_world, fast):
    app, reached = fast
    etag = call(app, _path("parcels", 16))[1]["ETag"]
    status, headers, body = call(app, _path("parcels", 16), HTTP_IF_NONE_MATCH=etag)
    assert (status, body, headers["ETag"], reached) == (304, b"", etag, [])


def test_other_requests_go_to_django(layers_world, fast):
    app, reached = fast
    vector = _path("lmi-monument", 16)
    assert call(app, vector)[0] == 200  # visibility depends on the caller: the view decides
    assert call(app, _path("parcels", 16), method="HEAD")[0] == 200  # HEAD falls through to the view, which answers it
    status, _, body = call(app, "/tiles/parcels/16/99999999/1.pbf")
    assert status == 400 and b"does not exist at zoom 16" in body
    assert call(app, "/tiles/parcels/30/1/1.pbf")[0] == 400
    assert call(app, _path("parcels", 16), HTTP_HOST="evil.example")[0] == 400  # Django's DisallowedHost
    assert call(app, "/healthz")[0] == 200
    assert reached == [vector, _path("parcels", 16), "/tiles/parcels/16/99999999/1.pbf", "/tiles/parcels/30/1/1.pbf",
                       _path("parcels", 16), "/healthz"]


def test_the_tile_limit_counts_per_address_on_both_paths(layers_world, fast, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "tiles": "3/min"}}
    from django.core.cache import cache

    cache.clear()
    app, reached = fast
    codes = [call(app, _path("parcels", 16))[0] for _ in range(2)]
    codes.append(call(wsgi.django_application, _path("parcels", 16))[0])  # the same counter
    status, headers, body = call(app, _path("parcels", 16))
    assert codes == [200, 200, 200] and status == 429 and int(headers["Retry-After"]) >= 1
    assert headers["Content-Type"] == "application/json" and headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff" and int(headers["Content-Length"]) == len(body)
    assert b"Too many requests" in body
    assert call(app, _path("parcels", 16), REMOTE_ADDR="10.9.9.9")[0] == 200
    assert reached == []


def test_a_database_error_is_left_to_django_which_retries_on_a_fresh_connection(layers_world, fast, monkeypatch):
    app, reached = fast
    real, failures = tiles.fetch_tile, []

    def failing_once(sql, params):
        if not failures:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return real(sql, params)

    monkeypatch.setattr(tiles, "fetch_tile", failing_once)
    status, _, body = call(app, _path("parcels", 16))
    assert status == 200 and reached == [_path("parcels", 16)] and failures == [1]
    assert mapbox_vector_tile.decode(body)["parcels"]["features"]
