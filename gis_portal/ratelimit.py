"""Per-client rate limits (fixed windows), for DRF views and plain Django views alike.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (THROTTLE_* settings), read at call time.
A client is the authenticated user, else the client address (`client_address`).

Two counters:
- shared (default): one upsert in PostgreSQL (UNLOGGED table `gis_portal_ratelimit`, accounts
  migration 0003), so the limit holds exactly per client whatever worker or server answers: log-in,
  analyses, imports. One round trip, ~0.1 ms.
- per process (`shared=False`): the local-memory cache, ~10 µs, for the tile endpoint that a map calls
  dozens of times a second; a client can then reach the limit times the number of worker processes.
"""
from __future__ import annotations

import functools
import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from rest_framework.throttling import BaseThrottle

_HIT = """
    INSERT INTO gis_portal_ratelimit AS r (key, window_end, hits) VALUES (%s, %s, 1)
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN r.window_end = EXCLUDED.window_end THEN r.hits + 1 ELSE 1 END,
        window_end = EXCLUDED.window_end
    RETURNING hits
"""


def rate(scope: str) -> tuple[int, int] | None:
    """(requests, seconds) of a scope, or None when it is not limited."""
    framework: dict[str, Any] = getattr(settings, "REST_FRAMEWORK", {})
    value = framework.get("DEFAULT_THROTTLE_RATES", {}).get(scope)
    if not value:
        return None
    count, period = value.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def client_address(request) -> str:
    """The client's address; behind a trusted proxy (BEHIND_PROXY) the first X-Forwarded-For hop."""
    if request is None:
        return "-"
    meta = request.META
    if settings.SECURE_PROXY_SSL_HEADER and meta.get("HTTP_X_FORWARDED_FOR"):
        return meta["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()
    return meta.get("REMOTE_ADDR", "-")


def client_ident(request, *, by_address: bool = False) -> str:
    """The user, else (or with `by_address` always) the client address."""
    user = None if by_address else getattr(request, "user", None)
    return f"u{user.pk}" if user is not None and user.is_authenticated else f"a{client_address(request)}"


def hit(scope: str, ident: str, *, shared: bool = True) -> int | None:
    """Count one request of `ident` in `scope`: None if allowed, else the seconds until the window ends."""
    limits = rate(scope)
    if limits is None:
        return None
    limit, seconds = limits
    now = time.time()
    window = int(now // seconds)
    window_end = (window + 1) * seconds  # epoch seconds
    key = f"{scope}:{ident}"
    if len(key) > 120:  # an address is caller-supplied behind a proxy: bound the key, keep it unique
        key = f"{scope}:h{hashlib.sha256(ident.encode()).hexdigest()}"
    if shared:
        with connection.cursor() as cursor:
            cursor.execute(_HIT, [key, window_end])
            count = cursor.fetchone()[0]
    else:
        local = f"rl:{key}:{window}"
        cache.add(local, 0, timeout=seconds + 1)
        try:
            count = cache.incr(local)
        except ValueError:  # expired between add and incr
            count = 1
    return None if count <= limit else max(1, int(seconds - now % seconds))


def prune() -> int:
    """Forget the clients whose last window ended over an hour ago; returns how many rows."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM gis_portal_ratelimit WHERE window_end < %s", [int(time.time()) - 3600])
        return cursor.rowcount


class SharedScopedRateThrottle(BaseThrottle):
    """DRF throttle for views with a `throttle_scope`, counted in the shared table."""

    def allow_request(self, request, view) -> bool:
        scope = getattr(view, "throttle_scope", None)
        self._wait = hit(scope, client_ident(request)) if scope else None
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


def too_many(scope: str, request, *, shared: bool = True, by_address: bool = False) -> JsonResponse | None:
    """Count the request in `scope`: None if allowed, else the 429 answer with Retry-After.
    `by_address`: count per client address even for a logged-in user (tiles: no session lookup)."""
    retry = hit(scope, client_ident(request, by_address=by_address), shared=shared)
    if retry is None:
        return None
    return JsonResponse({"detail": f"Too many requests; retry in {retry} s.", "errors": {}},
                        status=429, headers={"Retry-After": str(retry)})


def rate_limit(scope: str, *, shared: bool = True, methods: tuple[str, ...] | None = None, by_address: bool = False):
    """The same limit for a plain Django view (see too_many). `methods` limits only those HTTP
    methods (e.g. the POST of an upload form, not its page)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if methods is None or request.method in methods:
                refused = too_many(scope, request, shared=shared, by_address=by_address)
                if refused is not None:
                    return refused
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
