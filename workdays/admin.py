"""Admin: closed days and deadline policies are data, edited here."""
from django.contrib import admin

from workdays import models


@admin.register(models.ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ["date", "reason", "issuer"]
    list_filter = ["issuer"]
    date_hierarchy = "date"


admin.site.register(models.DeadlinePolicy)
