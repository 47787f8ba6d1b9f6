"""Scheduled work of the accounts app."""
from __future__ import annotations

from django.db import close_old_connections
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from accounts.invitations import invitation_send
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


@app.task(name="staff_invitation_send", queue="notifications",
          retry=RetryStrategy(max_attempts=10, exponential_wait=3))  # waits 3 s, 9 s, 27 s … 5.5 h: ~8 h in all
def staff_invitation_send(*, user_id: int, invited_by_id: int | None) -> None:
    """E-mail a staff invitation (deferred by accounts.invitations.staff_invite in its transaction)."""
    close_old_connections()
    try:
        invitation_send(user_id=user_id, invited_by_id=invited_by_id)
    finally:
        close_old_connections()
