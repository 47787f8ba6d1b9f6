"""Tiles of the built-in layers (parcels, buildings) answered in front of Django's request cycle.

A map asks for dozens of these a second. They are public and the same for every caller, yet through
Django each paid for URL resolution, sessions, authentication, CSRF, messages and language: about
as much again as the query (bench/tiles_bench.py, BENCHMARKS.md). This WSGI wrapper answers
`GET /tiles/{parcels|buildings}/{z}/{x}/{y}.pbf` with the view's own code (layers.tiles:
builtin_response, same SQL, ETag and per-address rate limit) and the site's security middleware
(HSTS, nosniff, referrer policy, X-Frame-Options, CSP), and hands everything else to Django
untouched: other paths and methods, tiles that do not exist (Django answers 400 with the reason),
hosts not allowed, vector layers (their visibility depends on the caller) and any error.
"""
from __future__ import annotations

import re

from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware

from gis_portal.ratelimit import too_many
from gis_portal.security import ContentSecurityPolicyMiddleware
from layers import tiles

PATH = re.compile(r"/tiles/(parcels|buildings)/(\d{1,2})/(\d{1,9})/(\d{1,9})\.pbf")


def _tile(request):
    refused = too_many("tiles", request, shared=False, by_address=True)
    return refused or tiles.builtin_response(request, *request.tile)


class BuiltinTiles:
    def __init__(self, app):
        self.app = app
        self.respond = SecurityMiddleware(XFrameOptionsMiddleware(ContentSecurityPolicyMiddleware(_tile)))

    def __call__(self, environ, start_response):
        match = PATH.fullmatch(environ.get("PATH_INFO", "")) if environ.get("REQUEST_METHOD") == "GET" else None
        response = self._answer(environ, match) if match else None
        if response is None:
            return self.app(environ, start_response)
        headers = [*response.items(), ("Content-Length", str(len(response.content)))]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]

    def _answer(self, environ, match):
        layer, z, x, y = match[1], int(match[2]), int(match[3]), int(match[4])
        if tiles.tile_problem(z, x, y):
            return None
        request = WSGIRequest(environ)
        try:
            request.get_host()
        except DisallowedHost:
            return None
        request.tile = (layer, z, x, y)
        close_old_connections()  # what Django does when a request starts and ends
        try:
            return self.respond(request)
        except Exception:  # noqa: BLE001 - Django answers (and logs) it the usual way, on a fresh connection
            return None
        finally:
            close_old_connections()
