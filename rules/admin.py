from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from rules.models import Analysis, Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "predicate", "distance_m", "effect", "confidence", "is_default", "active", "version")
    list_filter = ("effect", "predicate", "confidence", "active")
    search_fields = ("code", "title", "legal_basis")
    readonly_fields = ("version", "updated_at")

    @admin.display(boolean=True, description="U default")
    def is_default(self, obj: Rule) -> bool:
        return obj.is_default

    def save_model(self, request, obj, form, change):
        # Every edit bumps the version so analyses keep saying which version of the rule they used.
        if change and form.changed_data:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Analysis)
class AnalysisAdmin(GISModelAdmin):
    list_display = ("id", "created_at", "created_by")
    readonly_fields = ("id", "created_at", "created_by", "works", "result")
    raw_id_fields = ("parcels", "uats")
