"""Closed days beyond the public holidays, and overrides of the legal deadlines.

The tables keep the names they had when these models lived in permits (`permits_closedday`,
`permits_deadlinepolicy`): the move changed Django's state only, not the database.
"""
from __future__ import annotations

from django.db import models


class ClosedDay(models.Model):
    """An extra non-working day: for every issuer (a bridge day decided by the government) when `issuer`
    is empty, else the issuer's own closure (a local holiday, a move). Public holidays are not stored
    here: workdays.calendar takes them from the `holidays` library."""

    date = models.DateField()
    reason = models.CharField(max_length=200)
    issuer = models.ForeignKey("parcels.Issuer", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="closed_days", help_text="Empty: closed for every issuer.")

    class Meta:
        db_table = "permits_closedday"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "issuer"], name="closed_day_unique_per_issuer"),
            models.UniqueConstraint(fields=["date"], condition=models.Q(issuer__isnull=True),
                                    name="closed_day_unique_for_everyone"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.reason}"


class DeadlinePolicy(models.Model):
    """Overrides a legal deadline of workdays.calendar.DEFAULT_POLICIES (e.g. after a change of law)."""

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", "Zile lucrătoare"
        DAYS = "days", "Zile calendaristice"
        MONTHS = "months", "Luni"

    rule = models.SlugField(max_length=40, unique=True)
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=12, choices=Unit.choices)
    legal_basis = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "permits_deadlinepolicy"

    def __str__(self) -> str:
        return f"{self.rule}: {self.amount} {self.unit}"
