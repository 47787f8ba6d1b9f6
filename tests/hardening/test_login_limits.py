"""Issue 14 item 8: every log-in path is limited per address and per username, before any password hash."""
from __future__ import annotations

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PATHS = {"web form": "/login/", "admin": "/admin/login/", "token API": "/api/v1/auth/token/"}


@pytest.fixture
def strict_rates(settings):
    settings.DEBUG, settings.DEMO_MODE = False, False
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "10/d", "login_user": "5/d"}}  # day windows: no window boundary mid-test


@pytest.fixture
def hashes(monkeypatch):
    """How many password hashes are computed (checked or made up for unknown users)."""
    count = {"n": 0}
    for name in ("verify", "encode"):
        original = getattr(MD5PasswordHasher, name)

        def counting(self, *args, _original=original, **kwargs):
            count["n"] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(MD5PasswordHasher, name, counting)
    return count


def _post(path: str, username: str, address: str):
    client = APIClient(REMOTE_ADDR=address) if path.startswith("/api/") else Client(REMOTE_ADDR=address)
    if path.startswith("/api/"):
        return client.post(path, {"username": username, "password": "Sprayed-2026!"}, format="json")
    return client.post(path, {"username": username, "password": "Sprayed-2026!"})


@pytest.mark.parametrize("path", list(PATHS.values()), ids=list(PATHS))
def test_password_spraying_from_one_address_gets_429_without_hashing(path, cast, strict_rates, hashes):
    codes = [_post(path, f"user{i}", "203.0.113.7").status_code for i in range(10)]
    assert 429 not in codes
    hashed = hashes["n"]
    limited = [_post(path, f"user{i}", "203.0.113.7") for i in range(10, 30)]
    assert {r.status_code for r in limited} == {429}
    assert all(int(r["Retry-After"]) > 0 for r in limited)
    assert hashes["n"] == hashed  # no password hash once limited
    # Another address is not affected.
    assert _post(path, "user99", "198.51.100.9").status_code != 429


@pytest.mark.parametrize("path", list(PATHS.values()), ids=list(PATHS))
def test_one_username_guessed_from_many_addresses_gets_429(path, cast, strict_rates, hashes):
    codes = [_post(path, "Carol", f"203.0.113.{i}").status_code for i in range(1, 9)]
    assert 429 not in codes[:5] and set(codes[5:]) == {429}


def test_the_limit_is_shared_by_every_log_in_path(cast, strict_rates):
    for i, path in enumerate(list(PATHS.values()) * 4):
        code = _post(path, f"u{i}", "203.0.113.50").status_code
        assert (code == 429) == (i >= 10), (i, path, code)


def test_the_web_answer_is_a_page_in_the_users_language(cast, strict_rates):
    for i in range(10):
        _post("/login/", f"x{i}", "203.0.113.60")
    client = Client(REMOTE_ADDR="203.0.113.60")
    page = client.post("/login/", {"username": "x", "password": "y"})
    assert page.status_code == 429 and "Prea multe încercări" in page.content.decode()
    client.cookies["django_language"] = "en"
    english = client.post("/login/", {"username": "x", "password": "y"}, HTTP_COOKIE="django_language=en")
    assert english.status_code == 429
