"""Writes of the avize app: send requests, view, ask for completion (once), resubmit, answer, withdraw,
re-consult after a dossier change, and the scheduled tick (reminders, tacit approval, escalation).

Every function is keyword-only, atomic, locks the request row it changes, moves it only through
avize.workflow, and tells the people concerned through notifications in the same transaction.
"""
from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from avize import notify, workflow
from avize.models import AvizRequest, State
from avize.scheduling import TACIT_LEGAL_BASIS, avize_tick  # noqa: F401  (re-exported)
from avize.stage import maybe_complete_stage, reopen_stage
from gis_portal.api.exceptions import StateConflict
from institutions.models import Institution
from workdays import calendar

# OUG 31/2025: 15 days at the authorisation stage unless the institution is configured otherwise.
DEFAULT_RESPONSE_DAYS = 15
ANSWER_OUTCOMES = (State.FAVOURABLE, State.FAVOURABLE_WITH_CONDITIONS, State.UNFAVOURABLE)


def due_date_for(*, institution: Institution, start: date) -> tuple[date, str]:
    """The answer deadline from the permits legal calendar: calendar days (a term ending on a closed
    day moves to the next working day), except ISU (fire), which counts working days."""
    days = institution.response_days or DEFAULT_RESPONSE_DAYS
    if getattr(institution, "response_working_days", False) or institution.kind == Institution.Kind.FIRE:
        return calendar.add_working_days(start, days).due, f"{days} working days"
    return calendar.add_calendar_days(start, days).due, f"{days} days"


def _can_act_for_institution(user: User, request: AvizRequest) -> bool:
    return user.is_portal_admin or (user.role == User.Role.REVIEWER and user.institution_id == request.institution_id)


def _can_act_for_dossier(user: User, request: AvizRequest) -> bool:
    application = request.application
    return (user.is_portal_admin or application.owner_id == user.pk
            or (user.is_issuer_staff and user.issuer_id == application.issuer_id))


def _locked(request: AvizRequest) -> AvizRequest:
    return AvizRequest.objects.select_for_update().select_related("application", "institution").get(pk=request.pk)


def _shared_documents(application) -> list[dict]:
    return [{"id": d.pk, "doc_type": d.doc_type, "name": d.original_name, "sha256": d.sha256}
            for d in application.documents.all()]


def current_dossier_version(application) -> int:
    latest = application.aviz_requests.order_by("-dossier_version").values_list("dossier_version", flat=True).first()
    return latest or 1


def _create_request(*, application, institution: Institution, reasons: list, version: int, by,
                    now: datetime, event: str, replaces: AvizRequest | None = None,
                    documents: list[dict] | None = None, batch: list | None = None) -> AvizRequest:
    due, rule = due_date_for(institution=institution, start=timezone.localdate(now))
    if documents is None:
        documents = _shared_documents(application)
    request = AvizRequest.objects.create(application=application, institution=institution, reasons=reasons,
                                         documents=documents, dossier_version=version,
                                         due_date=due, due_rule=rule, replaces=replaces, sent_at=now)
    audit = workflow.record(request=request, action="send", from_state="", by=by, now=now,
                            reason=f"dossier v{version}")
    if batch is not None:  # the caller notifies every request at once (notify.requests_sent)
        batch.append((request, audit))
        return request
    notify.institution_asked(request, event=event, event_id=audit.pk)
    notify.state_changed(request, audit=audit)
    return request


@transaction.atomic
def aviz_requests_create_for(*, application, by: User | None, now: datetime | None = None) -> list[AvizRequest]:
    """Ask every institution required by the frozen analysis at once (OUG 31/2025: simultaneously).

    Idempotent for an unchanged dossier: institutions with a live request are not asked twice. If the
    shared documents changed since they were asked (the application went back for completion and
    came here again), those institutions are re-consulted on a new dossier version.
    """
    now = now or timezone.now()
    required = (application.analysis_result or {}).get("required_avize") or []
    by_id: dict[int, list] = {}
    for item in required:
        inst = item.get("institution") or {}
        if inst.get("id") is None:
            raise ValidationError({"analysis_result": f"required_avize item without institution id: {item!r}"})
        by_id.setdefault(int(inst["id"]), []).extend(item.get("reasons") or [])
    institutions = Institution.objects.in_bulk(list(by_id))
    missing = sorted(set(by_id) - set(institutions))
    if missing:
        raise ValidationError({"analysis_result": f"unknown institutions {missing}"})
    live = {r.institution_id: r for r in application.aviz_requests.select_for_update().filter(live=True)}
    documents = _shared_documents(application)
    changed = [r for pk, r in sorted(live.items())
               if pk in by_id and r.state != State.WITHDRAWN and _fingerprint(r.documents) != _fingerprint(documents)]
    next_version = current_dossier_version(application) + 1  # one new version for the whole change
    created = [_replace(old, reasons=by_id[old.institution_id], version=next_version, by=by, now=now,
                        reason="documentația a fost modificată") for old in changed]
    version = current_dossier_version(application)
    batch: list = []
    created += [
        _create_request(application=application, institution=institutions[pk], reasons=by_id[pk], version=version,
                        by=by, now=now, event="aviz_requested", documents=documents, batch=batch)
        for pk in sorted(by_id) if pk not in live
    ]
    notify.requests_sent(batch)
    return created


