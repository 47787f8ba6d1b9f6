"""Who works on a request: automatic assignment at registration by the issuer's policy, assignment by hand
by the head of the urbanism department (the issuer's chief architect), and leave moving open work.

Every change of `Application.assigned_to` is written to the application's audit trail as a
TransitionEvent with action "assign" (status unchanged, `assigned_from` → `assigned_to`, who, when, why).
Concurrent registrations of one issuer take turns on its AssignmentPolicy row (SELECT … FOR UPDATE), so
round robin and least-open work never give two requests the same turn.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Leave, User
from parcels.models import Locality
from permits.choices import Status
from permits.models import Application, AssignmentPolicy, AssignmentRule, TransitionEvent

# Work a clerk holds: registered and not decided (returned requests come back to the same clerk).
OPEN_WORK = (Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED, Status.AVIZE, Status.RETURNED)
ASSIGN = "assign"
Policy = AssignmentPolicy.Kind


def is_head(user, issuer_id: int | None) -> bool:
    """The head of an issuer's urbanism department: its chief architect (or a portal admin)."""
    if user is None or not user.is_authenticated or issuer_id is None:
        return False
    return user.is_portal_admin or (user.role == User.Role.CHIEF_ARCHITECT and user.issuer_id == issuer_id)


def require_head(user, issuer_id: int | None) -> None:
    if not is_head(user, issuer_id):
        raise PermissionDenied(_("Doar arhitectul-șef al emitentului repartizează cererile."))


def clerks_of(issuer_id: int) -> QuerySet[User]:
    return User.objects.filter(role=User.Role.CLERK, issuer_id=issuer_id, is_active=True).order_by("id")


def absent_ids(issuer_id: int, on: date) -> set[int]:
    return set(Leave.objects.filter(user__issuer_id=issuer_id, start__lte=on, end__gte=on)
               .values_list("user_id", flat=True))


def open_counts(issuer_id: int) -> dict[int, int]:
    """Open requests per assigned clerk of the issuer."""
    rows = (Application.objects.filter(issuer_id=issuer_id, status__in=OPEN_WORK, assigned_to__isnull=False)
            .values("assigned_to").annotate(n=Count("id")).values_list("assigned_to", "n"))
    return dict(rows)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold().strip()


def locality_of(app: Application) -> Locality | None:
    """The locality of a request: the one of its UAT named last in a parcel's address ("…, Sat X"),
    else the seat of the UAT (the cadastre holds no locality boundaries)."""
    if app.uat_id is None:
        return None
    localities = list(Locality.objects.filter(uat_id=app.uat_id))
    by_name = {_fold(loc.name): loc for loc in localities}
    for address in app.parcels.order_by("id").values_list("address", flat=True):
        found = by_name.get(_fold(address.rsplit(",", 1)[-1])) if address else None
        if found is not None:
            return found
    return next((loc for loc in localities if loc.is_seat), None)


def _locked_policy(issuer_id: int) -> AssignmentPolicy:
    AssignmentPolicy.objects.bulk_create([AssignmentPolicy(issuer_id=issuer_id)], ignore_conflicts=True)
    return AssignmentPolicy.objects.select_for_update().get(issuer_id=issuer_id)


def _mapped_clerk(policy: AssignmentPolicy, app: Application) -> int | None:
    if policy.kind == Policy.BY_UAT:
        where = Q(uat_id=app.uat_id)
    else:
        locality = locality_of(app)
        if locality is None:
            return None
        where = Q(locality_id=locality.pk)
    return (AssignmentRule.objects.filter(where, issuer_id=policy.issuer_id)
            .values_list("clerk_id", flat=True).first())


def _choose(policy: AssignmentPolicy, app: Application, candidates: list[int]) -> int:
    if policy.kind in (Policy.BY_UAT, Policy.BY_LOCALITY):
        mapped = _mapped_clerk(policy, app)
        if mapped is not None and mapped in candidates:
            return mapped
        # Unmapped place, or its clerk is absent: the least loaded of the others.
    if policy.kind == Policy.ROUND_ROBIN:
        last = policy.last_assigned_id or 0
        return next((c for c in candidates if c > last), candidates[0])
    loads = open_counts(policy.issuer_id)
    return min(candidates, key=lambda c: (loads.get(c, 0), c))


def _record(app: Application, to: User | None, *, by, reason: str) -> TransitionEvent:
    event = TransitionEvent.objects.create(application=app, action=ASSIGN, from_status=app.status,
                                           to_status=app.status, by=by, reason=reason,
                                           assigned_from_id=app.assigned_to_id, assigned_to=to)
    app.assigned_to = to
    app.save(update_fields=["assigned_to", "updated_at"])
    return event


