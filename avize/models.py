"""Aviz requests sent to partner institutions, their append-only audit trail and their answers.

State changes happen only in avize.workflow; this module holds data, not rules.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from gis_portal.db import AppendOnlyModel


class State(models.TextChoices):
    SENT = "sent", "Trimisă"
    VIEWED = "viewed", "Văzută"
    COMPLETION_REQUESTED = "completion_requested", "Completări solicitate"
    RESUBMITTED = "resubmitted", "Completată"
    FAVOURABLE = "favourable", "Favorabil"
    FAVOURABLE_WITH_CONDITIONS = "favourable_with_conditions", "Favorabil cu condiții"
    UNFAVOURABLE = "unfavourable", "Nefavorabil"
    TACITLY_APPROVED = "tacitly_approved", "Aprobat tacit"
    WITHDRAWN = "withdrawn", "Retrasă"


ANSWERED = (State.FAVOURABLE, State.FAVOURABLE_WITH_CONDITIONS, State.UNFAVOURABLE, State.TACITLY_APPROVED)
FINAL = (*ANSWERED, State.WITHDRAWN)
# States in which the institution's clock runs (stopped while the applicant completes the dossier).
CLOCK_RUNNING = (State.SENT, State.VIEWED, State.RESUBMITTED)


class AvizRequest(models.Model):
    """One request for an aviz from one institution for one version of an application's dossier."""

    application = models.ForeignKey("permits.Application", on_delete=models.PROTECT, related_name="aviz_requests")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="aviz_requests")
    state = models.CharField(max_length=32, choices=State.choices, default=State.SENT, db_index=True)
    # The rule hits that made this aviz necessary, copied from the frozen analysis.
    reasons = models.JSONField(default=list, blank=True)
    # The dossier documents shared with the institution: [{"id", "doc_type", "name", "sha256"}].
    documents = models.JSONField(default=list, blank=True)
    dossier_version = models.PositiveIntegerField(default=1)
    # A re-consultation replaces the request: the old one stays for the record (live=False) and the
    # new one points to it.
    live = models.BooleanField(default=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by")
    due_date = models.DateField(db_index=True)
    due_rule = models.CharField(max_length=40, help_text="How the due date was counted, e.g. '15 days'.")
    sent_at = models.DateTimeField(default=timezone.now)
    viewed_at = models.DateTimeField(null=True, blank=True)
    completion_requested_at = models.DateTimeField(null=True, blank=True)
    completion_request_text = models.TextField(blank=True)
    resubmitted_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # The dossier version the answer judged (a late answer to an older version is not accepted).
    judged_dossier_version = models.PositiveIntegerField(null=True, blank=True)
    answer_text = models.TextField(blank=True)
    conditions = models.JSONField(default=list, blank=True)
    legal_basis = models.CharField(max_length=255, blank=True)
    number = models.CharField(max_length=40, blank=True, help_text="The institution's own aviz number.")
    pdf = models.FileField(upload_to="avize/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            # Only one live request per application and institution; superseded ones are history.
            models.UniqueConstraint(fields=["application", "institution"], condition=models.Q(live=True),
                                    name="aviz_one_live_per_institution"),
        ]
        indexes = [models.Index(fields=["institution", "state"], name="aviz_institution_state")]

    def __str__(self) -> str:
        return f"Aviz {self.institution_id} / cerere {self.application_id} v{self.dossier_version}: {self.state}"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL


class AvizEvent(AppendOnlyModel):
    """One state change (or escalation/reminder) of an aviz request; append-only."""

    request = models.ForeignKey(AvizRequest, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    reason = models.TextField(blank=True)
    dossier_version = models.PositiveIntegerField()
    at = models.DateTimeField()


    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_state} → {self.to_state} ({self.action})"
