"""Admin: the delivery log of every notification, failed ones filterable and retryable."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from gis_portal.api.exceptions import StateConflict
from notifications import services
from notifications.models import DeliveryAttempt, Notification


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "job_id", "started_at", "finished_at", "outcome", "error"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "channel", "address", "user", "institution", "status", "attempts",
                    "created_at", "delivered_at"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["address", "idempotency_key", "uuid", "user__username", "institution__code"]
    list_select_related = ["user", "institution"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_failed"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry the selected failed notifications")
    def retry_failed(self, request, queryset) -> None:
        retried = skipped = 0
        for notification in queryset:
            try:
                services.notification_retry(notification=notification, by=request.user)
                retried += 1
            except (StateConflict, PermissionDenied):
                skipped += 1
        self.message_user(request, f"{retried} queued for delivery, {skipped} skipped (not failed).",
                          messages.SUCCESS if retried else messages.WARNING)
