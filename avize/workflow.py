"""The one state machine of an aviz request: an explicit table of transitions, each writing an audit event.

    sent → viewed → (completion_requested, once → resubmitted)
         → favourable | favourable_with_conditions | unfavourable | tacitly_approved | withdrawn
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from avize.models import AvizEvent, AvizRequest, State
from gis_portal.api.exceptions import StateConflict

_OPEN = frozenset({State.SENT, State.VIEWED, State.RESUBMITTED})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    # Who may trigger it: the institution ("reviewer"), the applicant side ("dossier": owner or
    # issuer staff), or the scheduler ("system", by=None).
    actor: str


TRANSITIONS: dict[str, Transition] = {
    "view": Transition(frozenset({State.SENT}), State.VIEWED, "reviewer"),
    # Only before the first answer and only once: the table has no way back into this state.
    "request_completion": Transition(frozenset({State.SENT, State.VIEWED}), State.COMPLETION_REQUESTED, "reviewer"),
    "resubmit": Transition(frozenset({State.COMPLETION_REQUESTED}), State.RESUBMITTED, "dossier"),
    "answer_favourable": Transition(_OPEN, State.FAVOURABLE, "reviewer"),
    "answer_with_conditions": Transition(_OPEN, State.FAVOURABLE_WITH_CONDITIONS, "reviewer"),
    "answer_unfavourable": Transition(_OPEN, State.UNFAVOURABLE, "reviewer"),
    "tacit_approve": Transition(_OPEN, State.TACITLY_APPROVED, "system"),
    "withdraw": Transition(_OPEN | {State.COMPLETION_REQUESTED}, State.WITHDRAWN, "dossier"),
}


def allowed_actions(state: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if state in t.sources]


def apply(*, request: AvizRequest, action: str, by, now: datetime, reason: str = "",
          fields: dict | None = None) -> AvizEvent:
    """Move a (row-locked) request along the table, set `fields`, save them and write the audit event.

    The caller holds the row lock (select_for_update) so two concurrent answers cannot both pass.
    """
    transition = TRANSITIONS[action]
    if request.state not in transition.sources:
        raise StateConflict(_("Acțiunea „%(action)s” nu este permisă din starea „%(state)s”.") % {"action": action, "state": _(State(request.state).label)},
                            allowed=allowed_actions(request.state))
    from_state = request.state
    request.state = transition.target
    changed = ["state", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(request, name, value)
        changed.append(name)
    request.save(update_fields=changed)
    return record(request=request, action=action, from_state=from_state, by=by, now=now, reason=reason)


def record(*, request: AvizRequest, action: str, from_state: str, by, now: datetime, reason: str = "") -> AvizEvent:
    """Write one audit event (also used for events that do not change the state: reminders, escalations)."""
    return AvizEvent.objects.create(request=request, action=action, from_state=from_state, to_state=request.state,
                                    by=by, reason=reason, dossier_version=request.dossier_version, at=now)
