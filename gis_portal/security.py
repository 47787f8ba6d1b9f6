"""Content-Security-Policy header: everything (scripts, styles, tiles, fonts) is served by us."""
from __future__ import annotations

from django.conf import settings

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


def rate_limit(scope: str):
    """Per-client rate limit for plain Django views (DRF views use ScopedRateThrottle with the same rates).

    A fixed window in the cache, per authenticated user or else per client address: cheap enough for
    the tile endpoint, which a map calls dozens of times a second.
    """
    import functools
    import time

    from django.core.cache import cache
    from django.http import JsonResponse

    from accounts.lockout import client_address

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            rate = _rate(scope)
            if rate is not None:
                limit, seconds = rate
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
