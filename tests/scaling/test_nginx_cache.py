"""deploy/nginx/gis-portal.conf, run by Debian's nginx in front of the portal (pytest's live server).

The configuration file itself is used; only its addresses and cache directory are replaced, and it is
wrapped in a minimal nginx.conf (one process, no daemon, everything under a temporary directory).
"""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accounts.models import User
from layers.models import Feature, Layer
from layers.services import layer_version_publish, layer_version_start
from tests.conftest import BACAU_E, BACAU_N, square
from tests.helpers import otp_login

CONF = Path(django_settings.BASE_DIR) / "deploy" / "nginx" / "gis-portal.conf"
TILE = "/tiles/zone-test/16/37667/23165.pbf"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                                 reason="nginx is not installed (scripts/bootstrap.sh installs it)")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nginx(live_server, tmp_path):
    port = _free_port()
    upstream = urlsplit(live_server.url).port
    site = CONF.read_text()
    for old, new in (("/var/cache/nginx/gis-portal", str(tmp_path / "cache")),
                     ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
                     ("listen 80;", f"listen 127.0.0.1:{port};")):
        assert old in site
        site = site.replace(old, new)
    temp = "".join(f"{kind}_temp_path {tmp_path / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                          "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\nmaster_process off;\npid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'} warn;\n"
        f"events {{ worker_connections 64; }}\nhttp {{\naccess_log off;\n{temp}{site}\n}}\n")
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen([nginx_bin, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                "-e", str(tmp_path / "error.log")], stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(10)


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _publish(layer: Layer, name: str) -> int:
    version = layer_version_start(layer=layer)
    Feature.objects.create(version=version, name=name, geom=square(BACAU_E, BACAU_N, 200).simplify(0))
    return layer_version_publish(version=version).pk


def _style_tile_path(base: str) -> str:
    status, _, body = _get(f"{base}/map/style.json")
    assert status == 200
    template = json.loads(body)["sources"]["zone-test"]["tiles"][0]
    url = urlsplit(template.replace("{z}/{x}/{y}", "16/37667/23165"))
    return f"{url.path}?{url.query}"


@pytest.mark.django_db(transaction=True)
def test_nginx_caches_tiles_and_a_new_layer_version_is_answered_fresh(nginx, live_server, settings):
    settings.TILE_CACHE_SECONDS = 1
    layer = Layer.objects.create(slug="zone-test", name="Zonă de test", kind=Layer.Kind.ZONING, theme="zoning")
    first = _publish(layer, "zona-unu")

    # The map style names the layer's tiles with its version; the second request is the cache's.
    versioned = _style_tile_path(live_server.url)
    assert versioned == f"{TILE}?v={first}"
    status, headers, body = _get(nginx + versioned)
    assert (status, headers["X-Cache-Status"]) == (200, "MISS") and b"zona-unu" in body
    assert headers["Cache-Control"] == "public, max-age=86400"
    status, headers, cached = _get(nginx + versioned)
    assert (status, headers["X-Cache-Status"], cached) == (200, "HIT", body)
    # The unversioned URL is cached too, for TILE_CACHE_SECONDS.
    assert _get(nginx + TILE)[1]["X-Cache-Status"] == "MISS"
    assert _get(nginx + TILE)[1]["X-Cache-Status"] == "HIT"

    second = _publish(layer, "zona-doi")
    # The style (fresh from the portal) now names the new version: new URL, answered fresh.
    assert _style_tile_path(live_server.url) == f"{TILE}?v={second}"
    status, headers, body = _get(f"{nginx}{TILE}?v={second}")
    assert (status, headers["X-Cache-Status"]) == (200, "MISS") and b"zona-doi" in body and b"zona-unu" not in body
    assert _get(f"{nginx}{TILE}?v={second}")[1]["X-Cache-Status"] == "HIT"
    # The unversioned URL: never served stale past its max-age; then revalidated by ETag (new content).
    time.sleep(2.1)  # nginx counts max-age in whole seconds (stale strictly after)
    status, headers, body = _get(nginx + TILE)
    assert (status, headers["X-Cache-Status"]) == (200, "EXPIRED") and b"zona-doi" in body
    time.sleep(2.1)  # nginx counts max-age in whole seconds (stale strictly after)
    status, headers, again = _get(nginx + TILE)
    assert (status, headers["X-Cache-Status"], again) == (200, "REVALIDATED", body)  # the portal said 304


@pytest.mark.django_db(transaction=True)
def test_nginx_caches_public_ogc_answers_and_never_stores_private_ones(nginx, settings):
    settings.TILE_CACHE_SECONDS = 1
    first = _get(f"{nginx}/ogc/collections")
    assert (first[0], first[1]["X-Cache-Status"]) == (200, "MISS")
    assert first[1]["Cache-Control"] == "public, max-age=60" and first[1]["ETag"]
    second = _get(f"{nginx}/ogc/collections")
    assert (second[1]["X-Cache-Status"], second[2]) == ("HIT", first[2])
    # A caller with an API token may see non-public layers: the cache is bypassed.
    assert _get(f"{nginx}/ogc/collections", Authorization="Token x")[1]["X-Cache-Status"] == "BYPASS"
    # A private layer's tiles say `private`: the shared cache does not keep them.
    layer = Layer.objects.create(slug="interna", name="Internă", kind=Layer.Kind.ZONING, theme="zoning",
                                 public=False)
    _publish(layer, "secret")
    admin = User.objects.create_user(username="adm", password="parola-lunga-2026", role=User.Role.ADMIN)
    browser = Client()
    otp_login(browser, admin)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    for _ in range(2):
        status, headers, body = _get(f"{nginx}/tiles/interna/16/37667/23165.pbf", Cookie=cookie)
        assert (status, headers["Cache-Control"], headers["X-Cache-Status"]) == (200, "private, max-age=1", "MISS")
        assert b"secret" in body
    assert _get(f"{nginx}/tiles/interna/16/37667/23165.pbf")[0] == 404  # anonymous: nothing stored to leak
