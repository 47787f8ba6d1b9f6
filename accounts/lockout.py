"""Account lockout: after LOGIN_LOCKOUT_FAILURES failed log-ins for one username from one client address,
that pair is locked for LOGIN_LOCKOUT_SECONDS (both the API token endpoint and the web log-in form).

Counters live in the cache, keyed by a hash of (username, address) so neither appears in cache keys.
Per pair, not per username: someone guessing passwords cannot lock the real user out from elsewhere.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The client's address; behind a trusted proxy (BEHIND_PROXY) the first X-Forwarded-For hop."""
    if request is None:
        return "-"
    meta = request.META
    if settings.SECURE_PROXY_SSL_HEADER and meta.get("HTTP_X_FORWARDED_FOR"):
        return meta["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()
    return meta.get("REMOTE_ADDR", "-")


def _key(kind: str, username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}\x00{address}".encode()).hexdigest()
    return f"login-{kind}:{digest}"


def login_is_locked(*, username: str, address: str) -> bool:
    return bool(cache.get(_key("locked", username, address)))


def login_failure_record(*, username: str, address: str) -> int:
    """Count one failed log-in; lock the pair when the limit is reached. Returns the failure count."""
    key = _key("failures", username, address)
    window = settings.LOGIN_LOCKOUT_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        failures = 1
    if failures >= settings.LOGIN_LOCKOUT_FAILURES:
        cache.set(_key("locked", username, address), 1, timeout=window)
        cache.delete(key)
    return failures


def login_success_record(*, username: str, address: str) -> None:
    cache.delete(_key("failures", username, address))
