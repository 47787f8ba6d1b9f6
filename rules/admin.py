from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from gis_portal.admin_readonly import ReadOnlyModelAdmin
from rules.models import Analysis, Rule, RuleRevision, WorksRule
from rules.services import revision_record


class VersionedRuleAdmin(admin.ModelAdmin):
    """Every edit bumps the version and keeps the old and new versions as revisions, so analyses keep
    saying which version of the rule they used and that version can still be read."""

    readonly_fields = ("version", "updated_at")

    @admin.display(boolean=True, description="U default")
    def is_default(self, obj) -> bool:
        return obj.is_default

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            revision_record(rule=type(obj).objects.get(pk=obj.pk), by=request.user)
            obj.version += 1
        super().save_model(request, obj, form, change)
        if not change or form.changed_data:
            revision_record(rule=obj, by=request.user)


@admin.register(Rule)
class RuleAdmin(VersionedRuleAdmin):
    list_display = ("code", "title", "predicate", "distance_m", "effect", "confidence", "is_default", "active", "version")
    list_filter = ("effect", "predicate", "confidence", "active")
    search_fields = ("code", "title", "legal_basis")


@admin.register(WorksRule)
class WorksRuleAdmin(VersionedRuleAdmin):
    list_display = ("code", "title", "item", "group", "confidence", "is_default", "active", "version")
    list_filter = ("item", "group", "confidence", "active")
    search_fields = ("code", "title", "label_ro", "legal_basis")


@admin.register(RuleRevision)
class RuleRevisionAdmin(ReadOnlyModelAdmin):
    list_display = ("catalogue", "code", "version", "created_at", "created_by")
    list_filter = ("catalogue",)
    search_fields = ("code",)
    readonly_fields = ("catalogue", "code", "version", "data", "created_at", "created_by")


@admin.register(Analysis)
class AnalysisAdmin(GISModelAdmin):
    list_display = ("id", "created_at", "created_by")
    readonly_fields = ("id", "created_at", "created_by", "works", "result")
    raw_id_fields = ("parcels", "uats")
