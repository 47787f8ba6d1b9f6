"""Scheduled work of the accounts app."""
from __future__ import annotations

from accounts.lockout import login_attempts_prune
from accounts.sessions import sessions_prune
from gis_portal import ratelimit
from gis_portal.tasks import periodic


@periodic(name="counters_prune", cron="23 * * * *")
def prune_counters() -> None:
    """Forget the log-in failures whose window and lock have passed, the rate-limit counters of
    clients not seen for an hour and the registry rows of sessions past their lifetime (hourly)."""
    login_attempts_prune()
    sessions_prune()
    ratelimit.prune()
