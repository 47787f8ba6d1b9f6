"""Limits and headers: log-in lockout, rate limits, CSRF on the web, CSP, production cookies, no secrets."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from tests.conftest import BACAU_E, BACAU_N
from tests.helpers import otp_login

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def lockout_at_five(settings):
    settings.LOGIN_LOCKOUT_FAILURES = 5
    settings.LOGIN_LOCKOUT_SECONDS = 900


@pytest.fixture
def low_rates(monkeypatch, settings):
    """DRF reads the rates once into ScopedRateThrottle.THROTTLE_RATES; the tile limiter reads settings."""
    rates = {"login": "3/min", "analysis": "2/min", "import": "2/min", "tiles": "4/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    return rates


def _token(client, username, password):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_five_wrong_passwords_lock_the_token_endpoint_even_for_the_right_one(cast, api, lockout_at_five):
    client = api()
    for _ in range(5):
        assert _token(client, "alice", "wrong-password").status_code == 400
    locked = _token(client, "alice", "alice-secret-pass")
    assert locked.status_code == 403
    assert "locked" in locked.json()["detail"]
    # Another user from the same address is not affected.
    assert _token(client, "bob", "bob-secret-pass").status_code == 200


def test_a_lock_is_per_username_and_address_and_expires(cast, api, lockout_at_five):
    from accounts.models import LoginAttempt

    client = api()
    for _ in range(5):
        _token(client, "alice", "nope-nope-nope")
    other_address = api()
    ok = other_address.post(TOKEN_URL, {"username": "alice", "password": "alice-secret-pass"}, format="json",
                            REMOTE_ADDR="10.1.2.3")
    assert ok.status_code == 200
    assert _token(client, "alice", "alice-secret-pass").status_code == 403
    # The lock's 15 minutes (and the failure window) pass.
    past = timezone.now() - timedelta(seconds=901)
    assert LoginAttempt.objects.update(window_start=past, locked_until=past) == 1
    assert _token(client, "alice", "alice-secret-pass").status_code == 200
    assert LoginAttempt.objects.count() == 0  # the success forgot the pair


def test_a_successful_log_in_resets_the_failure_count(cast, api, lockout_at_five):
    client = api()
    for _ in range(4):
        _token(client, "alice", "wrong-password")
    assert _token(client, "alice", "alice-secret-pass").status_code == 200
    for _ in range(4):
        _token(client, "alice", "wrong-password")
    assert _token(client, "alice", "alice-secret-pass").status_code == 200


def test_the_web_login_form_locks_after_five_failures(cast, lockout_at_five):
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": "carol", "password": "bad-password"})
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post("/login/", {"username": "carol", "password": "carol-secret-pass"})
    assert response.status_code == 200  # the form again, not the redirect of a successful log-in
    assert "_auth_user_id" not in client.session
    # The API shares the lock: it is the account + address that is locked, not one form.
    from rest_framework.test import APIClient

    assert _token(APIClient(), "carol", "carol-secret-pass").status_code == 403


def test_the_token_endpoint_is_rate_limited_per_client(cast, api, low_rates):
    client = api()
    codes = [_token(client, "bob", "bob-secret-pass").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_analyses_are_rate_limited_per_client(cast, api, low_rates):
    client = api(cast["bob"])
    codes = [client.post("/api/v1/analyses/", {}, format="json").status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    # Another client still gets through.
    assert api(cast["alice"]).post("/api/v1/analyses/", {}, format="json").status_code == 400


def test_tiles_are_rate_limited_per_client(cast, low_rates):
    client = Client()
    codes = [client.get("/tiles/parcels/14/9416/5788.pbf").status_code for _ in range(5)]
    assert all(code in (200, 204) for code in codes[:4]) and codes[4] == 429
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.get("/tiles/parcels/14/9416/5788.pbf").status_code in (200, 204)


def test_a_web_post_without_a_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "alice", "password": "alice-secret-pass"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    # With the token from the form, the same log-in works.
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    ok = client.post("/login/", {"username": "alice", "password": "alice-secret-pass", "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


def test_a_session_authenticated_api_write_needs_the_csrf_token(cast, parcel_factory):
    from permits.models import Application

    parcel = parcel_factory(e=BACAU_E + 300, n=BACAU_N + 300)
    client = Client(enforce_csrf_checks=True)
    otp_login(client, cast["alice"])
    response = client.post("/api/v1/applications/", {"kind": "cu", "parcel_ids": [parcel.pk]},
                           content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Application.objects.count() == 0


def test_pages_carry_a_content_security_policy_without_inline_scripts(cast):
    response = Client().get("/")
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no CDN
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def _production(expression: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TESTING", "DEMO_MODE")}
    env.update({"DEBUG": "0", "SECRET_KEY": "k" * 60, "DJANGO_SETTINGS_MODULE": "gis_portal.settings"})
    code = f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_settings_use_secure_cookies_hsts_and_strict_limits():
    out = _production("s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
                      "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
                      "s.LOGIN_LOCKOUT_FAILURES, s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['login']")
    assert out == "True True True True True True 5 20/min"


# Files that must never be committed, and secrets that must never appear in a committed file.
FORBIDDEN_FILES = re.compile(r"\.(p12|pfx|pem|key|jks|keystore)$|(^|/)\.env$|id_rsa|id_ed25519", re.I)
SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"gh[pousr]_[A-Za-z0-9]{36}"),
    re.compile(r"xox[baprs]-[A-Za-z0-9-]{10,}"),
    re.compile(r"postgres(ql)?://[^:\s/]+:[^@\s]{4,}@(?!localhost|127\.0\.0\.1|db[:/])"),
]
# A literal password/secret assigned in code (outside tests); the documented demo defaults are allowed.
ASSIGNED = re.compile(r"(password|passwd|secret|api_key|token)[a-z_]*\s*[:=]\s*[\"']([^\"']{6,})[\"']", re.I)
DOCUMENTED_DEFAULTS = {"bench-secret"}


def test_no_private_key_certificate_bundle_or_password_is_committed():
    files = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=REPO, check=True).stdout.split()
    assert files, "not a git checkout"
    assert [f for f in files if FORBIDDEN_FILES.search(f)] == []
    found = []
    for name in files:
        path = REPO / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_bytes().decode("utf-8", "ignore")
        found += [f"{name}: {p.pattern}" for p in SECRET_PATTERNS if p.search(text)]
        if not name.startswith("tests/") and not name.endswith(".md"):
            found += [f"{name}: {m.group(0)}" for m in ASSIGNED.finditer(text) if m.group(2) not in DOCUMENTED_DEFAULTS]
    assert found == []


def test_the_secret_scan_would_catch_a_private_key():
    key = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIE..."
    assert any(p.search(key) for p in SECRET_PATTERNS)
    assert ASSIGNED.search('SMTP_PASSWORD = "hunter2-real"')


@pytest.mark.django_db(transaction=True)
def test_lockout_counts_are_shared_between_processes_and_store_no_username(lockout_at_five):
    """The counter is in PostgreSQL, not in a per-process cache: failures recorded through another
    connection (another gunicorn worker) count towards the same lock, and only a digest is stored."""
    import psycopg
    from django.db import connection

    from accounts import lockout
    from accounts.models import LoginAttempt

    for _ in range(3):
        lockout.login_failure_record(username="Alice ", address="10.9.9.9")
    rows = list(LoginAttempt.objects.values_list("digest", "failures"))
    assert rows == [(lockout._digest("alice", "10.9.9.9"), 3)]
    assert lockout.login_is_locked(username="alice", address="10.9.9.9") is False
    # Two more failures through a second, independent connection (as from another worker).
    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("dbname", "user", "host", "port", "password") and v}
    with psycopg.connect(**dsn, autocommit=True) as other:
        counts = [other.execute(lockout._RECORD_FAILURE, {"digest": lockout._digest("ALICE", "10.9.9.9"),
                                                           "limit": 5, "window": 900}).fetchone()[0]
                  for _ in range(2)]
    assert counts == [4, 5]
    assert lockout.login_is_locked(username="alice", address="10.9.9.9") is True
    assert lockout.login_is_locked(username="alice", address="10.9.9.8") is False
    assert lockout.login_attempts_prune() == 0  # locked: kept
    LoginAttempt.objects.update(locked_until=timezone.now(), window_start=timezone.now() - timedelta(hours=1))
    assert lockout.login_attempts_prune() == 1


def test_log_in_and_analysis_limits_hold_across_workers(cast, api, low_rates):
    """The DRF throttles count in PostgreSQL: a request answered by another worker (here: the
    per-process cache emptied, as a fresh process would have it) still counts."""
    from django.core.cache import caches
    from django.db import connection

    client = api()
    codes = [_token(client, "bob", "bob-secret-pass").status_code for _ in range(2)]
    caches["default"].clear()
    codes += [_token(client, "bob", "bob-secret-pass").status_code for _ in range(2)]
    assert codes == [200, 200, 200, 429]
    with connection.cursor() as cursor:
        cursor.execute("SELECT hits FROM gis_portal_ratelimit WHERE key LIKE %s", ["login:a%"])
        assert cursor.fetchall() == [(4,)]  # one row for the client, every request counted


def test_layer_imports_are_rate_limited_per_admin(cast, low_rates):
    client = Client()
    otp_login(client, cast["root"])
    codes = [client.post("/manage/", {"theme": "lmi_monument"}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]  # an invalid form twice, then the limit; nothing was imported
    assert client.get("/manage/").status_code == 200  # the page itself is not limited


def test_a_shared_counter_starts_again_in_the_next_window_and_old_clients_are_pruned(settings, monkeypatch):
    from gis_portal import ratelimit

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"analysis": "2/min"}}
    clock = {"now": 1_800_000_000.0}  # on a minute boundary
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock["now"])
    assert [ratelimit.hit("analysis", "a10.0.0.1") for _ in range(3)] == [None, None, 60]
    clock["now"] += 59.5
    assert ratelimit.hit("analysis", "a10.0.0.1") == 1  # still the same window: retry in about a second
    clock["now"] += 1
    assert ratelimit.hit("analysis", "a10.0.0.1") is None  # a new window
    assert ratelimit.hit("analysis", "a" + "9" * 500) is None  # a long address is hashed into the key
    clock["now"] += 2 * 3600
    assert ratelimit.prune() == 2
