"""Account lockout: after LOGIN_LOCKOUT_FAILURES failed log-ins for one username from one client address,
that pair is locked for LOGIN_LOCKOUT_SECONDS (both the API token endpoint and the web log-in form).

Counters live in PostgreSQL (`accounts.LoginAttempt`), so every web worker and every server behind a
load balancer sees the same count: a per-process cache would give an attacker N workers × the limit.
Each call is one statement (an upsert that counts, opens a new window when the old one has passed and
sets the lock when the limit is reached), so concurrent failures from one client are all counted.
Rows are keyed by a hash of (username, address), so neither is stored. Per pair, not per username:
someone guessing passwords cannot lock the real user out from elsewhere.
"""
from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import connection


def _digest(username: str, address: str) -> str:
    return hashlib.sha256(f"{username.strip().lower()}\x00{address}".encode()).hexdigest()


def login_is_locked(*, username: str, address: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM accounts_loginattempt WHERE digest = %s AND locked_until > now()",
                       [_digest(username, address)])
        return cursor.fetchone() is not None


_STALE = "a.window_start <= now() - %(window)s * interval '1 second'"
_COUNT = f"CASE WHEN {_STALE} THEN 1 ELSE a.failures + 1 END"
_RECORD_FAILURE = f"""
    INSERT INTO accounts_loginattempt AS a (digest, failures, window_start, locked_until)
    VALUES (%(digest)s, 1, now(), CASE WHEN %(limit)s <= 1 THEN now() + %(window)s * interval '1 second' END)
    ON CONFLICT (digest) DO UPDATE SET
        failures = {_COUNT},
        window_start = CASE WHEN {_STALE} THEN now() ELSE a.window_start END,
        locked_until = CASE WHEN {_COUNT} >= %(limit)s THEN now() + %(window)s * interval '1 second'
                            ELSE a.locked_until END
    RETURNING a.failures
"""


def login_failure_record(*, username: str, address: str) -> int:
    """Count one failed log-in; lock the pair when the limit is reached. Returns the failure count
    within the current window (failures older than LOGIN_LOCKOUT_SECONDS are forgotten)."""
    params: dict[str, Any] = {"digest": _digest(username, address), "limit": settings.LOGIN_LOCKOUT_FAILURES,
                              "window": settings.LOGIN_LOCKOUT_SECONDS}
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_FAILURE, params)
        return cursor.fetchone()[0]


def login_success_record(*, username: str, address: str) -> None:
    """A successful log-in (only possible while not locked) forgets the pair's failures."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_loginattempt WHERE digest = %s "
                       "AND (locked_until IS NULL OR locked_until <= now())", [_digest(username, address)])


def login_attempts_prune() -> int:
    """Delete the rows whose window and lock have both passed; returns how many."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_loginattempt WHERE window_start <= now() - %s * interval '1 second' "
                       "AND (locked_until IS NULL OR locked_until <= now())", [settings.LOGIN_LOCKOUT_SECONDS])
        return cursor.rowcount
