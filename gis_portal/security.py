"""Content-Security-Policy header: everything (scripts, styles, tiles, fonts) is served by us."""
from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from rest_framework.throttling import ScopedRateThrottle

_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; "
    "font-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        extra = getattr(settings, "MAP_BASEMAP_ORIGIN", "")
        self.policy = _POLICY
        if extra:
            # MapLibre fetches raster tiles with fetch() from its worker: connect-src as well as img-src.
            self.policy = (_POLICY.replace("img-src 'self'", f"img-src 'self' {extra}")
                           .replace("connect-src 'self'", f"connect-src 'self' {extra}"))

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs page (drf-spectacular) is the only one that needs inline scripts of its own.
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


def _rate(scope: str) -> tuple[int, int] | None:
    """(requests, seconds) from REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, read at call time."""
    from django.conf import settings

    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope)
    if not rate:
        return None
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def rate_limit(scope: str, *, shared: bool = False, methods: tuple[str, ...] | None = None):
    """Per-client rate limit for plain Django views (DRF views use SharedScopedRateThrottle with the same rates).

    A fixed window in the cache, per authenticated user or else per client address. `shared=True`
    counts in the PostgreSQL-backed cache every worker sees (exact per client: imports); the default
    per-process cache costs ~1 µs, cheap enough for the tile endpoint a map calls dozens of times a
    second, and bounds a client at the limit times the number of workers. `methods` limits only
    those HTTP methods (e.g. the POST of an upload form, not its page).
    """
    import functools
    import time

    from django.core.cache import caches
    from django.http import JsonResponse

    from accounts.lockout import client_address

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            rate = _rate(scope)
            if rate is not None and (methods is None or request.method in methods):
                limit, seconds = rate
                cache = caches["shared" if shared else "default"]
                user = getattr(request, "user", None)
                ident = f"u{user.pk}" if user is not None and user.is_authenticated else client_address(request)
                window = int(time.time() // seconds)
                key = f"rl:{scope}:{ident}:{window}"
                cache.add(key, 0, timeout=seconds + 1)
                try:
                    count = cache.incr(key)
                except ValueError:
                    count = 1
                if count > limit:
                    retry = seconds - int(time.time()) % seconds
                    return JsonResponse({"detail": f"Too many requests; retry in {retry} s.", "errors": {}},
                                        status=429, headers={"Retry-After": str(retry)})
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class SharedScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle (rates from DEFAULT_THROTTLE_RATES) with its history in the shared cache,
    so a client's log-in or analysis rate is counted once across every worker and server."""

    cache = ConnectionProxy(caches, "shared")


def zip_problem(path) -> str | None:
    """Why a zip archive must not be opened, or None. Checked before GDAL (/vsizip/) reads a member.

    Zip bombs: too many members, or members that expand to more than ZIP_MAX_UNCOMPRESSED_BYTES in
    total, or at a ratio no real shapefile reaches. Path traversal: member names that are absolute or
    climb out with "..", refused even though /vsizip/ never writes members to disk.
    """
    import zipfile
    from pathlib import PurePosixPath

    from django.conf import settings

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return "The zip archive is corrupt."
    if len(members) > settings.ZIP_MAX_MEMBERS:
        return f"The zip archive has {len(members)} members, more than the limit of {settings.ZIP_MAX_MEMBERS}."
    total = 0
    for member in members:
        name = member.filename.replace("\\", "/")
        if name.startswith("/") or ".." in PurePosixPath(name).parts or ":" in name.split("/")[0]:
            return f"The zip archive has a member with an unsafe path: {member.filename[:100]!r}."
        total += member.file_size
        if member.file_size > 10_000_000 and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1):
            return (f"The zip member {member.filename[:100]!r} expands {member.file_size // max(member.compress_size, 1)}"
                    f" times: refused as a zip bomb.")
    if total > settings.ZIP_MAX_UNCOMPRESSED_BYTES:
        return (f"The zip archive expands to {total} bytes, more than the limit of "
                f"{settings.ZIP_MAX_UNCOMPRESSED_BYTES}.")
    return None


# Real shapefiles compress 3-20x; a member expanding more than this is a bomb, not data.
ZIP_MAX_RATIO = 200


class RejectNulBytesMiddleware:
    """A NUL byte in the query string is never valid input here, and PostgreSQL refuses it in text:
    answer 400 at the edge instead of a 500 from whichever view passes it to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = [name for name, values in request.GET.lists() if any("\x00" in v for v in values)]
        bad += ["query"] if any("\x00" in name for name in request.GET) else []
        if bad:
            from django.http import JsonResponse

            message = "must not contain NUL (0x00) characters."
            return JsonResponse({"detail": f"{bad[0]}: {message}", "errors": {name: [message] for name in bad}},
                                status=400)
        return self.get_response(request)
