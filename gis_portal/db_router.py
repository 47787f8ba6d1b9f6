"""Reads that may be a little stale go to PostgreSQL streaming replicas (`DATABASE_REPLICA_URLS`).

Explicit opt-in: only a view wrapped in `replica_reads` (tiles, OGC API, parcel look-ups and lists,
search, layer lists, public registers, analyses of unsaved geometry — whose Analysis row is still
written to the primary, like every write) may read from a replica; every other read, every write, every
read inside a transaction (`atomic`), authentication data (users, sessions, API tokens: a log-out or a
revoked token must hold at once), background jobs and management commands use the primary.

Within an eligible request the replica is chosen once (so the request sees one snapshot source) and
only if it is healthy: in recovery, its WAL receiver streaming from the primary (pg_stat_wal_receiver) and
heard from within `REPLICA_MAX_SILENCE_SECONDS`, lagging at most `REPLICA_MAX_LAG_SECONDS`; checked at
most every `REPLICA_CHECK_SECONDS` per process. A replica that cannot be reached is skipped; one that fails during
the request (stopped, connection lost) is marked down and the view runs again on the primary, so no
error reaches the user. A client that has just written (any non-safe request, `ReplicaPinMiddleware`)
carries a signed cookie and reads from the primary for `REPLICA_PIN_SECONDS` (read-your-writes).
"""
from __future__ import annotations

import functools
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.signing import BadSignature
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

PIN_COOKIE = "replica_pin"
_PIN_SALT = "gis_portal.db_router.pin"
# Always the primary: credentials and sessions must be current (a revoked token must not live on in a replica).
PRIMARY_ONLY_APPS = frozenset({"auth", "authtoken", "sessions", "accounts"})
# One row: in recovery; lag in seconds (0 when everything received has been replayed, else the age of
# the last replayed commit); the WAL receiver's pid (NULL: no receiver running), its status and the
# seconds since its last message from the primary. A role without pg_read_all_stats (pg_monitor) sees
# the receiver's pid but NULL status and time: then a running receiver is all the probe can know.
STATUS_SQL = """
    SELECT pg_is_in_recovery(),
           CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END,
           r.pid, r.status, EXTRACT(EPOCH FROM now() - r.last_msg_receipt_time)
    FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS r ON true
"""


@dataclass(frozen=True)
class ReplicaStatus:
    in_recovery: bool
    lag: float  # seconds
    receiving: bool  # a WAL receiver runs and (when visible) is streaming
    silence: float | None  # seconds since the primary's last message (None: not visible to this role)

    def usable(self) -> bool:
        """In recovery, receiving from the primary, heard from it lately, and not too far behind.
        A replica whose receiver is down looks caught up (it replayed all it received) while the
        primary moves on: it is skipped. The primary sends a keep-alive at least every
        wal_sender_timeout / 2 (30 s by default), hence a separate silence limit."""
        return (self.in_recovery and self.receiving and self.lag <= settings.REPLICA_MAX_LAG_SECONDS
                and (self.silence is None or self.silence <= settings.REPLICA_MAX_SILENCE_SECONDS))


@dataclass
class _Request:
    alias: str | None = None  # chosen on the first read


_current: ContextVar[_Request | None] = ContextVar("replica_request", default=None)
_health: dict[str, tuple[float, bool]] = {}  # alias -> (checked at, usable), per process
_health_lock = threading.Lock()
_turn = itertools.count()


def replicas() -> list[str]:
    return list(getattr(settings, "REPLICA_DATABASES", []))


def mark_down(alias: str) -> None:
    with _health_lock:
        _health[alias] = (time.monotonic(), False)


def forget_health() -> None:
    """Check every replica again on its next use (tests, after changing the lag limit)."""
    with _health_lock:
        _health.clear()