def _fingerprint(documents: list[dict]) -> set[str]:
    return {d["sha256"] for d in documents}


def _replace(old: AvizRequest, *, reasons: list, version: int, by, now: datetime, reason: str) -> AvizRequest:
    """Replace a live request by one for a new dossier version (withdrawing it first if still open)."""
    if not old.is_final:
        aviz_withdraw(request=old, by=None, reason=f"re-consultation: {reason}", now=now)
        old.refresh_from_db()
    # The old request leaves the live set (and its unique index) before its successor is created.
    old.live = False
    old.save(update_fields=["live", "updated_at"])
    return _create_request(application=old.application, institution=old.institution, reasons=reasons,
                           version=version, by=by, now=now, event="aviz_requested", replaces=old)


@transaction.atomic
def aviz_view(*, request: AvizRequest, by: User, now: datetime | None = None) -> AvizRequest:
    """First opening by the institution: the applicant learns the dossier is being read."""
    request = _locked(request)
    if request.state != State.SENT or by.role != User.Role.REVIEWER or not _can_act_for_institution(by, request):
        return request  # only an institution's first look is a state change; others just read
    now = now or timezone.now()
    audit = workflow.apply(request=request, action="view", by=by, now=now, fields={"viewed_at": now})
    notify.state_changed(request, audit=audit)
    return request


@transaction.atomic
def aviz_completion_request(*, request: AvizRequest, by: User, text: str, now: datetime | None = None) -> AvizRequest:
    """The single reasoned request for completions the law allows; it stops the institution's clock."""
    request = _locked(request)
    if not _can_act_for_institution(by, request):
        raise PermissionDenied(_("Numai instituția solicitată poate cere completări."))
    if request.completion_requested_at is not None:
        raise StateConflict(_("Completările se pot cere o singură dată (OUG 31/2025)."),
                            allowed=workflow.allowed_actions(request.state))
    if not (text or "").strip():
        raise ValidationError({"text": _("Cererea de completare trebuie să spună ce lipsește.")})
    now = now or timezone.now()
    audit = workflow.apply(request=request, action="request_completion", by=by, now=now, reason=text,
                           fields={"completion_requested_at": now, "completion_request_text": text.strip()})
    notify.state_changed(request, audit=audit)
    return request


@transaction.atomic
def aviz_completion_document_add(*, request: AvizRequest, by: User, doc_type: str, upload):
    """A document the institution asked for: it joins the application's dossier while the request
    waits for completions (the only time the dossier may change during the avize stage);
    `aviz_resubmit` then sends the new dossier version to this institution alone."""
    from permits.services import document_store

    request = _locked(request)
    if not _can_act_for_dossier(by, request):
        raise PermissionDenied(_("Numai solicitantul sau personalul emitentului poate completa dosarul."))
    if request.state != State.COMPLETION_REQUESTED:
        raise StateConflict(_("În etapa avizelor se adaugă documente numai când o instituție a cerut completări."), allowed=workflow.allowed_actions(request.state))
    return document_store(application=request.application, by=by, doc_type=doc_type, upload=upload)


@transaction.atomic
def aviz_resubmit(*, request: AvizRequest, by: User, note: str = "", now: datetime | None = None) -> AvizRequest:
    """The applicant (or the clerk) completed the dossier: a new dossier version goes to this institution
    alone (the others keep judging the version they were sent) and its clock restarts in full."""
    request = _locked(request)
    if not _can_act_for_dossier(by, request):
        raise PermissionDenied(_("Numai solicitantul sau personalul emitentului poate retrimite dosarul."))
    documents = _shared_documents(request.application)
    if request.state == State.COMPLETION_REQUESTED and _fingerprint(documents) == _fingerprint(request.documents):
        raise ValidationError({"documents": _("Încărcați documentele cerute de instituție înainte de a trimite completarea: dosarul nu s-a schimbat.")})
    now = now or timezone.now()
    due, rule = due_date_for(institution=request.institution, start=timezone.localdate(now))
    audit = workflow.apply(request=request, action="resubmit", by=by, now=now, reason=note,
                           fields={"resubmitted_at": now, "due_date": due, "due_rule": rule, "documents": documents,
                                   "dossier_version": current_dossier_version(request.application) + 1})
    notify.institution_asked(request, event="aviz_resubmitted", event_id=audit.pk)
    notify.state_changed(request, audit=audit)
    return request


def _clean_conditions(outcome: str, conditions: list[str] | None) -> list[str]:
    cleaned = [" ".join(str(c).split()) for c in (conditions or [])]
    if any(not c for c in cleaned):
        raise ValidationError({"conditions": _("O condiție nu poate fi goală.")})
    if outcome == State.FAVOURABLE_WITH_CONDITIONS and not cleaned:
        raise ValidationError({"conditions": _("Un aviz favorabil cu condiții trebuie să aibă cel puțin o condiție.")})
    if outcome == State.FAVOURABLE and cleaned:
        raise ValidationError({"conditions": _("Un aviz favorabil nu are condiții; alegeți „favorabil cu condiții”.")})
    return cleaned


