"""The digitised paper archive of an issuer: old acts (CU, AC, AD, others), their scans and OCR text.

An act is matched to a parcel of its issuer's UATs (by cadastral number, else by address) or waits in
the review queue (`parcel` empty) until a clerk places it on the map. Its text (the PDF's own text
layer, else Romanian OCR) is searchable through `search` (PostgreSQL full-text, configuration
`archive_ro`: `simple` with `unaccent`, so ș/ş, ț/ţ, ă, â, î match with or without diacritics).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.utils.translation import gettext_noop

SEARCH_CONFIG = "archive_ro"


class ArchiveAct(models.Model):
    """One paper act of the issuer's archive (a register entry: kind, number, year)."""

    class Kind(models.TextChoices):
        CU = "cu", gettext_noop("Certificat de urbanism")
        AC = "ac", gettext_noop("Autorizație de construire")
        AD = "ad", gettext_noop("Autorizație de desființare")
        OTHER = "other", gettext_noop("Alt act")

    class MatchedBy(models.TextChoices):
        NONE = "", gettext_noop("În așteptare (coada de verificare)")
        CADASTRAL = "cadastral", gettext_noop("Număr cadastral")
        ADDRESS = "address", gettext_noop("Adresă")
        MANUAL = "manual", gettext_noop("Plasat pe hartă de un funcționar")

    class TextStatus(models.TextChoices):
        PENDING = "pending", gettext_noop("Text în curs de extragere")
        DONE = "done", gettext_noop("Text extras")
        FAILED = "failed", gettext_noop("Extragerea textului a eșuat")

    issuer = models.ForeignKey("parcels.Issuer", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    number = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    holder = models.CharField(max_length=200, blank=True)
    cadastral_number = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=255, blank=True)
    parcel = models.ForeignKey("parcels.Parcel", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="archive_acts")
    matched_by = models.CharField(max_length=10, choices=MatchedBy.choices, blank=True, default="")
    placed_point = models.PointField(srid=3844, null=True, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    placed_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True)
    text_status = models.CharField(max_length=8, choices=TextStatus.choices, default=TextStatus.PENDING)
    search = SearchVectorField(null=True, editable=False)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "kind", "year", "number"], name="archive_act_unique_number"),
        ]
        indexes = [
            GinIndex(fields=["search"], name="archive_act_search_idx"),
            models.Index(fields=["issuer", "matched_by"], name="archive_act_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}/{self.year}"

    @property
    def is_public(self) -> bool:
        """Issued AC / AD are public acts (the monthly public list of Norme 839/2009 art. 4)."""
        return self.kind in (self.Kind.AC, self.Kind.AD)


class ArchiveFile(models.Model):
    """A scanned file of an act (the act itself or an annex): PDF or TIFF, content-sniffed on import."""

    class Role(models.TextChoices):
        ACT = "act", gettext_noop("Actul")
        ANNEX = "annex", gettext_noop("Anexă")

    act = models.ForeignKey(ArchiveAct, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.ACT)
    file = models.FileField(upload_to="archive/%Y/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    pages = models.PositiveSmallIntegerField()
    sha256 = models.CharField(max_length=64)
    text = models.TextField(blank=True)
    text_source = models.CharField(max_length=8, blank=True, help_text="layer (the PDF's own text) or ocr")

    class Meta:
        ordering = ["act_id", "id"]
        constraints = [models.UniqueConstraint(fields=["act", "sha256"], name="archive_file_unique_content")]

    def __str__(self) -> str:
        return self.original_name
