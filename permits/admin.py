"""Admin: applications read-mostly (status changes only through the workflow), fees editable."""
from django.contrib import admin

from gis_portal.admin_readonly import ReadOnlyModelAdmin
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
    readonly_fields = ["action", "from_status", "to_status", "by", "reason", "at", "assigned_from", "assigned_to"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "registration", "issuer", "due_date", "created_at"]
    list_filter = ["kind", "status", "issuer"]
    search_fields = ["registration_number", "applicant_name", "parcels__cadastral_number"]
    readonly_fields = ["status", "registration_number", "registration_year", "registered_at", "analysis_id",
                       "analysis_result", "owner", "issuer", "uat", "fee_ron", "fee_breakdown", "paid_at",
                       "assigned_to"]  # assigned only through permits.assignment, which audits it
    raw_id_fields = ["parcels", "based_on", "compliance_override_by"]
    inlines = [DocumentInline, EventInline]


@admin.register(models.TransitionEvent)
class TransitionEventAdmin(ReadOnlyModelAdmin):
    """The audit trail is written by permits.workflow only (a database trigger forbids UPDATE/DELETE)."""

    list_display = ["application", "action", "from_status", "to_status", "by", "at"]


@admin.register(models.IssuedAct)
class IssuedActAdmin(admin.ModelAdmin):
    list_display = ["register", "number", "year", "issued_on", "application"]
    readonly_fields = ["verify_code", "sha256"]


admin.site.register(models.FeeSchedule)
admin.site.register(models.Payment)
admin.site.register(models.RegisterCounter)


@admin.register(models.Works)
class WorksAdmin(admin.ModelAdmin):
    """Read-only: the works change only through the holder's notices and the staff's records (permits.works)."""

    list_display = ["application", "start_date", "end_due", "end_date", "final_value_ron", "regularisation_ron"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Reception)
class ReceptionAdmin(admin.ModelAdmin):
    list_display = ["application", "date", "outcome", "recorded_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.AssignmentPolicy)
class AssignmentPolicyAdmin(admin.ModelAdmin):
    list_display = ["issuer", "kind", "updated_by", "updated_at"]
    readonly_fields = ["last_assigned", "updated_by"]


@admin.register(models.AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ["issuer", "uat", "locality", "clerk"]
    list_filter = ["issuer"]
    raw_id_fields = ["locality", "clerk"]


@admin.register(models.ExcavationPolicy)
class ExcavationPolicyAdmin(admin.ModelAdmin):
    list_display = ("issuer", "moratorium_years")