@transaction.atomic
def assign_auto(*, application: Application, by=None, on: date | None = None, reason: str = "",
                exclude: tuple[int, ...] = ()) -> User | None:
    """Give the request to a clerk of its issuer by the issuer's policy (absent clerks and `exclude`
    skipped); None when no clerk is available (the request stays with whom it had)."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.issuer_id is None:
        return None
    on = on or timezone.localdate()
    policy = _locked_policy(app.issuer_id)
    away = absent_ids(app.issuer_id, on) | set(exclude)
    candidates = [c for c in clerks_of(app.issuer_id).values_list("id", flat=True) if c not in away]
    if not candidates:
        return None
    clerk_id = _choose(policy, app, candidates)
    if policy.kind == Policy.ROUND_ROBIN:
        policy.last_assigned_id = clerk_id
        policy.save(update_fields=["last_assigned"])
    clerk = User.objects.get(pk=clerk_id)
    with translation.override("ro"):  # the audit trail keeps Romanian text, like the other reasons
        reason = reason or _("Repartizare automată: %(policy)s.") % {"policy": Policy(policy.kind).label}
    _record(app, clerk, by=by, reason=reason)
    application.assigned_to = clerk
    return clerk


@transaction.atomic
def assign_by_hand(*, application: Application, to: User, by, reason: str) -> TransitionEvent:
    """The head of the department gives the request to one of the issuer's clerks, with a written reason."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    require_head(by, app.issuer_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Scrieți motivul repartizării.")]})
    if app.status not in OPEN_WORK:
        raise ValidationError({"assigned_to": [_("Doar cererile în lucru se pot repartiza.")]})
    if not (to.is_active and to.is_issuer_staff and to.issuer_id == app.issuer_id):
        raise ValidationError({"assigned_to": [_("Alegeți un funcționar al emitentului.")]})
    if to.pk == app.assigned_to_id:
        raise ValidationError({"assigned_to": [_("Cererea este deja repartizată acestei persoane.")]})
    if app.issuer_id is not None and to.pk in absent_ids(app.issuer_id, timezone.localdate()):
        raise ValidationError({"assigned_to": [_("Persoana aleasă este în concediu.")]})
    event = _record(app, to, by=by, reason=reason)
    application.assigned_to = to
    return event


@transaction.atomic
def policy_set(*, issuer_id: int, kind: str, by) -> AssignmentPolicy:
    require_head(by, issuer_id)
    if kind not in Policy.values:
        raise ValidationError({"kind": [_("Alegeți o regulă de repartizare.")]})
    policy = _locked_policy(issuer_id)
    policy.kind, policy.updated_by = kind, by
    policy.save(update_fields=["kind", "updated_by", "updated_at"])
    return policy


@transaction.atomic
def rule_set(*, issuer_id: int, clerk: User, by, uat_id: int | None = None,
             locality_id: int | None = None) -> AssignmentRule:
    """Map a UAT or a locality of the issuer to one of its clerks (replacing that place's line)."""
    require_head(by, issuer_id)
    if not (clerk.role == User.Role.CLERK and clerk.issuer_id == issuer_id and clerk.is_active):
        raise ValidationError({"clerk": [_("Alegeți un funcționar al emitentului.")]})
    if (uat_id is None) == (locality_id is None):
        raise ValidationError({"place": [_("Alegeți un UAT sau o localitate.")]})
    where = {"uat_id": uat_id} if uat_id is not None else {"locality_id": locality_id}
    rule, _created = AssignmentRule.objects.update_or_create(issuer_id=issuer_id, **where,
                                                             defaults={"clerk": clerk})
    return rule


@transaction.atomic
def rule_delete(*, rule: AssignmentRule, by) -> None:
    require_head(by, rule.issuer_id)
    rule.delete()


@transaction.atomic
def leave_record(*, user: User, start: date, end: date, by, reason: str = "") -> tuple[Leave, int]:
    """Record a clerk's leave; if it has begun, their open requests go to the others now (the periodic
    `assignment_leaves` task moves them on the first day of a leave recorded in advance)."""
    require_head(by, user.issuer_id)
    if not user.is_issuer_staff:
        raise ValidationError({"user": [_("Alegeți un funcționar al emitentului.")]})
    if end < start:
        raise ValidationError({"end": [_("Ultima zi de concediu nu poate fi înaintea primei.")]})
    leave = Leave.objects.create(user=user, start=start, end=end, reason=reason.strip()[:200], recorded_by=by)
    today = timezone.localdate()
    moved = leave_redistribute(user=user, by=by, on=today) if start <= today <= end else 0
    return leave, moved


@transaction.atomic
def leave_delete(*, leave: Leave, by) -> None:
    require_head(by, leave.user.issuer_id)
    leave.delete()


def leave_redistribute(*, user: User, by, on: date) -> int:
    """Move the open requests of an absent clerk to the others by the issuer's policy; how many moved."""
    leave = Leave.objects.filter(user=user, start__lte=on, end__gte=on).order_by("end").last()
    with translation.override("ro"):
        reason = (_("Concediu %(start)s – %(end)s: repartizare automată.")
                  % {"start": leave.start.isoformat(), "end": leave.end.isoformat()} if leave else "")
    moved = 0
    for app in Application.objects.filter(assigned_to=user, status__in=OPEN_WORK).order_by("due_date", "id"):
        if assign_auto(application=app, by=by, on=on, reason=reason, exclude=(user.pk,)) is not None:
            moved += 1
    return moved


def leaves_apply(*, on: date) -> int:
    """Clerks on leave `on` who still hold open requests hand them over (idempotent; daily task)."""
    holders = (User.objects.filter(leaves__start__lte=on, leaves__end__gte=on,
                                   assigned_applications__status__in=OPEN_WORK).distinct())
    return sum(leave_redistribute(user=u, by=None, on=on) for u in holders)


_AUTO = re.compile(r"^Repartizare automată: (?P<policy>.+)\.$")
_LEAVE = re.compile(r"^Concediu (?P<start>\d{4}-\d{2}-\d{2}) – (?P<end>\d{4}-\d{2}-\d{2}): repartizare automată\.$")


def reason_shown(event: TransitionEvent) -> str:
    """The reason of an event in the reader's language: the automatic assignments' reasons are stored in
    Romanian (the audit trail's language) and said again through gettext; any other reason as written."""
    if event.action != ASSIGN or event.by_id is not None:
        return event.reason
    if m := _AUTO.match(event.reason):
        label = next((label for _k, label in Policy.choices if label == m["policy"]), m["policy"])
        return _("Repartizare automată: %(policy)s.") % {"policy": _(label)}
    if m := _LEAVE.match(event.reason):
        return _("Concediu %(start)s – %(end)s: repartizare automată.") % {"start": m["start"], "end": m["end"]}
    return event.reason
