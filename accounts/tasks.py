"""Scheduled work of the accounts app."""
from __future__ import annotations

from accounts.lockout import login_attempts_prune
from gis_portal import ratelimit
from gis_portal.tasks import periodic


@periodic(name="counters_prune", cron="23 * * * *")
def prune_counters() -> None:
    """Forget the log-in failures whose window and lock have passed and the rate-limit counters of
    clients not seen for an hour (hourly)."""
    login_attempts_prune()
    ratelimit.prune()
