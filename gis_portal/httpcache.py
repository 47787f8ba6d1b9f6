"""HTTP caching of public answers that set no validator themselves (the OGC API Features views).

`public_cache` marks a successful GET answer `public, max-age=<setting>` with an ETag of its content and
answers 304 to a matching If-None-Match, so a shared cache (deploy/nginx/gis-portal.conf) keeps it and
revalidates it cheaply once it is stale.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag


def public_cache(max_age_setting: str) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
                return response
            patch_cache_control(response, public=True, max_age=getattr(settings, max_age_setting))
            if not response.has_header("ETag"):
                set_response_etag(response)
            return get_conditional_response(request, etag=response["ETag"], response=response) or response
        return wrapped
    return decorator