@transaction.atomic
def aviz_answer(*, request: AvizRequest, by: User, outcome: str, conditions: list[str] | None = None,
                text: str = "", number: str = "", dossier_version: int | None = None,
                now: datetime | None = None) -> AvizRequest:
    """The institution's answer, with its conditions, rendered as a signed PDF in the same transaction."""
    request = _locked(request)
    if not _can_act_for_institution(by, request):
        raise PermissionDenied(_("Numai instituția solicitată poate răspunde."))
    if outcome not in ANSWER_OUTCOMES:
        raise ValidationError({"outcome": _("Răspuns necunoscut; unul dintre: %(outcomes)s.") % {"outcomes": ", ".join(ANSWER_OUTCOMES)}})
    cleaned = _clean_conditions(outcome, conditions)
    if outcome == State.UNFAVOURABLE and not (text or "").strip():
        raise ValidationError({"text": _("Un aviz nefavorabil trebuie motivat.")})
    if dossier_version is not None and dossier_version != request.dossier_version:
        raise ValidationError({"dossier_version": _("Cererea privește versiunea %(version)s a dosarului, nu %(given)s.")
                                                  % {"version": request.dossier_version, "given": dossier_version}})
    now = now or timezone.now()
    # After the deadline the aviz is tacit and a late answer has no legal effect (OUG 31/2025).
    if request.institution.tacit_approval and timezone.localdate(now) > request.due_date:
        raise ValidationError({"outcome": _("Termenul de %(date)s a trecut: avizul este aprobat tacit, iar un răspuns întârziat nu are "
                                            "efect juridic.") % {"date": date_format(request.due_date, "SHORT_DATE_FORMAT")}})
    action = {str(State.FAVOURABLE): "answer_favourable", State.UNFAVOURABLE: "answer_unfavourable",
              State.FAVOURABLE_WITH_CONDITIONS: "answer_with_conditions"}[outcome]
    audit = workflow.apply(request=request, action=action, by=by, now=now, reason=text,
                           fields={"answered_at": now, "answered_by": by, "conditions": cleaned,
                                   "answer_text": text.strip(), "number": number.strip()[:40],
                                   "judged_dossier_version": request.dossier_version,
                                   "legal_basis": request.institution.legal_basis[:255]})
    from avize.pdf import aviz_pdf_attach  # WeasyPrint is heavy; load it only when answering

    aviz_pdf_attach(request=request)
    notify.state_changed(request, audit=audit)
    maybe_complete_stage(request.application, by=by)
    return request


@transaction.atomic
def aviz_withdraw(*, request: AvizRequest, by: User | None, reason: str, now: datetime | None = None) -> AvizRequest:
    request = _locked(request)
    if by is not None and not _can_act_for_dossier(by, request):
        raise PermissionDenied(_("Numai solicitantul sau personalul emitentului poate retrage o cerere de aviz."))
    audit = workflow.apply(request=request, action="withdraw", by=by, now=now or timezone.now(), reason=reason)
    notify.state_changed(request, audit=audit)
    return request


@transaction.atomic
def aviz_reconsult(*, application, by: User, reason: str, institution_ids: list[int] | None = None,
                   now: datetime | None = None) -> list[AvizRequest]:
    """The dossier changed after the avize were requested: ask the institutions concerned again.

    Each live request of those institutions is replaced by a request for the new dossier version
    (open ones are withdrawn first, answered ones stay as the record of what the old version got).
    """
    if not (by.is_portal_admin or (by.is_issuer_staff and by.issuer_id == application.issuer_id)):
        raise PermissionDenied(_("Numai personalul emitentului poate reconsulta instituțiile."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Spuneți ce s-a schimbat în dosar.")})
    now = now or timezone.now()
    live = list(application.aviz_requests.select_for_update().filter(live=True)
                .exclude(state=State.WITHDRAWN).select_related("institution"))
    if institution_ids is not None:
        unknown = set(institution_ids) - {r.institution_id for r in live}
        if unknown:
            raise ValidationError({"institutions": _("Nu există cerere de reconsultat pentru instituțiile %(ids)s.") % {"ids": sorted(unknown)}})
        live = [r for r in live if r.institution_id in set(institution_ids)]
    if not live:
        raise ValidationError({"institutions": _("Nu există nicio cerere de aviz de reconsultat.")})
    # A re-consultation is a new dossier version: without a changed document there is nothing new to judge.
    documents = _fingerprint(_shared_documents(application))
    unchanged = sorted(r.institution.name for r in live if _fingerprint(r.documents) == documents)
    if unchanged:
        raise ValidationError({"institutions": _("Dosarul nu s-a schimbat de când au fost consultate aceste instituții: %(names)s. Încărcați "
                                                 "mai întâi documentele modificate.") % {"names": ", ".join(unchanged)}})
    version = current_dossier_version(application) + 1
    reopen_stage(application, by=by)  # first: the state machine sees the institutions still to ask
    return [_replace(old, reasons=old.reasons, version=version, by=by, now=now, reason=reason) for old in live]
