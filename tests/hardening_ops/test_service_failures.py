"""A database that cannot be reached answers 503 (JSON with Retry-After for the API, a plain page for
web pages), never a 500 or DEBUG's technical page (issue 14, item 2). The full outage, with a real
server and worker, is tests/hardening_ops/test_database_outage.py; here the connection really fails
(a socket directory where no server listens)."""
from __future__ import annotations

import uuid

import pytest
from django.db import OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_unreachable(settings):
    settings.DEBUG = True  # the technical 500 page is what the outage used to show
    saved = connection.settings_dict["HOST"]
    connection.close()
    connection.settings_dict["HOST"] = "/nonexistent-socket-directory"
    yield
    connection.close()
    connection.settings_dict["HOST"] = saved


def test_the_api_answers_json_503_with_retry_after(database_unreachable):
    response = Client(raise_request_exception=False).get("/api/v1/analyses/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "10"
    assert response.json()["detail"] == "Baza de date nu este disponibilă acum. Reîncercați în câteva secunde."


def test_a_token_authenticated_api_call_answers_503_in_english_when_chosen(database_unreachable):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Token 0123456789abcdef")
    client.cookies["django_language"] = "en"
    response = client.post("/api/v1/applications/", {}, content_type="application/json")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response.json()["detail"] == "The database is unavailable right now. Please retry in a few seconds."


def test_a_web_page_answers_a_plain_503_page(database_unreachable):
    response = Client(raise_request_exception=False).get(f"/verify/{uuid.uuid4()}")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Serviciu indisponibil temporar" in page and "Traceback" not in page


class FailingMiddleware:
    """Raises what the test names inside the middleware stack (after sessions and authentication,
    before clickjacking and CSP): the answer is already a 500 when ServiceFailureMiddleware sees it."""

    error: BaseException = OSError(28, "No space left on device")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise type(self).error


SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                    "Cross-Origin-Opener-Policy": "same-origin", "X-Frame-Options": "DENY"}


@pytest.mark.parametrize("error, status", [
    (OperationalError("connection to server failed"), 503),
    (OSError(28, "No space left on device"), 507),
])
@pytest.mark.parametrize("path", ["/api/v1/rules/", "/login/"])
def test_failures_raised_inside_middleware_keep_the_security_headers(settings, monkeypatch, error, status, path):
    at = settings.MIDDLEWARE.index("accounts.middleware.LoginRateLimitMiddleware")
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:at + 1], f"{__name__}.FailingMiddleware",
                           *settings.MIDDLEWARE[at + 1:]]
    monkeypatch.setattr(FailingMiddleware, "error", error)
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == status
    for name, value in SECURITY_HEADERS.items():
        assert response.get(name) == value, name
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"
