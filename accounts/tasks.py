"""Scheduled work of the accounts app."""
from __future__ import annotations

from accounts.lockout import login_attempts_prune
from gis_portal import ratelimit
from gis_portal.tasks import periodic


@periodic(name="login_attempts_prune", cron="23 * * * *")
def prune_login_attempts() -> None:
    """Forget failed log-ins whose window and lock have passed (hourly)."""
    login_attempts_prune()


@periodic(name="rate_limits_prune", cron="41 * * * *")
def prune_rate_limits() -> None:
    """Forget the rate-limit counters of clients not seen for an hour (hourly)."""
    ratelimit.prune()
