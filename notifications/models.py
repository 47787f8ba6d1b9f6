"""Notifications: one row per recipient and channel, with its delivery log.

A Notification is written in the same transaction as the change that causes it (see
`notifications.services.notify`), and a worker job delivers it later. The row is the source of
truth for "was it delivered?": jobs may run twice, the row's status decides whether to send.
"""
from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class Event(models.TextChoices):
    """What happened, and who is told (the contract with permits and avize).

    - application_status_changed: the applicant, at every state change of a CU/AC/AD application.
    - aviz_requested: the institution, when an aviz request is sent to it.
    - aviz_resubmitted: the institution, when the applicant resubmits after a completion request.
    - aviz_answered: the clerks of the issuer, when an institution answers.
    - aviz_overdue: the clerks of the issuer, when a request passes its due date.
    - aviz_reminder: the institution (or its reviewers), a few days before the due date.
    - expiry_reminder: the holders of a CU or AC, before the document expires.
    - works_notice: the ISC of the county and the issuer's staff, when the holder announces the start or end of works.
    - works_reminder: the holder of an AC/AD, before the start deadline and before the end of the works' duration.
    """

    APPLICATION_STATUS_CHANGED = "application_status_changed", "Application status changed"
    AVIZ_REQUESTED = "aviz_requested", "Aviz requested"
    AVIZ_RESUBMITTED = "aviz_resubmitted", "Aviz request resubmitted"
    AVIZ_ANSWERED = "aviz_answered", "Aviz answered"
    AVIZ_OVERDUE = "aviz_overdue", "Aviz overdue"
    AVIZ_REMINDER = "aviz_reminder", "Aviz due soon"
    EXPIRY_REMINDER = "expiry_reminder", "Document expires soon"
    WORKS_NOTICE = "works_notice", "Start or end of works announced"
    WORKS_REMINDER = "works_reminder", "Works deadline soon"


class Notification(models.Model):
    """One message to one recipient (a user or an institution) over one channel.

    `uuid` is the identity the receiver sees: the e-mail Message-ID and the webhook
    Idempotency-Key are derived from it, so a receiver can recognise a repeated delivery.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        WEBHOOK = "webhook", "Webhook"
        IN_APP = "in_app", "In-app"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40, choices=Event.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    institution = models.ForeignKey("institutions.Institution", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="notifications")
    # Snapshot of the e-mail address or webhook URL at the time of the event.
    address = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=2, default="ro")
    context = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    # The caller's key for the event (e.g. "aviz_requested:42"); with the recipient and channel it
    # makes notify() idempotent: calling it twice for the same event records nothing new.
    idempotency_key = models.CharField(max_length=200)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    # Attempts in the current round (a manual retry starts a new round; the log keeps them all).
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key", "channel", "user", "institution"],
                                    nulls_distinct=False, name="notification_once_per_event_recipient_channel"),
            models.CheckConstraint(condition=models.Q(user__isnull=False) | models.Q(institution__isnull=False),
                                   name="notification_has_recipient"),
        ]
        indexes = [models.Index(fields=["user", "channel", "-created_at"], name="notif_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.address or self.user_id} ({self.channel}, {self.status})"

    @property
    def message_id(self) -> str:
        """The RFC 5322 Message-ID of the e-mail: stable across retries, so duplicates are identifiable."""
        return f"<notification-{self.uuid}@gis-portal>"


class DeliveryAttempt(models.Model):
    """One try at delivering a notification: when, by which job, and how it ended.

    The row is committed *before* the message is sent, so an attempt cut short by a killed worker
    stays visible with outcome "started" (shown as interrupted).
    """

    class Outcome(models.TextChoices):
        STARTED = "started", "Started (interrupted if never finished)"
        DELIVERED = "delivered", "Delivered"
        ERROR = "error", "Error"

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveIntegerField()
    job_id = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.STARTED)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["notification_id", "id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.notification_id}: {self.outcome}"
