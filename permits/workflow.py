"""The one state machine of applications: a table of transitions, each with roles and guards.

Every change of `Application.status` goes through `transition()`, which locks the row, checks the
expected state, the caller's role and the guards, applies the change, runs the caller's effects in the
same transaction and writes an append-only TransitionEvent.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_portal.api.exceptions import StateConflict
from notifications.services import notify
from permits import avize_hook, links
from permits.choices import ADDRESS_KINDS, AVIZE_KINDS, PERMIT_KINDS, Kind, Status
from permits.models import Application, TransitionEvent

S = Status
APPLICANT, CLERK, CHIEF, ADMIN, SYSTEM = "applicant", "clerk", "chief_architect", "admin", "system"
STAFF = frozenset({CLERK, CHIEF, ADMIN})
ALL_KINDS = tuple(Kind.values)
Guard = Callable[[Application], str | None]  # returns why the transition is blocked, or None


# ---- guards -------------------------------------------------------------------------------------
def returned_never(app: Application) -> str | None:
    return _("Cererea a fost deja returnată o dată pentru completare.") if app.returned_count else None


def fee_paid(app: Application) -> str | None:
    if app.fee_ron and app.fee_ron > 0 and app.paid_at is None:
        return _("Taxa de %(fee)s lei nu a fost plătită.") % {"fee": app.fee_ron}
    return None


def valid_cu_covers_parcels(app: Application) -> str | None:
    if app.kind not in PERMIT_KINDS:
        return None
    from permits.checks import cu_problem

    return cu_problem(cu=app.based_on, parcels=list(app.parcels.all()), on=timezone.localdate())


def avize_resolved(app: Application) -> str | None:
    state = avize_hook.avize_state(app)
    if not state.resolved:
        return state.detail or _("Nu toate cererile de aviz au primit răspuns.")
    return None


def avize_favourable(app: Application) -> str | None:
    if app.kind not in AVIZE_KINDS:
        return None
    state = avize_hook.avize_state(app)
    if not (state.resolved and state.favourable):
        return state.detail or _("Avizele necesare nu sunt toate favorabile sau aprobate tacit.")
    return None


def compliance_ok(app: Application) -> str | None:
    if app.kind not in PERMIT_KINDS or app.compliance_override_reason:
        return None
    failed = failed_compliance_checks(app)
    if failed:
        return _("Verificările de conformitate urbanistică nu sunt îndeplinite (%(checks)s); arhitectul-șef "
                 "poate aproba o derogare motivată în scris.") % {"checks": ", ".join(failed)}
    return None


def failed_compliance_checks(app: Application) -> list[str]:
    """Names of failed checks in the frozen analysis' `compliance` (a dict or a list of checks)."""
    compliance = (app.analysis_result or {}).get("compliance") or {}
    checks = compliance.get("checks", compliance) if isinstance(compliance, dict) else compliance
    failed = []
    items = checks.items() if isinstance(checks, dict) else ((c.get("check") or c.get("name"), c) for c in checks
                                                              if isinstance(c, dict))
    for name, check in items:
        if isinstance(check, dict):
            bad = check.get("status") == "fail" or check.get("ok", check.get("passed")) is False
        else:
            bad = check is False
        if bad:
            failed.append(str(name))
    return failed


def address_in_register(app: Application) -> str | None:
    """An address certificate certifies what the street register says: the parcel needs a building number
    on a street with a name in force (the clerk assigns one first, recorded in the register)."""
    if app.kind not in ADDRESS_KINDS:
        return None
    from addresses.selectors import address_of

    parcel = app.parcels.first()
    if parcel is None or address_of(parcel=parcel) is None:
        return "The parcel has no building number on a current street in the street register."
    return None


def start_term_open(app: Application) -> str | None:
    """Works may start only while the AC/AD is valid (Law 50/1991 art. 7: start within its validity)."""
    from permits.works import start_term_problem

    return start_term_problem(app, timezone.localdate())


def needs_avize(app: Application) -> str | None:
    return None if avize_hook.required_avize(app) else _("Analiza nu cere avize.")


def avize_to_request(app: Application) -> str | None:
    """Asking again is useful only for institutions not asked yet or asked on other documents."""
    if not avize_hook.required_avize(app) or avize_hook.avize_state(app).to_request:
        return None
    return _("Toate instituțiile au fost deja consultate pe documentația actuală.")


# Excavations (permits.excavations): dig once, the restoration guarantee, the start within validity.
def dig_once_resolved(app: Application) -> str | None:
    if app.kind != Kind.EXCAVATION:
        return None
    from permits.excavations import unresolved_conflicts

    return unresolved_conflicts(app)


def has_conflicts(app: Application) -> str | None:
    from permits.excavations import current_conflicts

    return None if current_conflicts(app) else "The excavation overlaps no other works and no moratorium."


