"""Infrastructure failures as clear answers instead of a 500 (or DEBUG's technical page).

- The database is unreachable (stopped, restarting, connection lost): 503 with Retry-After.
- The storage is full (ENOSPC, EDQUOT): 507.

The API answers JSON ({"detail", "errors"}); web pages get a small page that needs no database
(no user menu: loading the user would fail again). The API exception handler
(gis_portal.api.exceptions) and `ServiceFailureMiddleware` (for everything else, including errors
raised inside other middleware) both call `failure_response`.
"""
from __future__ import annotations

import errno
import sys
from collections.abc import Callable, Iterator

import psycopg
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gis_portal.security import ContentSecurityPolicyMiddleware

_DATABASE_DOWN = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def database_down(exc: BaseException) -> bool:
    """The database could not be reached or the connection broke (also when wrapped, e.g. by procrastinate)."""
    return any(isinstance(e, _DATABASE_DOWN) for e in _chain(exc))


def storage_full(exc: BaseException) -> bool:
    return any(isinstance(e, OSError) and e.errno in _DISK_FULL for e in _chain(exc))


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def failure(exc: BaseException) -> tuple[int, str] | None:
    """(status, message in the active language) for an infrastructure failure, else None."""
    if database_down(exc):
        return 503, _("Baza de date nu este disponibilă acum. Reîncercați în câteva secunde.")
    if storage_full(exc):
        return 507, _("Spațiul de stocare este plin; documentul nu a fost salvat. "
                      "Reîncercați mai târziu sau anunțați administratorul.")
    return None


def failure_headers(status: int) -> dict[str, str]:
    headers = {"Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    return headers


def failure_body(message: str) -> dict:
    return {"detail": message, "errors": {"non_field_errors": [message]}}


def failure_response(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    """The 503/507 answer (JSON for the API, a page otherwise) for an infrastructure failure, else None."""
    found = failure(exc)
    if found is None:
        return None
    status, message = found
    if _wants_json(request):
        response: HttpResponse = JsonResponse(failure_body(message), status=status)
    else:
        response = HttpResponse(render_to_string("service_failure.html", {"status": status, "message": message}),
                                status=status)
    for name, value in failure_headers(status).items():
        response[name] = value
    return response


def _remember_exception(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    # Sent by Django's handler while the exception is being handled: sys.exc_info() holds it.
    exc = sys.exc_info()[1]
    if request is not None and exc is not None and (database_down(exc) or storage_full(exc)):
        request._service_failure = exc  # type: ignore[attr-defined]


class ServiceFailureMiddleware:
    """First in MIDDLEWARE: turns the 500 of a database outage or a full disk into a 503/507.

    An exception raised in a view reaches `process_exception` (its answer then goes back through
    every middleware). One raised in another middleware (sessions, authentication, rate limits) is
    already a 500 response when it gets here; Django's got_request_exception signal marked the
    request with it, and `__call__` swaps the answer and gives it the security middleware's headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        got_request_exception.connect(_remember_exception, dispatch_uid="gis_portal.failures")
        # A swapped answer did not come back through the middleware that add the security headers
        # (nosniff, Referrer-Policy, COOP, HSTS, X-Frame-Options, CSP): it gets them here, as any answer.
        self.secure = [SecurityMiddleware(get_response).process_response,
                       XFrameOptionsMiddleware(get_response).process_response,
                       ContentSecurityPolicyMiddleware(get_response).process_response]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        failure = getattr(request, "_service_failure", None)
        if response.status_code == 500 and failure is not None:
            swapped = failure_response(request, failure)
            if swapped is not None:
                for secure in self.secure:
                    swapped = secure(request, swapped)
                return swapped
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return failure_response(request, exception)
