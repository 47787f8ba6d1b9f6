"""One exception handler for the API: services raise Django errors, never DRF ones.

Every error body has the same shape: {"detail": str, "errors": {field: [reasons]}}.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gis_portal import failures


class Conflict(drf_exceptions.APIException):
    """The resource changed state under the caller (409): a transition not allowed any more."""

    status_code = 409
    default_detail = "Conflict with the current state of the resource."
    default_code = "conflict"


class StateConflict(Exception):
    """Raised by services when an action is not allowed from the current state (mapped to 409)."""

    def __init__(self, message: str, *, allowed: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.allowed = allowed or []


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    failure = failures.failure(exc)  # database down: 503; storage full: 507
    if failure is not None:
        status, message = failure
        return Response(failures.failure_body(message), status=status, headers=failures.failure_headers(status))
    if isinstance(exc, DataError) and "NUL" in str(exc):
        # psycopg refuses NUL bytes before the query is sent: the input was bad, not the server.
        return Response({"detail": "Text must not contain NUL (0x00) characters.",
                         "errors": {"non_field_errors": ["Text must not contain NUL (0x00) characters."]}}, status=400)
    if isinstance(exc, DjangoValidationError):
        errors = _django_errors(exc)
        first = next(iter(errors.values()))[0] if errors else "Invalid input."
        return Response({"detail": first, "errors": errors}, status=400)
    if isinstance(exc, StateConflict):
        return Response({"detail": exc.message, "allowed": exc.allowed}, status=409)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ParseError):
        response.data = {"detail": str(exc.detail), "errors": {"body": [str(exc.detail)]}}
    if isinstance(exc, drf_exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        errors = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in data.items()}
        first = next(iter(errors.values()))[0] if errors else "Invalid input."
        response.data = {"detail": f"{next(iter(errors))}: {first}", "errors": errors}
    return response
