"""Spatial rules as data (the R1…R37 catalogue) and the stored analyses that apply them.

A rule says: features of these themes, related to the analysed geometry by this predicate
(intersects, within a distance, within, adjacent) or the proposed works' kind (attribute),
under these conditions (locality class, works kinds, feature attributes), have this effect
(an aviz from an institution kind, a prohibition, a warning, the zoning regime, a Civil Code check).
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError

from institutions.models import Institution
from rules.choices import F6_GROUPS


class CatalogueRow(models.Model):
    """What a spatial rule and a works rule share: a catalogue code (each declares its own `code` and
    `title`), the message and its legal basis, the confidence tag, and a version that grows on each edit."""

    class Confidence(models.TextChoices):
        C = "C", "C — confirmed"
        S = "S", "S — secondary source"
        U = "U", "U — unconfirmed default"
        CS = "C/S", "C/S"
        SU = "S/U", "S/U — partly unconfirmed default"

    code: str
    title: str
    message_ro = models.TextField()
    message_en = models.TextField()
    legal_basis = models.TextField()
    source_url = models.TextField(blank=True)
    confidence = models.CharField(max_length=3, choices=Confidence.choices)
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_default(self) -> bool:
        """U rows are editable defaults: shown to staff as such, never as settled law."""
        return "U" in self.confidence

    @property
    def sort_key(self) -> tuple[str, int, str]:
        # By series, then number: R1…R37 (spatial), W… (works), then the excavation X-series.
        digits = "".join(ch for ch in self.code if ch.isdigit())
        letters = "".join(ch for ch in self.code if ch.isalpha())
        return (letters, int(digits or 0), self.code)


class Rule(CatalogueRow):
    """One row of the spatial rules catalogue, editable in the admin; `version` grows on each edit."""

    class Predicate(models.TextChoices):
        INTERSECTS = "intersects", "Intersects (overlap ≥ minimum)"
        WITHIN_DISTANCE = "within_distance", "Within distance"
        WITHIN = "within", "Within"
        ADJACENT = "adjacent", "Adjacent (touching or across a street)"
        ATTRIBUTE = "attribute", "Attribute of the proposed works"

    class Effect(models.TextChoices):
        REQUIRES_AVIZ = "requires_aviz", "Requires an aviz"
        FORBIDS = "forbids", "Forbids"
        WARNS = "warns", "Warns"
        APPLIES_ZONING = "applies_zoning", "Applies the zoning regime"
        CIVIL_CODE_CHECK = "civil_code_check", "Civil Code / RGU check"
        CLASSIFIES = "classifies", "Classifies the locality (urban / rural / extravilan)"

    LOCALITY_CLASSES = ("urban", "rural", "extravilan")

    code = models.CharField(max_length=16, unique=True, help_text="Catalogue id, e.g. R2")
    title = models.CharField(max_length=200)
    themes = ArrayField(models.CharField(max_length=64), default=list, blank=True,
                        help_text="Layer themes the rule reads, e.g. lmi_monument")
    predicate = models.CharField(max_length=16, choices=Predicate.choices)
    distance_m = models.FloatField(null=True, blank=True, help_text="Buffer distance in metres")
    # [{"theme": "dam", "distance_m": 20}, {"attrs": {"regulated": true}, "distance_m": 2}]: the first
    # override matching a feature replaces distance_m for that feature.
    distance_overrides = models.JSONField(default=list, blank=True)
    locality_classes = ArrayField(models.CharField(max_length=12), default=list, blank=True,
                                  help_text="Applies only in these classes (empty: everywhere)")
    works_kinds = ArrayField(models.CharField(max_length=40), default=list, blank=True,
                             help_text="Applies only to these works kinds (empty: any); for attribute rules, the trigger")
    works_kinds_trigger = ArrayField(models.CharField(max_length=40), default=list, blank=True,
                                     help_text="Also fires, regardless of geometry, for these works kinds")
    # {"voltage_kv": [110, "110"]}: a feature passes when each listed attribute has one of the values.
    # A feature lacking the attribute is not excluded (a missing attribute must never hide a constraint).
    feature_filter = models.JSONField(default=dict, blank=True)
    # Extra numbers of non-spatial checks, e.g. R35 {"min_area_m2": 200, "min_frontage_m": 12}.
    params = models.JSONField(default=dict, blank=True)
    no_protection_zone = models.BooleanField(
        default=False, help_text="Only features without a delimited protection zone (monuments, R2–R4)")
    min_overlap_m2 = models.FloatField(default=1.0, help_text="Smaller overlaps are slivers along shared edges")
    effect = models.CharField(max_length=20, choices=Effect.choices)
    institution_kinds = ArrayField(models.CharField(max_length=32, choices=Institution.Kind.choices),
                                   default=list, blank=True)


class WorksRule(CatalogueRow):
    """A rule on the declared works (not on the map): when the works match `conditions`, the AC request
    needs this item (an aviz, the environmental act, a study, a document or a fee), in this F.6 group.

    `conditions` (all must hold; an absent key does not restrict):
      operations / destinations / road_access / locality_classes: the works' value is one of these;
      not_destinations / not_operations: the works' value is declared and none of these;
      connections_any: at least one of these connections is requested;
      min / max: {number: bound} each number present and within the bound (a missing number fails);
      any_min: {number: bound} at least one number present and ≥ its bound.
    """

    class Item(models.TextChoices):
        AVIZ = "aviz", "Aviz / acord"
        ACT = "act", "Act administrativ (mediu)"
        STUDY = "study", "Studiu"
        DOCUMENT = "document", "Document"
        FEE = "fee", "Taxă"

    GROUPS = [(code, ro) for code, ro, _ in F6_GROUPS]

    code = models.CharField(max_length=16, unique=True, help_text="Catalogue id, e.g. W1")
    title = models.CharField(max_length=200)
    conditions = models.JSONField(default=dict, blank=True)
    item = models.CharField(max_length=10, choices=Item.choices)
    group = models.CharField(max_length=20, choices=GROUPS)
    institution_kinds = ArrayField(models.CharField(max_length=32, choices=Institution.Kind.choices),
                                   default=list, blank=True, help_text="Who gives the aviz or act (resolved per UAT)")
    label_ro = models.CharField(max_length=200, help_text="The line printed on the CU, e.g. Alimentare cu apă")
    label_en = models.CharField(max_length=200)

    def clean(self) -> None:
        from rules.works import conditions_problems

        problems = conditions_problems(self.conditions)
        if problems:
            raise ValidationError({"conditions": problems})
        if self.item in (self.Item.AVIZ, self.Item.ACT) and not self.institution_kinds:
            raise ValidationError({"institution_kinds": ["An aviz or act names the kind of institution giving it."]})


class RuleRevision(models.Model):
    """Each version of a rule (spatial or works) as it was: kept when the rule changes, so an analysis
    that recorded (code, version) can always be read against the rule it used."""

    class Catalogue(models.TextChoices):
        SPATIAL = "spatial", "Spatial rule"
        WORKS = "works", "Works rule"

    catalogue = models.CharField(max_length=8, choices=Catalogue.choices)
    code = models.CharField(max_length=16)
    version = models.PositiveIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["catalogue", "code", "version"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "code", "version"], name="rule_revision_unique")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Analysis(models.Model):
    """A stored spatial analysis of a geometry (and optionally proposed works).

    The id is a random UUID: anonymous analyses (the public "what does the zoning allow" lookup)
    are readable by whoever holds the id, and ids cannot be enumerated.
    """

    # Not columns: set by rules.services.analysis_create for the answer it serves right away.
    parcel_ids: list[int]
    works_json: str
    result_json: str

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="analyses")
    created_at = models.DateTimeField(auto_now_add=True)
    geometry = models.MultiPolygonField(srid=3844, spatial_index=False)  # read by id only: no GiST to keep up per insert
    parcels = models.ManyToManyField("parcels.Parcel", blank=True, related_name="analyses")
    # The UATs the geometry falls in: scopes what issuer staff may read.
    uats = models.ManyToManyField("parcels.UAT", blank=True, related_name="analyses")
    works = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"analysis {self.pk}"
