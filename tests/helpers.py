"""Helpers shared by several test folders (fixtures stay in the conftest files)."""
from __future__ import annotations

import threading
from urllib.parse import quote, urlencode

from django.db import connection


def child_database_url() -> str:
    """DATABASE_URL of the suite's test database, wherever it lives, for a child process."""
    params = connection.get_connection_params()
    query = urlencode({k: params[k] for k in ("host", "port") if params.get(k)})
    auth = quote(params.get("user") or "") + (f":{quote(params['password'])}" if params.get("password") else "")
    return f"postgres://{auth}@/{quote(params['dbname'])}?{query}"


def run_in_threads(functions):
    """Start all functions together, each on its own database connection; return results or exceptions in order.

    For transaction=True tests only: each thread commits for real, so row locks and counters race as in
    production. The barrier makes the functions start at the same moment instead of one after the other.
    """
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connection.close()  # the thread's own connection, or it stays open after the test

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


# --- Two-factor log-in (accounts.mfa): staff, reviewers and admins need a verified session. ---------------

def second_factor_device(user):
    """The user's confirmed TOTP device, created as if they had enrolled earlier (a precondition)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.mfa import TOTP_NAME

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True)


def totp_code(user) -> str:
    """A code the user's TOTP device accepts now: the current time step, or the next one when the current
    was already used (a second log-in within 30 s); waits for the clock if both were used."""
    import time

    from django_otp.oath import TOTP, hotp

    while True:
        device = second_factor_device(user)
        device.refresh_from_db()
        clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now_t = clock.t()
        step = max(now_t, device.last_t + 1)
        if step <= now_t + device.tolerance:
            return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"
        time.sleep(1)


def otp_login(client, user):
    """Log a Django test client in as `user` with a session that passed the second factor, the way
    django-otp marks it (`django_otp.login`: the device's persistent id in the session). For API-client
    and page tests; browser tests use tests/web/conftest.py's `login`, which types a real code."""
    from django_otp import DEVICE_ID_SESSION_KEY, user_has_device

    from accounts.mfa import second_factor_required

    client.force_login(user)
    if second_factor_required(user) or user_has_device(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = second_factor_device(user).persistent_id
        session.save()
    return client


def login_through_forms(client, username: str, password: str | None = None):
    """Log a Django test client in through the real forms: the password on /login/, then (staff) the
    current TOTP code on the second-factor page. Returns the last response (redirects followed)."""
    from accounts.mfa import second_factor_required
    from accounts.models import User

    user = User.objects.get(username=username)
    if second_factor_required(user):
        second_factor_device(user)
    response = client.post("/login/", {"username": username, "password": password or f"{username}-secret-pass"},
                           follow=True)
    if response.redirect_chain and response.redirect_chain[-1][0].startswith("/account/second-factor/"):
        response = client.post(response.redirect_chain[-1][0], {"otp": totp_code(user)}, follow=True)
    return response
