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
