"""Admin of aviz requests: read-mostly, state changes go through the services."""
from django.contrib import admin

from avize.models import AvizEvent, AvizRequest


class AvizEventInline(admin.TabularInline):
    model = AvizEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "by", "reason", "dossier_version", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AvizRequest)
class AvizRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "application", "institution", "state", "dossier_version", "live", "due_date",
                    "escalated_at"]
    list_filter = ["state", "live", "institution__kind"]
    search_fields = ["institution__name", "application__registration_number"]
    raw_id_fields = ["application", "institution", "answered_by", "replaces"]
    readonly_fields = ["state", "sent_at", "answered_at", "pdf_sha256", "judged_dossier_version"]
    inlines = [AvizEventInline]
