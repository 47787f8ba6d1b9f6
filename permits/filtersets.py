"""The list filters of applications (staff: status, kind, UAT, due date, overdue, due soon)."""
from __future__ import annotations

import django_filters
from django.utils import timezone

from permits.choices import Kind, Status
from permits.models import Application
from permits.selectors import OPEN
from workdays.calendar import due_soon_until


class ApplicationFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)
    uat = django_filters.NumberFilter(field_name="uat__siruta", label="UAT SIRUTA code")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Open and past the legal deadline")
    due_soon = django_filters.BooleanFilter(method="filter_due_soon", label="Open and due within a few working days")
    registration = django_filters.CharFilter(method="filter_registration", label="Registration number, e.g. 12/2026")

    class Meta:
        model = Application
        fields = ["status", "kind", "uat"]

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        condition = {"status__in": OPEN, "due_date__lt": today}
        return queryset.filter(**condition) if value else queryset.exclude(**condition)

    def filter_due_soon(self, queryset, name, value):
        today = timezone.localdate()
        condition = {"status__in": OPEN, "due_date__gte": today, "due_date__lte": due_soon_until(today)}
        return queryset.filter(**condition) if value else queryset.exclude(**condition)

    def filter_registration(self, queryset, name, value):
        number, _, year = value.partition("/")
        if not number.isdigit() or (year and not year.isdigit()):
            return queryset.none()
        queryset = queryset.filter(registration_number=int(number))
        return queryset.filter(registration_year=int(year)) if year else queryset