def replica_status(alias: str) -> ReplicaStatus:
    """The replica's recovery, lag and WAL receiver (pg_stat_wal_receiver); raises DatabaseError when it
    cannot be reached."""
    with connections[alias].cursor() as cursor:
        cursor.execute(STATUS_SQL)
        in_recovery, lag, pid, status, silence = cursor.fetchone()
    return ReplicaStatus(bool(in_recovery), float(lag), pid is not None and status in (None, "streaming"),
                         None if silence is None else float(silence))


def replica_lag(alias: str) -> tuple[bool, float]:
    """(in recovery, lag in seconds) of a replica; raises DatabaseError when it cannot be reached."""
    state = replica_status(alias)
    return state.in_recovery, state.lag


def _probe(alias: str) -> bool:
    try:
        return replica_status(alias).usable()
    except DatabaseError:
        _close(connections[alias])
        return False


def _healthy(alias: str) -> bool:
    now = time.monotonic()
    with _health_lock:
        state = _health.get(alias)
    if state is not None and now - state[0] < settings.REPLICA_CHECK_SECONDS:
        return state[1]
    usable = _probe(alias)
    with _health_lock:
        _health[alias] = (now, usable)
    return usable


def _choose() -> str:
    names = replicas()
    start = next(_turn)
    for i in range(len(names)):
        alias = names[(start + i) % len(names)]
        if _healthy(alias):
            connections[alias].errors_occurred = False  # errors from now on are this request's
            return alias
    return DEFAULT_DB_ALIAS


def read_alias() -> str:
    """The database alias the current code should read from."""
    state = _current.get()
    if state is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    if state.alias is None:
        state.alias = _choose() if replicas() else DEFAULT_DB_ALIAS
    return state.alias


def read_connection() -> BaseDatabaseWrapper:
    """The connection for raw-SQL reads (`read_connection().cursor()`), routed like the ORM's reads."""
    return connections[read_alias()]


class ReplicaRouter:
    """Django database router: see the module documentation."""

    def db_for_read(self, model, **hints) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # replicas are copies of the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def _close(connection: BaseDatabaseWrapper) -> None:
    try:
        connection.close()
    except DatabaseError:
        connection.connection = None  # already broken: drop it, the next use reconnects


@contextmanager
def replica_context() -> Iterator[_Request]:
    """Reads in this block may go to a replica (no retry: `replica_reads` adds that for views)."""
    state = _Request()
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


def pinned(request: HttpRequest) -> bool:
    """Whether this client wrote within REPLICA_PIN_SECONDS (then it reads from the primary)."""
    try:
        return request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT,
                                         max_age=settings.REPLICA_PIN_SECONDS) is not None
    except BadSignature:
        return False


def _failed_replica(state: _Request) -> str | None:
    """The replica this request read from, if it failed during the request."""
    alias = state.alias
    if alias is None or alias == DEFAULT_DB_ALIAS or not connections[alias].errors_occurred:
        return None
    return alias


def replica_reads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a read-only view as one that may read a little stale data from a replica.

    When the replica fails during the view (its error raised, or turned into an answer such as a 503
    by an exception handler), the replica is marked down and the view runs again on the primary.
    """
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.replica_reads = True  # type: ignore[attr-defined]  # (ReplicaPinMiddleware: no pin)
        if not replicas() or pinned(request):
            return view(request, *args, **kwargs)
        with replica_context() as state:
            try:
                response = view(request, *args, **kwargs)
                failed = _failed_replica(state)
            except DatabaseError:
                failed = _failed_replica(state)
                if failed is None:
                    raise
            else:
                if failed is None:
                    return response
            mark_down(failed)
            _close(connections[failed])
        return view(request, *args, **kwargs)  # on the primary

    return wrapped


class ReplicaPinMiddleware:
    """After any non-safe request, the client reads from the primary for REPLICA_PIN_SECONDS — except
    one served by a `replica_reads` view (an analysis: it writes only its own row, always read from
    the primary), so a client's next analysis may still use a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (replicas() and request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
                and not getattr(request, "replica_reads", False)):
            response.set_signed_cookie(
                PIN_COOKIE, str(int(time.time())), salt=_PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
