"""Moving an application out of (or back into) the avize stage, only through permits' state machine."""
from __future__ import annotations

from avize.selectors import avize_status_for
from permits.choices import Status
from permits.workflow import transition


def maybe_complete_stage(application, *, by) -> None:
    """When every live request is resolved, ask permits to leave the avize stage (its guard re-checks).

    Runs inside the caller's transaction: the last answer and the stage change commit together.
    """
    application.refresh_from_db(fields=["status"])
    if application.status != Status.AVIZE or not avize_status_for(application)["resolved"]:
        return
    # by=None is the system role: the stage ends because the last institution answered (or the
    # deadline made the aviz tacit), not because somebody decided it.
    transition(application=application, action="avize_complete", by=None,
               reason="Toate avizele au fost primite sau aprobate tacit.")


def reopen_stage(application, *, by) -> None:
    """New requests after the stage ended (re-consultation): the application waits for them again."""
    application.refresh_from_db(fields=["status"])
    if application.status == Status.IN_REVIEW:
        transition(application=application, action="request_avize", by=by,
                   reason="Reconsultarea instituțiilor după modificarea documentației.")
