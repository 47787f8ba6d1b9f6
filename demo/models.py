"""What the demo county generator leaves behind besides ordinary parcels and layers.

The generator itself writes only into parcels/layers tables; this app keeps the list of
showcase parcels (one per legal trigger) so tests and the web map can find them by key.
"""
from __future__ import annotations

from django.db import models


class ShowcaseParcel(models.Model):
    """A demo parcel chosen because it exercises one rule, e.g. "80 m from a monument (R2)"."""

    key = models.SlugField(max_length=64, unique=True)
    parcel = models.ForeignKey("parcels.Parcel", on_delete=models.CASCADE, related_name="+")
    rules = models.JSONField(default=list, blank=True, help_text="Rule codes this parcel should trigger")
    description = models.CharField(max_length=255)
    # The distance the generator measured to the feature that matters (metres), for display.
    distance_m = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key
