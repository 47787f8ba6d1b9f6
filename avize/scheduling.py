"""The scheduled work of the avize app, driven by an explicit clock so tests can move time.

`avize_tick(now=…)` is what the procrastinate periodic task runs: reminders before the due date,
tacit approval at the deadline (with its legal basis), escalation to the clerks where tacit approval
does not apply (defence, public order, national security), and expiry reminders to holders of CUs/ACs.
Each request is handled in its own transaction, so one failure does not undo the others.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from avize import notify, workflow
from avize.models import CLOCK_RUNNING, FINAL, AvizRequest
from avize.stage import maybe_complete_stage
from permits.choices import CU_KINDS, PERMIT_KINDS, TERMINAL, Status
from permits.models import Application

TACIT_LEGAL_BASIS = ("OUG 31/2025 (MO 393/30.04.2025): avizul nu a fost emis în termen — documentația se "
                     "consideră completă și avizul se consideră emis tacit.")
REMINDER_DAYS = (3, 1)  # days before the due date at which the institution is reminded
EXPIRY_REMINDER_DAYS = (30, 7)  # days before an issued CU/AC runs out


def _open_requests():
    return AvizRequest.objects.filter(live=True, state__in=CLOCK_RUNNING)


def _remind(pk: int, *, today, now: datetime) -> bool:
    with transaction.atomic():
        request = (AvizRequest.objects.select_for_update(skip_locked=True).select_related("institution", "application")
                   .filter(pk=pk, state__in=CLOCK_RUNNING).first())
        if request is None:
            return False
        days_left = (request.due_date - today).days
        # Remind once per threshold, even if the tick skipped the exact day.
        due = [d for d in REMINDER_DAYS if days_left <= d
               and (request.reminded_on is None or (request.due_date - request.reminded_on).days > d)]
        if not due:
            return False
        request.reminded_on = today
        request.save(update_fields=["reminded_on", "updated_at"])
        workflow.record(request=request, action="remind", from_state=request.state, by=None, now=now,
                        reason=f"{days_left} days left")
        notify.reminder(request, days_left=days_left)
        return True


def _deadline_passed(pk: int, *, now: datetime) -> str | None:
    with transaction.atomic():
        request = (AvizRequest.objects.select_for_update(skip_locked=True).select_related("institution", "application")
                   .filter(pk=pk, state__in=CLOCK_RUNNING).first())
        if request is None:
            return None
        if request.institution.tacit_approval:
            audit = workflow.apply(request=request, action="tacit_approve", by=None, now=now,
                                   reason=TACIT_LEGAL_BASIS,
                                   fields={"answered_at": now, "legal_basis": TACIT_LEGAL_BASIS,
                                           "judged_dossier_version": request.dossier_version})
            notify.state_changed(request, audit=audit)
            maybe_complete_stage(request.application, by=None)
            return "tacit"
        if request.escalated_at is not None:
            return None
        # No tacit approval for defence, public order and national security: a person must chase it.
        request.escalated_at = now
        request.save(update_fields=["escalated_at", "updated_at"])
        audit = workflow.record(request=request, action="escalate", from_state=request.state, by=None, now=now,
                                reason="Termen depășit; aprobarea tacită nu se aplică acestei instituții "
                                       "(apărare, ordine publică, siguranță națională — OUG 31/2025).")
        notify.overdue(request, event_id=audit.pk)
        return "escalated"


def _expiry_reminders(*, today) -> int:
    targets = [today + timedelta(days=d) for d in EXPIRY_REMINDER_DAYS]
    sent = 0
    for application in (Application.objects.filter(status=Status.ISSUED, valid_until__in=targets,
                                                   kind__in=(*CU_KINDS, *PERMIT_KINDS)).select_related("owner")):
        with transaction.atomic():
            notify.act_expiring(application, days_left=(application.valid_until - today).days)
        sent += 1
    return sent


def _withdraw_for_closed(pk: int, *, now: datetime) -> bool:
    """The application was withdrawn or refused: its open requests are withdrawn, never made tacit."""
    with transaction.atomic():
        request = (AvizRequest.objects.select_for_update(skip_locked=True).select_related("institution", "application")
                   .filter(pk=pk).exclude(state__in=FINAL).first())
        if request is None:
            return False
        audit = workflow.apply(request=request, action="withdraw", by=None, now=now,
                               reason=f"Cererea a fost închisă ({request.application.status}).")
        notify.state_changed(request, audit=audit)
        return True


def avize_tick(*, now: datetime) -> dict[str, int]:
    """Run every piece of scheduled work as of `now`; returns what it did (for logs and tests)."""
    today = timezone.localdate(now)
    done = {"withdrawn": 0, "reminded": 0, "tacit": 0, "escalated": 0, "expiry_reminders": 0}
    closed = AvizRequest.objects.filter(live=True, application__status__in=[s for s in TERMINAL if s != "issued"])
    for pk in closed.exclude(state__in=FINAL).values_list("pk", flat=True):
        done["withdrawn"] += _withdraw_for_closed(pk, now=now)
    for pk in _open_requests().filter(due_date__lt=today).values_list("pk", flat=True):
        outcome = _deadline_passed(pk, now=now)
        if outcome:
            done[outcome] += 1
    soon = today + timedelta(days=max(REMINDER_DAYS))
    for pk in _open_requests().filter(due_date__gte=today, due_date__lte=soon).values_list("pk", flat=True):
        done["reminded"] += _remind(pk, today=today, now=now)
    done["expiry_reminders"] = _expiry_reminders(today=today)
    return done
