"""The street register (nomenclatura stradală): streets, the names they carried, building numbers.

Versioned in time rather than by copies: every name and every number has `valid_from` (inclusive) and
`valid_to` (exclusive, empty while in force). A renaming closes the current name on the day of the
change and opens the new one on that day, so a look-up at any past date answers the name of that day;
exclusion constraints keep the periods of one street's names (and of one number on a street) apart.
Each import is recorded as a RegisterImport (source, checksum, counts), like a layer version.
"""
from __future__ import annotations

import re

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.db.models import F, Func, Q


class DateRange(Func):
    """daterange(valid_from, valid_to, '[)'): the period of a row, open-ended while valid_to is empty."""

    function = "DATERANGE"
    output_field = DateRangeField()


def _period() -> DateRange:
    return DateRange("valid_from", "valid_to", RangeBoundary())


NUMBER_RE = re.compile(r"^[1-9][0-9]{0,4}(?: ?[A-Za-z]{1,2}| bis| ter|-[1-9][0-9]{0,4}[A-Za-z]?)?$")


def number_key(number: str) -> str:
    """The comparable form of a building number: "12 a", "12A" and "12a" are one number."""
    return re.sub(r"\s+", "", number).upper()


class RegisterImport(models.Model):
    """One import of street register data (a GeoPackage or a CSV), kept for provenance."""

    uat = models.ForeignKey("parcels.UAT", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_name = models.CharField(max_length=255)
    source_sha256 = models.CharField(max_length=64, blank=True)
    streets = models.PositiveIntegerField(default=0)
    renamings = models.PositiveIntegerField(default=0)
    numbers = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.created_at:%Y-%m-%d})"


class Street(models.Model):
    """A street (stradă, bulevard, alee…) of a locality of a UAT, with its axis; its names live in StreetName."""

    uat = models.ForeignKey("parcels.UAT", on_delete=models.PROTECT, related_name="streets")
    locality = models.ForeignKey("parcels.Locality", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="streets")
    code = models.CharField(max_length=40, help_text="The street's code in the UAT's register (stable across renamings).")
    axis = models.MultiLineStringField(srid=3844, null=True, blank=True)
    source = models.ForeignKey(RegisterImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["uat_id", "code"]
        constraints = [models.UniqueConstraint(fields=["uat", "code"], name="street_unique_code_per_uat")]

    def __str__(self) -> str:
        current = next((n for n in self.names.all() if n.valid_to is None), None)
        return current.name if current else self.code


class StreetName(models.Model):
    """A name a street carried from `valid_from` until `valid_to` (exclusive), with the council decision."""

    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=200, blank=True, help_text="HCL nr./data: the legal basis of the name.")

    class Meta:
        ordering = ["street_id", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                                   name="streetname_period_positive"),
            ExclusionConstraint(name="streetname_periods_apart",
                                expressions=[("street", RangeOperators.EQUAL), (_period(), RangeOperators.OVERLAPS)]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from}–{self.valid_to or ''})"


class BuildingNumber(models.Model):
    """A building (postal) number on a street, as a point, with the parcel it lies in and its period."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="numbers")
    number = models.CharField(max_length=16)
    number_key = models.CharField(max_length=16, editable=False)
    parcel = models.ForeignKey("parcels.Parcel", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="building_numbers")
    point = models.PointField(srid=3844)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=200, blank=True, help_text="Disposition / decision assigning the number.")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    source = models.ForeignKey(RegisterImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["street_id", "number_key", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                                   name="buildingnumber_period_positive"),
            ExclusionConstraint(name="buildingnumber_periods_apart",
                                expressions=[("street", RangeOperators.EQUAL), ("number_key", RangeOperators.EQUAL),
                                             (_period(), RangeOperators.OVERLAPS)]),
        ]
        indexes = [models.Index(fields=["parcel"], condition=Q(valid_to__isnull=True),
                                name="buildingnumber_current_parcel")]

    def save(self, *args, **kwargs):
        self.number_key = number_key(self.number)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.number} ({self.valid_from}–{self.valid_to or ''})"