def guarantee_paid(app: Application) -> str | None:
    excavation = getattr(app, "excavation", None)
    if excavation is not None and excavation.guarantee_ron and excavation.guarantee_paid_at is None:
        return f"The restoration guarantee of {excavation.guarantee_ron} lei has not been paid."
    return None


def within_validity(app: Application) -> str | None:
    if app.valid_until is not None and timezone.localdate() > app.valid_until:
        return f"The permit expired on {app.valid_until:%d.%m.%Y}; works cannot start after its validity."
    return None


# ---- the table ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (an audited decision such as an override)
    roles: frozenset[str]
    kinds: tuple[str, ...] = ALL_KINDS
    guards: tuple[Guard, ...] = field(default_factory=tuple)
    reason_required: bool = False
    # The decision may be recorded without moving the file (a rejected reception keeps it open).
    may_keep_status: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", (S.DRAFT,), S.SUBMITTED, frozenset({APPLICANT})),
    Transition("accept", (S.SUBMITTED, S.RESUBMITTED), S.IN_REVIEW, STAFF),
    Transition("return_for_completion", (S.SUBMITTED, S.IN_REVIEW), S.RETURNED, STAFF,
               guards=(returned_never,), reason_required=True),
    Transition("resubmit", (S.RETURNED,), S.RESUBMITTED, frozenset({APPLICANT})),
    Transition("request_avize", (S.IN_REVIEW,), S.AVIZE, STAFF, kinds=AVIZE_KINDS,
               guards=(needs_avize, avize_to_request, valid_cu_covers_parcels)),
    Transition("avize_complete", (S.AVIZE,), S.IN_REVIEW, STAFF | {SYSTEM}, kinds=AVIZE_KINDS,
               guards=(avize_resolved,)),
    Transition("override_compliance", (S.IN_REVIEW, S.AVIZE), None, frozenset({CHIEF}), kinds=PERMIT_KINDS,
               reason_required=True),
    # Separation of duties: the clerk checks and prepares, only the chief architect signs and issues.
    Transition("issue", (S.IN_REVIEW,), S.ISSUED, frozenset({CHIEF}),
               guards=(fee_paid, valid_cu_covers_parcels, avize_favourable, compliance_ok, address_in_register,
                       dig_once_resolved)),
    Transition("refuse", (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW, S.AVIZE), S.REFUSED, STAFF,
               reason_required=True),
    Transition("withdraw", (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.RETURNED, S.RESUBMITTED, S.AVIZE), S.WITHDRAWN,
               frozenset({APPLICANT, ADMIN})),
    # Issued acts past their validity, and applications not completed within the term after a return.
    Transition("expire", (S.ISSUED, S.RETURNED), S.EXPIRED, frozenset({SYSTEM, ADMIN})),
    # After the AC/AD (permits.works): the holder's start and end notices, the reception recorded by the
    # issuer's staff (its representative sits on the commission, HG 343/2017); a rejected one keeps it open.
    Transition("announce_start", (S.ISSUED,), S.WORKS_STARTED, frozenset({APPLICANT}), kinds=PERMIT_KINDS,
               guards=(start_term_open,)),
    Transition("announce_end", (S.WORKS_STARTED,), S.WORKS_ENDED, frozenset({APPLICANT}), kinds=PERMIT_KINDS),
    Transition("record_reception", (S.WORKS_ENDED,), S.CLOSED, STAFF, kinds=PERMIT_KINDS, may_keep_status=True),
    # Excavations in the public domain (permits.excavations): dig once, then the works and the restoration.
    Transition("coordinate_conflicts", (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW, S.AVIZE), None, STAFF,
               kinds=(Kind.EXCAVATION,), guards=(has_conflicts,), reason_required=True),
    Transition("excavation_start", (S.ISSUED,), S.WORKS_STARTED, frozenset({APPLICANT}) | STAFF,
               kinds=(Kind.EXCAVATION,), guards=(within_validity, guarantee_paid)),
    Transition("excavation_end", (S.WORKS_STARTED,), S.WORKS_ENDED, frozenset({APPLICANT}) | STAFF,
               kinds=(Kind.EXCAVATION,)),
    Transition("accept_restoration", (S.WORKS_ENDED,), S.CLOSED, STAFF, kinds=(Kind.EXCAVATION,)),
    Transition("reject_restoration", (S.WORKS_ENDED,), None, STAFF, kinds=(Kind.EXCAVATION,),
               reason_required=True),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}
ACTIONS = tuple(BY_ACTION)


def roles_of(user, app: Application) -> set[str]:
    if user is None:
        return {SYSTEM}
    roles: set[str] = set()
    if user.pk == app.owner_id:
        roles.add(APPLICANT)
    if getattr(user, "is_portal_admin", False):
        roles.add(ADMIN)
    if user.role in (CLERK, CHIEF) and app.issuer_id is not None and user.issuer_id == app.issuer_id:
        roles.add(user.role)
        if user.role == CHIEF:
            roles.add(CLERK)  # the chief architect can do everything a clerk of the issuer can
    return roles


