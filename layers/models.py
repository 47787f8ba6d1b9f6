"""Thematic GIS layers (zoning, constraints, reference, rasters), versioned per import.

A layer's `theme` is the `layer` code of the spatial rules catalogue (lmi_monument,
railway_axis, utr_polygon, intravilan_limit, …): rules select features by theme, never by name.
Each import creates a new LayerVersion; older versions are kept and exactly one is current.
Outside a version's coverage the answer is "no data", not "no constraint".
"""
from __future__ import annotations

from django.contrib.gis.db import models


class Layer(models.Model):
    """A named layer of one theme, e.g. "Monumente istorice (LMI 2015)" of theme lmi_monument."""

    class Kind(models.TextChoices):
        ZONING = "zoning", "Zonificare"
        CONSTRAINT = "constraint", "Restricție"
        REFERENCE = "reference", "Referință"
        RASTER = "raster", "Raster"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    theme = models.CharField(max_length=64, db_index=True)
    provenance = models.TextField(blank=True)
    # Shown by the web map's attribution control for this layer's source (data owner and licence).
    attribution = models.CharField(max_length=300, blank=True)
    synthetic = models.BooleanField(default=False, db_default=False, help_text="Invented data (the demo county), not an official source.")
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class LayerVersion(models.Model):
    """One import of a layer. Features and rasters belong to a version; one version is current."""

    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    source_name = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    source_srid = models.PositiveIntegerField(null=True, blank=True)
    feature_count = models.PositiveIntegerField(default=0)
    # Where this version has data. Null means "the whole territory of the project".
    coverage = models.MultiPolygonField(srid=3844, null=True, blank=True)
    # Raster layers: the GeoTIFF (reprojected to EPSG:3844) in storage, with band metadata.
    raster_file = models.FileField(upload_to="rasters/", blank=True)
    raster_meta = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["layer_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "number"], name="layerversion_unique_number"),
            models.UniqueConstraint(fields=["layer"], condition=models.Q(is_current=True),
                                    name="layerversion_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.layer.slug} v{self.number}"


class Feature(models.Model):
    """A vector feature of a layer version, with its source attributes (group, voltage, width…)."""

    version = models.ForeignKey(LayerVersion, on_delete=models.CASCADE, related_name="features")
    source_id = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=255, blank=True)
    attrs = models.JSONField(default=dict, blank=True)
    geom = models.GeometryField(srid=3844)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or f"feature {self.pk}"


class FeaturePart(models.Model):
    """A piece of a feature from ST_Subdivide: small boxes make spatial predicates on large
    polygons (flood zones, Natura 2000 sites, intravilan limits) cheap."""

    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="parts")
    version = models.ForeignKey(LayerVersion, on_delete=models.CASCADE, related_name="+")
    geom = models.GeometryField(srid=3844)


class ZoningUnit(models.Model):
    """A UTR (unitate teritorială de referință) of a UAT with its regulation from the PUG/PUZ RLU.

    Its geometry comes from the current `utr_polygon` layer: features whose attribute `utr_code`
    equals `code` in the same UAT. The regulation lives here so re-importing the drawing does not
    lose it.
    """

    uat = models.ForeignKey("parcels.UAT", on_delete=models.CASCADE, related_name="zoning_units")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    allowed_functions = models.JSONField(default=list, blank=True)
    conditioned_functions = models.JSONField(default=list, blank=True)  # [{"function":…, "condition":…}]
    forbidden_functions = models.JSONField(default=list, blank=True)
    pot_max = models.FloatField(help_text="Maximum POT, percent of lot area")
    cut_max = models.FloatField(help_text="Maximum CUT (floor area / lot area)")
    height_max_m = models.FloatField(null=True, blank=True)
    levels_max = models.CharField(max_length=32, blank=True, help_text="Height regime, e.g. P+2E+M")
    setback_street_m = models.FloatField(null=True, blank=True)
    setback_side_m = models.FloatField(null=True, blank=True)
    setback_rear_m = models.FloatField(null=True, blank=True)
    min_lot_area_m2 = models.FloatField(null=True, blank=True)
    min_frontage_m = models.FloatField(null=True, blank=True)
    plan = models.CharField(max_length=200, blank=True, help_text="Approving plan, e.g. PUG Bacău, HCL 123/2020")

    class Meta:
        ordering = ["uat_id", "code"]
        constraints = [models.UniqueConstraint(fields=["uat", "code"], name="zoningunit_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} ({self.uat.name})"
