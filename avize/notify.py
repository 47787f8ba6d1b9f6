"""Who is told what about aviz requests; every call runs inside the caller's transaction.

Institutions hear of new requests, resubmissions and reminders; the issuer's clerks of answers and
overdue requests; the applicant of every state change (notifications.models.Event is the contract).
"""
from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from avize.models import ANSWERED, AvizEvent, AvizRequest, State
from notifications.services import NotifyItem, notify, notify_many
from permits import links


def _notify(*, event: str, users=(), institution=None, context: dict, idempotency_key: str,
            email_to: str = "") -> None:
    notify(event=event, users=list(users), institution=institution, context=context,
           idempotency_key=idempotency_key, email_to=email_to)


def _context(request: AvizRequest) -> dict:
    application = request.application
    return {
        "aviz_request_id": request.pk,
        "application_id": application.pk,
        "application_number": application.registration or f"#{application.pk}",
        "application_kind": application.get_kind_display(),
        "uat": application.uat.name if application.uat else "",
        "institution_name": request.institution.name,
        "institution_code": request.institution.code,
        "state": request.state,
        "outcome": request.state,
        "outcome_label": State(request.state).label,
        "dossier_version": request.dossier_version,
        "due_date": request.due_date.isoformat(),
        "tacit_approval": request.institution.tacit_approval,
        "reasons": [f"{r.get('rule', '')} {r.get('result') or r.get('label') or ''}".strip()
                    for r in request.reasons if isinstance(r, dict)],
        # The institution's page of the request (the applicant's and clerks' messages link the application).
        "url": links.absolute(reverse("web:aviz-detail", args=[request.pk])),
    }


def _for_applicant(request: AvizRequest, context: dict) -> dict:
    return {**context, "url": links.application_url(request.application_id)}


def clerks_of(request: AvizRequest):
    issuer_id = request.application.issuer_id
    if issuer_id is None:
        return User.objects.none()
    return User.objects.filter(role=User.Role.CLERK, issuer_id=issuer_id, is_active=True)


def _reviewers(request: AvizRequest):
    return request.institution.reviewers.filter(is_active=True)


def state_changed(request: AvizRequest, *, audit) -> None:
    """Tell the applicant of every state change; for answers, the issuer's clerks as well."""
    context, event_id = _context(request), audit.pk
    _notify(event="application_status_changed", users=[request.application.owner],
            email_to=request.application.applicant_email,
            context={**_for_applicant(request, context), "old_status": audit.from_state,
                     "new_status": request.state,
                     "new_status_label": f"Aviz {request.institution.name}: {State(request.state).label}",
                     "note": request.completion_request_text if request.state == State.COMPLETION_REQUESTED
                     else ""},
            idempotency_key=f"aviz-event-{event_id}-applicant")
    if request.state in ANSWERED:
        _notify(event="aviz_answered", users=clerks_of(request), context=_for_applicant(request, context),
                idempotency_key=f"aviz-event-{event_id}-clerks")


def institution_asked(request: AvizRequest, *, event: str, event_id: int) -> None:
    """A new request (or a re-consultation) or a resubmission: its reviewers and its own systems."""
    _notify(event=event, users=_reviewers(request), institution=request.institution, context=_context(request),
            idempotency_key=f"aviz-event-{event_id}-institution")


def requests_sent(sent: list[tuple[AvizRequest, AvizEvent]], *, event: str = "aviz_requested") -> None:
    """Every institution asked at once (the avize stage): what `institution_asked` + `state_changed`
    say for each request, recorded and deferred by ONE `notify_many` statement, with the reviewers of
    all the institutions read in one query (this runs inside the transition that enters the stage)."""
    if not sent:
        return
    reviewers: dict[int | None, list[User]] = {}
    for user in User.objects.filter(institution_id__in={r.institution_id for r, _ in sent}, is_active=True):
        reviewers.setdefault(user.institution_id, []).append(user)
    items: list[NotifyItem] = []
    for request, audit in sent:
        context = _context(request)
        items.append({"event": event, "users": reviewers.get(request.institution_id, []),
                      "institution": request.institution, "context": context,
                      "idempotency_key": f"aviz-event-{audit.pk}-institution"})
        items.append({"event": "application_status_changed", "users": [request.application.owner],
                      "email_to": request.application.applicant_email,
                      "context": {**_for_applicant(request, context), "old_status": audit.from_state,
                                  "new_status": request.state,
                                  "new_status_label": f"Aviz {request.institution.name}: {State(request.state).label}"},
                      "idempotency_key": f"aviz-event-{audit.pk}-applicant"})
    notify_many(items=items)


def reminder(request: AvizRequest, *, days_left: int) -> None:
    _notify(event="aviz_reminder", users=_reviewers(request), institution=request.institution,
            context={**_context(request), "days_left": days_left},
            idempotency_key=f"aviz-reminder-{request.pk}-{request.due_date.isoformat()}-{days_left}")


def overdue(request: AvizRequest, *, event_id: int) -> None:
    """Deadline passed without tacit approval (defence, public order, national security): clerks act."""
    _notify(event="aviz_overdue", users=clerks_of(request), context=_context(request),
            idempotency_key=f"aviz-event-{event_id}-overdue")


def act_expiring(application, *, days_left: int) -> None:
    _notify(event="expiry_reminder", users=[application.owner], email_to=application.applicant_email,
            context={"application_id": application.pk, "url": links.application_url(application.pk), "document_kind": application.get_kind_display(),
                     "document_number": application.registration, "expires_on": application.valid_until.isoformat(),
                     "days_left": days_left},
            idempotency_key=f"permit-expiry-{application.pk}-{application.valid_until.isoformat()}-{days_left}")