def allowed_actions(app: Application, user) -> list[str]:
    """Actions the user may attempt from the current state (guards are checked when acting)."""
    roles = roles_of(user, app)
    return [t.action for t in TRANSITIONS
            if app.status in t.sources and app.kind in t.kinds and roles & t.roles]


def action_states(app: Application, user) -> list[dict]:
    """Each action of `allowed_actions` with whether its guards pass now and, if not, why.

    The guards are the same functions `transition()` runs, so the UI sees exactly the reasons the
    API would answer with; a written reason (`reason_required`) is asked when acting, not checked here.
    """
    roles = roles_of(user, app)
    states = []
    for t in TRANSITIONS:
        if app.status in t.sources and app.kind in t.kinds and roles & t.roles:
            reasons = [p for guard in t.guards if (p := guard(app))]
            states.append({"action": t.action, "allowed": not reasons, "reasons": reasons,
                           "reason_required": t.reason_required})
    return states


def offered_actions(app: Application, user) -> tuple[list[str], dict[str, list[str]]]:
    """What a page offers: the user's actions whose guards pass now, and for each of the user's other
    actions from this state the names of the guards that block it (pages explain them in their language)."""
    roles = roles_of(user, app)
    offered: list[str] = []
    blocked: dict[str, list[str]] = {}
    for t in TRANSITIONS:
        if app.status in t.sources and app.kind in t.kinds and roles & t.roles:
            failing = [guard.__name__ for guard in t.guards if guard(app)]
            if failing:
                blocked[t.action] = failing
            else:
                offered.append(t.action)
    return offered, blocked


def _status(code: str) -> str:
    """A status in the caller's language (the choices carry Romanian labels, translated in the catalogue)."""
    return _(Status(code).label) if code in Status.values else code


def _allowed_from(status: str, kind: str) -> list[str]:
    return [t.action for t in TRANSITIONS if status in t.sources and kind in t.kinds]


@transaction.atomic
def transition(*, application: Application | int, action: str, by, reason: str = "",
               expected_status: str | None = None,
               effects: Callable[[Application], None] | None = None, keep_status: bool = False) -> Application:
    """Apply `action` to the application; raise StateConflict (409), PermissionDenied or ValidationError."""
    spec = BY_ACTION.get(action)
    if spec is None:
        raise ValidationError({"action": [_("Acțiune necunoscută „%(action)s”; una dintre: %(actions)s.")
                                          % {"action": action[:40], "actions": ", ".join(ACTIONS)}]})
    pk = application.pk if isinstance(application, Application) else application
    # The row lock serialises concurrent transitions: the loser re-reads the new state and gets a 409.
    app = Application.objects.select_for_update().get(pk=pk)
    allowed = _allowed_from(app.status, app.kind)
    if expected_status is not None and app.status != expected_status:
        raise StateConflict(_("Cererea este „%(status)s”, nu „%(expected)s”.")
                            % {"status": _status(app.status), "expected": _status(expected_status)}, allowed=allowed)
    if app.status not in spec.sources or app.kind not in spec.kinds:
        raise StateConflict(_("Acțiunea „%(action)s” nu este permisă când cererea este „%(status)s”.")
                            % {"action": action, "status": _status(app.status)}, allowed=allowed)
    if not roles_of(by, app) & spec.roles:
        raise PermissionDenied(_("Rolul dumneavoastră nu permite acțiunea „%(action)s” pentru această cerere.")
                               % {"action": action})
    reason = (reason or "").strip()
    if spec.reason_required and not reason:
        raise ValidationError({"reason": [_("Acțiunea „%(action)s” cere o motivare scrisă.") % {"action": action}]})
    problems = [p for guard in spec.guards if (p := guard(app))]
    if problems:
        raise ValidationError({action: problems})
    if effects is not None:
        effects(app)  # e.g. registration or issuance, in the same transaction as the state change
    before = app.status
    if keep_status and not spec.may_keep_status:
        raise ValidationError({action: [f"Action {action!r} always changes the status."]})
    if spec.target is not None and not keep_status:
        app.status = spec.target
        app.save(update_fields=["status", "updated_at"])
    event = TransitionEvent.objects.create(application=app, action=action, from_status=before,
                                           to_status=app.status, by=by, reason=reason)
    _notify(app, event)
    return app


def _notify(app: Application, event: TransitionEvent) -> None:
    notify(event="application_status_changed", users=[app.owner], email_to=app.applicant_email,
           context={"application_id": app.pk, "application_number": app.registration or f"#{app.pk}",
                    "application_kind": app.get_kind_display(), "action": event.action,
                    "old_status": event.from_status, "old_status_label": Status(event.from_status).label,
                    "new_status": event.to_status, "new_status_label": Status(event.to_status).label,
                    "note": event.reason, "url": links.application_url(app.pk),
                    **(links.act_links(app) if event.to_status == Status.ISSUED else {})},
           idempotency_key=f"permits:event:{event.pk}")

