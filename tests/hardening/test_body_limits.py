"""Issue 14 items 6 and 9: request bodies are bounded before they are read, and JSON nesting depth is
bounded where JSON is parsed (gis_portal.api.jsoninput), in production mode (DEBUG off)."""
from __future__ import annotations

import json
import socket
import time

import pytest

from permits.models import Application
from rules.models import Analysis
from tests.permits.conftest import draft_payload

pytestmark = pytest.mark.django_db

NESTED = "[" * 50_000 + "]" * 50_000  # a JSON string nested far deeper than Python's recursion limit


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False
    settings.DEMO_MODE = False


def _reason(response) -> str:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.dumps(response.json(), ensure_ascii=False)


def test_a_deeply_nested_geometry_string_is_a_400_with_a_reason_everywhere(cast, api, parcel_factory):
    parcel = parcel_factory()
    client = api(cast["alice"])
    calls = {
        "analysis": client.post("/api/v1/analyses/", {"geometry": NESTED}, format="json"),
        "analysis works": client.post("/api/v1/analyses/", {"parcels": [parcel.pk], "works": {"footprint": NESTED}},
                                      format="json"),
        "footprint clip": api().post("/api/v1/parcels/footprint-clip/", {"footprint": NESTED, "parcels": [parcel.pk]},
                                     format="json"),
        "application create": client.post("/api/v1/applications/",
                                          {**draft_payload([parcel]), "footprint": NESTED}, format="json"),
    }
    created = client.post("/api/v1/applications/", draft_payload([parcel]), format="json")
    assert created.status_code == 201, created.json()
    calls["application patch"] = client.patch(f"/api/v1/applications/{created.json()['id']}/",
                                              {"footprint": NESTED}, format="json")
    for name, response in calls.items():
        assert response.status_code == 400, (name, response.status_code)
        assert "nested deeper than" in _reason(response), name
    assert Analysis.objects.count() == 0 and Application.objects.count() == 1


def test_a_deeply_nested_json_body_is_a_400_naming_the_depth(cast, api):
    body = b'{"geometry": ' + b"[" * 100 + b"]" * 100 + b"}"
    response = api(cast["bob"]).generic("POST", "/api/v1/analyses/", body, content_type="application/json")
    assert response.status_code == 400 and "nested deeper than 32" in _reason(response)


def test_an_oversized_body_is_a_413_before_it_is_read(cast, api, settings):
    vertices = ",".join("[26.9123456,46.5678912]" for _ in range(100_000))
    body = ('{"geometry": {"type": "Polygon", "coordinates": [[' + vertices + "]]}}").encode()
    assert len(body) > settings.REQUEST_BODY_MAX_BYTES
    response = api(cast["bob"]).generic("POST", "/api/v1/analyses/", body, content_type="application/json")
    assert response.status_code == 413 and "larger than" in _reason(response)


def test_a_geometry_string_longer_than_its_byte_limit_is_refused_before_parsing(cast, api, settings):
    settings.GEOMETRY_MAX_BYTES = 1000
    geometry = json.dumps({"type": "Polygon", "coordinates": [[[26.9, 46.5]] * 100]})
    response = api(cast["bob"]).post("/api/v1/analyses/", {"geometry": geometry}, format="json")
    assert response.status_code == 400 and "limita de 1000 octeți" in _reason(response)


def _rest(sock, first: bytes) -> bytes:
    """The whole answer: what came first, then everything until the server closes (or goes quiet)."""
    sock.settimeout(2)
    answer = first
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        try:
            more = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not more:
            break
        answer += more
    return answer


def _raw_post(url: str, head: str, body_chunks, *, pause: float = 0.0) -> tuple[bytes, int]:
    """Send a request by hand; return the answer and how many body bytes went out before it came."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(head.encode())
        sock.settimeout(pause or 20)
        for chunk in body_chunks:
            try:
                sock.sendall(chunk)
                sent += len(chunk)
                answer = sock.recv(65536)  # answered already?
                if answer:
                    return _rest(sock, answer), sent
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.settimeout(20)
        return _rest(sock, sock.recv(65536)), sent


@pytest.mark.django_db(transaction=True)
def test_a_50_mb_post_is_refused_without_reading_it_and_a_chunked_body_too(live_server):
    size = 50 * 1024 * 1024
    head = (f"POST /api/v1/analyses/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\nConnection: close\r\n\r\n")
    start = time.monotonic()
    answer, sent = _raw_post(live_server.url, head, (b"[" * 65536 for _ in range(size // 65536)), pause=0.05)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"larger than" in answer
    assert sent < 5 * 1024 * 1024 and time.monotonic() - start < 10  # answered long before 50 MB went out

    chunked = ("POST /api/v1/analyses/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    answer, _ = _raw_post(live_server.url, chunked, [b"10000\r\n" + b"[" * 65536 + b"\r\n"] * 4, pause=0.05)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"Content-Length" in answer
