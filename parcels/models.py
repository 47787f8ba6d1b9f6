"""Administrative units, issuing authorities, cadastral parcels and their buildings.

All geometry is stored in Stereo 70 (EPSG:3844), so areas and distances are in metres.
Whether a parcel is intravilan is not stored: it is derived from the current `intravilan_limit`
layer (parcels.selectors), so a new PUG limit takes effect without rewriting parcels.
No personal data of owners is kept here.
"""
from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex


class UAT(models.Model):
    """A unitate administrativ-teritorială (municipiu, oraș, comună), keyed by its SIRUTA code."""

    class Kind(models.TextChoices):
        MUNICIPIU = "municipiu", "Municipiu"
        ORAS = "oras", "Oraș"
        COMUNA = "comuna", "Comună"

    siruta = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=120)
    county = models.CharField(max_length=60)
    county_code = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    boundary = models.MultiPolygonField(srid=3844)
    # Legea 50/1991 art. 4: a UAT whose mayor has no arhitect-șef / urbanism department of his own has
    # its certificates and authorisations issued by the county council president (rules.issuer).
    has_urbanism_department = models.BooleanField(
        "are arhitect-șef / compartiment de urbanism", default=True, db_default=True,
        help_text="Without one, the county council president issues the CU / AC / AD for this UAT.")

    class Meta:
        ordering = ["siruta"]
        verbose_name = "UAT"

    def __str__(self) -> str:
        return f"{self.name} ({self.siruta})"

    @property
    def is_urban(self) -> bool:
        """Municipii and orașe are urban localities; comune are rural (Legea 5/2000, R2/R3)."""
        return self.kind in (self.Kind.MUNICIPIU, self.Kind.ORAS)


class Locality(models.Model):
    """A SIRUTA locality (a village, a component locality of a town) of a UAT."""

    siruta = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=120)
    uat = models.ForeignKey(UAT, on_delete=models.CASCADE, related_name="localities")
    kind = models.CharField(max_length=80, help_text="SIRUTA type, e.g. “sat reședință de comună”")
    is_seat = models.BooleanField(default=False, help_text="Seat of its UAT")
    urban = models.BooleanField(default=False)
    postal_code = models.CharField(max_length=6, blank=True)

    class Meta:
        ordering = ["siruta"]
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return f"{self.name} ({self.siruta})"


class Issuer(models.Model):
    """The emitent: the mayor of a UAT, or the county council president for works across UATs."""

    class Kind(models.TextChoices):
        PRIMAR = "primar", "Primar"
        PRESEDINTE_CJ = "presedinte_cj", "Președinte consiliu județean"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    uat = models.OneToOneField(UAT, null=True, blank=True, on_delete=models.PROTECT, related_name="issuer")
    county = models.CharField(max_length=60)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="presedinte_cj", uat__isnull=True) | models.Q(kind="primar", uat__isnull=False),
                name="issuer_mayor_has_uat",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Parcel(models.Model):
    """A cadastral imobil: cadastral number unique within its UAT (Legea 7/1996)."""

    class UseCategory(models.TextChoices):
        CC = "CC", "Curți construcții"
        A = "A", "Arabil"
        P = "P", "Pășune"
        F = "F", "Fâneață"
        V = "V", "Vie"
        L = "L", "Livadă"
        PD = "PD", "Pădure"
        DR = "DR", "Drum"
        HB = "HB", "Ape"
        N = "N", "Neproductiv"

    # No index of its own: the unique (uat, cadastral_number) index leads with uat_id.
    uat = models.ForeignKey(UAT, on_delete=models.PROTECT, related_name="parcels", db_index=False)
    cadastral_number = models.CharField(max_length=32)
    cf_number = models.CharField(max_length=32, blank=True)
    old_cf_number = models.CharField(max_length=32, blank=True)
    topo_number = models.CharField(max_length=64, blank=True)
    geom = models.MultiPolygonField(srid=3844)
    legal_area_m2 = models.FloatField(null=True, blank=True)
    measured_area_m2 = models.FloatField()
    use_category = models.CharField(max_length=2, choices=UseCategory.choices, blank=True)
    address = models.CharField(max_length=255, blank=True)
    # Demo parcels are invented (no open cadastral data exists): marked so nobody takes them for ANCPI's.
    synthetic = models.BooleanField(default=False, db_default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        # Cadastral numbers are only compared for equality (and LIKE 'prefix%'), never range-scanned
        # in collation order: pattern_ops btrees sort by bytes, which a bulk import builds ~2x faster
        # than collation-aware ones, and still serve "=". The cadastral number leads, so the one
        # unique index also answers a search by cadastral number in any UAT (a bulk load builds
        # one index instead of two).
        constraints = [
            models.UniqueConstraint(fields=["cadastral_number", "uat"], name="parcel_unique_cadastral_number",
                                    opclasses=["varchar_pattern_ops", "int8_ops"]),
        ]
        indexes = [
            # Address search (ILIKE '%word%') at county scale: a trigram index (migration 0002 enables pg_trgm).
            GinIndex(fields=["address"], opclasses=["gin_trgm_ops"], name="parcel_address_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cadastral_number} / {self.uat.name}"


class Building(models.Model):
    """A building (construcție C1, C2…) registered on a parcel."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="buildings")
    cadastral_id = models.CharField(max_length=16)
    footprint = models.MultiPolygonField(srid=3844)
    levels = models.PositiveSmallIntegerField(default=1)
    height_m = models.FloatField(null=True, blank=True)
    built_area_m2 = models.FloatField()
    destination = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["parcel_id", "cadastral_id"]
        constraints = [
            models.UniqueConstraint(fields=["parcel", "cadastral_id"], name="building_unique_per_parcel"),
        ]

    def __str__(self) -> str:
        return f"{self.cadastral_id} on {self.parcel_id}"
