"""Admin: applications read-mostly (status changes only through the workflow), policies and fees editable."""
from django.contrib import admin

from permits import models


class DocumentInline(admin.TabularInline):
    model = models.Document
    extra = 0
    readonly_fields = ["doc_type", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    exclude = ["file"]
    can_delete = False


class EventInline(admin.TabularInline):
    model = models.TransitionEvent
    extra = 0
    readonly_fields = ["action", "from_status", "to_status", "by", "reason", "at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "registration", "issuer", "due_date", "created_at"]
    list_filter = ["kind", "status", "issuer"]
    search_fields = ["registration_number", "applicant_name", "parcels__cadastral_number"]
    readonly_fields = ["status", "registration_number", "registration_year", "registered_at", "analysis_id",
                       "analysis_result", "owner", "issuer", "uat", "fee_ron", "fee_breakdown", "paid_at"]
    raw_id_fields = ["parcels", "based_on", "compliance_override_by"]
    inlines = [DocumentInline, EventInline]


@admin.register(models.TransitionEvent)
class TransitionEventAdmin(admin.ModelAdmin):
    list_display = ["application", "action", "from_status", "to_status", "by", "at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.IssuedAct)
class IssuedActAdmin(admin.ModelAdmin):
    list_display = ["register", "number", "year", "issued_on", "application"]
    readonly_fields = ["verify_code", "sha256"]


@admin.register(models.ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ["date", "reason", "issuer"]
    list_filter = ["issuer"]
    date_hierarchy = "date"


admin.site.register(models.DeadlinePolicy)
admin.site.register(models.FeeSchedule)
admin.site.register(models.Payment)
admin.site.register(models.RegisterCounter)


@admin.register(models.ExcavationPolicy)
class ExcavationPolicyAdmin(admin.ModelAdmin):
    list_display = ("issuer", "moratorium_years")
