"""The inbox filters of aviz requests (tested by counts in tests/avize/test_inbox_api.py)."""
from __future__ import annotations

import django_filters
from django.utils import timezone

from avize.models import AvizRequest, State
from avize.selectors import inbox_filter


class AvizRequestFilterSet(django_filters.FilterSet):
    due_soon = django_filters.BooleanFilter(method="filter_due_soon",
                                            help_text="Open requests due within the due-soon window: 3 working days by default "
                                                      "(deadline policy `due_soon`), today included.")
    overdue = django_filters.BooleanFilter(method="filter_overdue", help_text="Open requests past their due date.")
    uat = django_filters.NumberFilter(field_name="application__uat__siruta", help_text="SIRUTA code of the UAT.")
    state = django_filters.ChoiceFilter(choices=State.choices)
    institution = django_filters.NumberFilter(field_name="institution_id")
    application = django_filters.NumberFilter(field_name="application_id")
    live = django_filters.BooleanFilter(field_name="live",
                                        help_text="Default true: only the requests of the current dossier version.")

    class Meta:
        model = AvizRequest
        fields = ["due_soon", "overdue", "uat", "state", "institution", "application", "live"]

    def filter_queryset(self, queryset):
        # Requests replaced by a re-consultation are history: hidden unless asked for with live=false.
        if self.form.cleaned_data.get("live") is None:
            queryset = queryset.filter(live=True)
        return super().filter_queryset(queryset)

    def filter_due_soon(self, queryset, name, value):
        return inbox_filter(queryset, today=timezone.localdate(), due_soon=value, live=None)

    def filter_overdue(self, queryset, name, value):
        return inbox_filter(queryset, today=timezone.localdate(), overdue=value, live=None)
