from django.contrib.gis import admin

from institutions.models import Institution


@admin.register(Institution)
class InstitutionAdmin(admin.GISModelAdmin):
    list_display = ("code", "name", "kind", "county", "response_days", "response_working_days", "tacit_approval",
                    "synthetic", "active")
    list_filter = ("kind", "tacit_approval", "synthetic", "active")
    search_fields = ("code", "name")
    filter_horizontal = ("jurisdiction_uats",)
    # The secret is shown (staff configure the institution's receiver with it) but not editable here.
    readonly_fields = ("webhook_secret",)
