"""Tiles of the built-in layers (parcels, buildings) answered in front of Django's request cycle.

A map asks for dozens of these a second. They are public and the same for every caller, yet through
Django each paid for URL resolution, sessions, authentication, CSRF, messages and language: about
as much again as the query (bench/tiles_bench.py, BENCHMARKS.md). This WSGI wrapper answers
`GET /tiles/{parcels|buildings}/{z}/{x}/{y}.pbf` with the view's own code (layers.tiles:
builtin_tile, same SQL and ETag; the same per-address rate limit) and the headers the site's
security middleware (HSTS, nosniff, referrer and opener policies, X-Frame-Options, CSP) puts on
a tile, and hands everything else to Django untouched: other paths and methods, tiles that do not
exist (Django answers 400 with the reason), hosts not allowed, plain HTTP when the site redirects
it to HTTPS, vector layers (their visibility depends on the caller) and any error.

The security headers are learnt once per scheme by running that middleware around an empty answer:
for a tile they depend on nothing else (HSTS is sent over HTTPS only). Building the headers as a
list instead of a response object per tile is what keeps the wrapper cheap: measured in the
server, the middleware chain and the response objects cost ~0.1 ms of a ~1 ms tile, mostly in
cold caches after the query (BENCHMARKS.md).
"""
from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware

from gis_portal.db_router import replica_context
from gis_portal.ratelimit import too_many
from gis_portal.security import ContentSecurityPolicyMiddleware
from layers import tiles

PATH = re.compile(r"/tiles/(parcels|buildings)/(\d{1,2})/(\d{1,9})/(\d{1,9})\.pbf")
Answer = tuple[str, list[tuple[str, str]], bytes]


class BuiltinTiles:
    def __init__(self, app):
        self.app = app
        # The site's security middleware (it reads its settings here) around an empty answer.
        self.site = SecurityMiddleware(XFrameOptionsMiddleware(ContentSecurityPolicyMiddleware(
            lambda request: HttpResponse())))
        self.site_headers: dict[bool, list[tuple[str, str]]] = {}  # by request.is_secure()

    def __call__(self, environ, start_response):
        match = PATH.fullmatch(environ.get("PATH_INFO", "")) if environ.get("REQUEST_METHOD") == "GET" else None
        answer = self._answer(environ, match) if match else None
        if answer is None:
            return self.app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def _answer(self, environ, match) -> Answer | None:
        layer, z, x, y = match[1], int(match[2]), int(match[3]), int(match[4])
        if tiles.tile_problem(z, x, y):
            return None
        request = WSGIRequest(environ)
        try:
            request.get_host()
        except DisallowedHost:
            return None
        site = self._site_headers(request)
        if site is None:
            return None
        close_old_connections()  # what Django does when a request starts and ends
        try:
            refused = too_many("tiles", request, shared=False, by_address=True)
            if refused is not None:
                return _answer_of(refused, site)
            with replica_context():  # public tiles may be a little stale; a failure falls back to Django
                data, etag = tiles.builtin_tile(layer, z, x, y)
        except Exception:  # noqa: BLE001 - Django answers (and logs) it the usual way, on a fresh connection
            return None
        finally:
            close_old_connections()
        cache = tiles.cache_headers(etag, settings.TILE_CACHE_SECONDS)
        if tiles.etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            return "304 Not Modified", cache + site, b""
        return "200 OK", [("Content-Type", tiles.MVT_TYPE), *cache, *site, ("Content-Length", str(len(data)))], data

    def _site_headers(self, request) -> list[tuple[str, str]] | None:
        """The headers the site's middleware puts on a tile over this request's scheme, or None when it
        answers with a redirect to HTTPS instead (asked every time: it may exempt some paths)."""
        secure = request.is_secure()
        headers = self.site_headers.get(secure)
        if headers is None:
            probe = self.site(request)
            if probe.status_code != 200:
                return None
            headers = [(name, value) for name, value in probe.items() if name != "Content-Type"]
            if secure or not self.site.redirect:
                self.site_headers[secure] = headers
        return headers


def _answer_of(response: HttpResponse, site: list[tuple[str, str]]) -> Answer:
    """A response of ours (the 429) as an answer, with the site's headers it does not set itself."""
    own = {name.lower() for name in response.headers}
    headers = [*response.items(), *((name, value) for name, value in site if name.lower() not in own)]
    status = f"{response.status_code} {response.reason_phrase}"
    return status, [*headers, ("Content-Length", str(len(response.content)))], response.content
