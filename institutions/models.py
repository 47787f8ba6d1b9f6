"""Partner institutions (instituții avizatoare): who they are and where they have jurisdiction."""
from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField

from gis_portal.db import AppendOnlyModel
from gis_portal.outbound import webhook_url_validator


class Institution(models.Model):
    """An institution that must give an aviz when a rule of its kind fires inside its jurisdiction."""

    class Kind(models.TextChoices):
        CULTURE = "culture", "Cultură (DJC / Ministerul Culturii)"
        ENVIRONMENT = "environment", "Mediu (APM)"
        FIRE = "fire", "Situații de urgență (ISU)"
        HEALTH = "health", "Sănătate publică (DSP)"
        WATER = "water", "Gospodărirea apelor (ABA / SGA)"
        ROADS_NATIONAL = "roads_national", "Drumuri naționale (CNAIR / DRDP)"
        ROADS_LOCAL = "roads_local", "Drumuri județene / locale"
        ROADS_STREET = "roads_street", "Străzi (primăria, administratorul drumurilor publice locale)"
        POLICE = "police", "Poliția rutieră"
        RAIL = "rail", "Căi ferate (CN CFR)"
        ELECTRICITY = "electricity", "Energie electrică (distribuție)"
        ELECTRICITY_TRANSPORT = "electricity_transport", "Energie electrică (transport, Transelectrica)"
        GAS = "gas", "Gaze naturale"
        WATER_UTILITY = "water_utility", "Alimentare cu apă"
        SEWERAGE = "sewerage", "Canalizare"
        HEATING = "heating", "Alimentare cu energie termică (termoficare)"
        TELECOM = "telecom", "Telefonizare / comunicații electronice"
        SANITATION = "sanitation", "Salubritate"
        TRANSPORT = "transport", "Transport urban"
        AVIATION = "aviation", "Aviație civilă (AACR)"
        DEFENCE = "defence", "Apărare (MApN / SMG)"
        METEO = "meteo", "Meteorologie (ANM)"
        CADASTRE = "cadastre", "Cadastru (OCPI)"
        # Not an avizator: told of the start and end of works (permits.works), collects the quotas.
        ISC = "isc", "Inspectoratul de Stat în Construcții (ISC)"
        OTHER = "other", "Altele"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
    # Further kinds the same institution answers for (one operator for water and sewerage).
    also_kinds = ArrayField(models.CharField(max_length=32, choices=Kind.choices), default=list, blank=True)
    # Seed rows whose name or contact is invented for the demo (not a verified operator).
    synthetic = models.BooleanField(default=False, db_default=False)
    county = models.CharField(max_length=60, blank=True)
    jurisdiction_uats = models.ManyToManyField("parcels.UAT", blank=True, related_name="institutions")
    # Optional jurisdiction area; with neither UATs nor area, the institution covers its whole county.
    jurisdiction_area = models.MultiPolygonField(srid=3844, null=True, blank=True)
    email = models.EmailField(blank=True)
    # https, to a public address (checked again at each delivery: gis_portal.outbound).
    webhook_url = models.URLField(blank=True, validators=[webhook_url_validator])
    # Shared secret for signing webhooks (HMAC-SHA256); generated when the institution is created.
    webhook_secret = models.CharField(max_length=64, blank=True)
    response_days = models.PositiveSmallIntegerField(default=15)
    # ISU counts its 15 days as working days (domain-ro §1.8); everyone else in calendar days.
    response_working_days = models.BooleanField(default=False)
    tacit_approval = models.BooleanField(
        default=True, help_text="False for defence, public order and national security (OUG 31/2025)."
    )
    legal_basis = models.TextField(blank=True)
    address = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def kinds(self) -> set[str]:
        return {self.kind, *self.also_kinds}


class InstitutionEvent(AppendOnlyModel):
    """Who changed an institution's webhook settings, and when (append-only; never the secret itself)."""

    class Action(models.TextChoices):
        WEBHOOK_URL_SET = "webhook_url_set", "Adresă webhook schimbată"
        WEBHOOK_SIGNING_KEY_ROTATED = "webhook_secret_rotated", "Secret webhook rotit"

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.action} by {self.by_id}"
