"""Users and their role: investor, clerk or chief architect of an issuer, institution reviewer, admin."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_noop

from gis_portal.db import AppendOnlyModel


class User(AbstractUser):
    """A person (or an institution's system account) using the portal.

    Staff roles are bound to the authority they work for: clerks and chief architects to an
    issuer, reviewers to an institution. Every selector scopes its queries through these links.
    """

    class Role(models.TextChoices):
        INVESTOR = "investor", gettext_noop("Investitor / solicitant")
        CLERK = "clerk", gettext_noop("Funcționar urbanism")
        CHIEF_ARCHITECT = "chief_architect", gettext_noop("Arhitect-șef")
        REVIEWER = "reviewer", gettext_noop("Reviewer instituție avizatoare")
        ADMIN = "admin", gettext_noop("Administrator")

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INVESTOR)
    issuer = models.ForeignKey("parcels.Issuer", null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    institution = models.ForeignKey(
        "institutions.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="reviewers"
    )
    # May set the institution's webhook URL and rotate its signing secret (web: /institution/settings/).
    institution_admin = models.BooleanField(default=False)
    preferred_language = models.CharField(max_length=2, default="ro", choices=[("ro", "Română"), ("en", "English")])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["clerk", "chief_architect"]) | models.Q(issuer__isnull=False),
                name="staff_has_issuer",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="reviewer") | models.Q(institution__isnull=False),
                name="reviewer_has_institution",
            ),
            models.CheckConstraint(
                condition=models.Q(institution_admin=False) | models.Q(institution__isnull=False),
                name="institution_admin_has_institution",
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        # A new password (set_password, then save) ends every API token of the account; web sessions
        # other than the one that changed it end through Django's session hash.
        password_changed = getattr(self, "_password", None) is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from accounts.tokens import tokens_revoke

            tokens_revoke(user=self)

    @property
    def is_issuer_staff(self) -> bool:
        return self.role in (self.Role.CLERK, self.Role.CHIEF_ARCHITECT)

    @property
    def is_institution_admin(self) -> bool:
        return self.institution_admin and self.institution_id is not None and self.is_active

    @property
    def is_portal_admin(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser


class LoginAttempt(models.Model):
    """Failed log-ins of one (username, client address) pair in the current window, and its lock.

    Written only by accounts.lockout (one upsert per failure); `digest` is a SHA-256 of the pair, so
    neither the username nor the address is stored.
    """

    digest = models.CharField(max_length=64, primary_key=True)
    failures = models.PositiveIntegerField()
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.digest[:12]}… {self.failures} failures"


class Leave(models.Model):
    """A staff member's absence (leave, sick leave), both days included: while it lasts, the automatic
    assignment skips them, and their open requests were moved to the others when it was recorded or began
    (permits.assignment)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="leaves")
    start = models.DateField()
    end = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="leave_end_after_start")]
        indexes = [models.Index(fields=["user", "end"], name="leave_user_end")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.start}–{self.end}"


class UserSession(models.Model):
    """One signed-in web session of a user (written at log-in by accounts.sessions): listed on the
    security page with its device and address, and revoked one by one or all at once. A session
    without its row is not honoured (accounts.middleware.SessionRegistryMiddleware)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now_add=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M} {self.address or ''}"

    @property
    def device(self) -> str:
        """A short name of the browser and system from the User-Agent ("Firefox · Android"), or ""."""
        agent = self.user_agent
        browser = next((name for token, name in _BROWSERS if token in agent), "")
        system = next((name for token, name in _SYSTEMS if token in agent), "")
        return " · ".join(part for part in (browser, system) if part) or agent[:40]


# Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari", Android also says "Linux".
_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari")]
_SYSTEMS = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]


class AuditEntry(AppendOnlyModel):
    """One administrative or money/document event outside an application's own timeline: edits in the
    admin and in /manage/, invitations, webhook settings, session and second-factor resets, document
    uploads, payments. Append-only (a database trigger refuses UPDATE and DELETE); `changes` maps each
    changed field to [before, after]. Scoped by the issuer or institution it concerns."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)  # as it was then (None: the system)
    address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=100)  # app_label.model
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    issuer = models.ForeignKey("parcels.Issuer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey("institutions.Institution", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_type} {self.target_id}"
