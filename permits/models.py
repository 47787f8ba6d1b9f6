"""CU / AC / AD applications, their documents, audit trail, numbering, fees and issued acts.

Status changes happen only in permits.workflow; this module holds data, not rules.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q
from django.utils.translation import gettext_noop

from gis_portal.db import AppendOnlyModel
from permits.choices import (
    APPLICATION_PURPOSES,
    ApplicantType,
    Connection,
    Destination,
    DocType,
    Kind,
    Register,
    RoadAccess,
    Status,
    WorksKind,
)


class Application(models.Model):
    """A request to an issuer for a CU, an AC/AD, or the extension of one (forms F.1, F.7, F.8, F.12)."""

    kind = models.CharField(max_length=32, choices=Kind.choices)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.DRAFT, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    # UAT and issuer come from the analysis at submission (county council president across UATs).
    uat = models.ForeignKey("parcels.UAT", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issuer = models.ForeignKey("parcels.Issuer", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="applications")
    parcels = models.ManyToManyField("parcels.Parcel", related_name="applications")
    registration_number = models.PositiveIntegerField(null=True, blank=True)
    registration_year = models.PositiveSmallIntegerField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)

    applicant_type = models.CharField(max_length=8, choices=ApplicantType.choices)
    applicant_name = models.CharField(max_length=200)
    # CNP for a natural person, CUI for a company; validated by permits.identity.
    applicant_id_code = models.CharField(max_length=13)
    applicant_address = models.CharField(max_length=255, blank=True)
    applicant_email = models.EmailField(blank=True)
    representative_name = models.CharField(max_length=200, blank=True)
    designer_name = models.CharField(max_length=200, blank=True)

    purpose = models.CharField(max_length=20, choices=APPLICATION_PURPOSES, blank=True)
    works_kind = models.CharField(max_length=20, choices=WorksKind.choices, blank=True)
    works_description = models.TextField(blank=True)
    works_function = models.CharField(max_length=100, blank=True)
    # What a real request declares (F.1) and the works rules read (rules.works).
    works_destination = models.CharField(max_length=20, choices=Destination.choices, blank=True)
    works_built_area_m2 = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    works_occupants = models.PositiveIntegerField(null=True, blank=True)
    works_connections = ArrayField(models.CharField(max_length=12, choices=Connection.choices), default=list, blank=True)
    works_road_access = models.CharField(max_length=10, choices=RoadAccess.choices, blank=True)
    works_footprint = models.MultiPolygonField(srid=3844, null=True, blank=True)
    works_levels = models.PositiveSmallIntegerField(null=True, blank=True)
    works_height_m = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    works_gross_floor_area_m2 = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    works_value_ron = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    residential = models.BooleanField(default=True, help_text="Dwelling or annex (AC fee 0.5 %) or other (1 %).")
    taxable_value_ron = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    # AC/AD: the CU it is based on; extensions: the act they extend.
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="followups")

    # The analysis frozen at submission: the rules app's record and a copy of its result JSON.
    analysis = models.ForeignKey("rules.Analysis", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    analysis_result = models.JSONField(null=True, blank=True)
    # The clerk responsible for the request (permits.assignment: automatic at registration, by hand by the
    # head of the urbanism department; every change is a TransitionEvent "assign").
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="assigned_applications")
    # Chief-architect override of failed zoning compliance checks, with the written reason.
    compliance_override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                               on_delete=models.PROTECT, related_name="+")
    compliance_override_reason = models.TextField(blank=True)

    fee_ron = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    fee_breakdown = models.JSONField(default=dict, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    returned_count = models.PositiveSmallIntegerField(default=0)
    completeness_due = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, db_index=True)
    # The clock stops while returned for completion: the paused date is remembered.
    clock_paused_on = models.DateField(null=True, blank=True)

    # Validity of the issued act (set at issue) and its extension.
    validity_months = models.PositiveSmallIntegerField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    extended = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "registration_year", "registration_number"],
                                    name="application_unique_registration"),
        ]
        indexes = [models.Index(fields=["issuer", "status"], name="application_issuer_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.registration or '(ciornă)'}"

    @property
    def registration(self) -> str:
        if self.registration_number is None:
            return ""
        return f"{self.registration_number}/{self.registration_year}"


class Document(models.Model):
    """A typed file attached to an application; content-checked and checksummed on upload."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(max_length=20, choices=DocType.choices)
    file = models.FileField(upload_to="permits/documents/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.doc_type}: {self.original_name}"


class TransitionEvent(AppendOnlyModel):
    """One state change of an application (append-only: a database trigger forbids UPDATE/DELETE)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=32)
    to_status = models.CharField(max_length=32)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)
    # An assignment event (action "assign", the status unchanged): the clerk before and after.
    assigned_from = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")


    class Meta:
        ordering = ["at", "id"]


class RegisterCounter(models.Model):
    """The last number used in one register of an issuer in one year (locked FOR UPDATE to number)."""

    issuer = models.ForeignKey("parcels.Issuer", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    register = models.CharField(max_length=10, choices=Register.choices)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "year", "register"], name="counter_unique")]

    def __str__(self) -> str:
        return f"{self.issuer_id} {self.register} {self.year}: {self.last_number}"


class IssuedAct(models.Model):
    """The signed PDF of an issued CU / AC / AD, its register number and its public verification code."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="act")
    register = models.CharField(max_length=10, choices=Register.choices)
    number = models.PositiveIntegerField()
    year = models.PositiveSmallIntegerField()
    issued_on = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verify_code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pdf = models.FileField(upload_to="permits/acts/%Y/")
    sha256 = models.CharField(max_length=64)
    conditions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "register"], name="act_one_per_application"),
        ]

    def __str__(self) -> str:
        return f"{self.register} {self.number}/{self.year}"

    @property
    def numbering(self) -> str:
        return f"{self.number}/{self.year}"


class FeeSchedule(models.Model):
    """A UAT's local council values for the art. 474 fees; a missing row means the legal upper values."""

    uat = models.OneToOneField("parcels.UAT", on_delete=models.CASCADE, related_name="fee_schedule")
    # CU urban fee per area band (≤150, ≤250, ≤500, ≤750, ≤1000, >1000 base), in lei.
    cu_bands = models.JSONField(help_text="[[upper_m2 or null, lei], …] ascending; last row has null upper.")
    cu_per_m2_over_1000 = models.DecimalField(max_digits=6, decimal_places=4, default="0.01")
    council_decision = models.CharField(max_length=120, blank=True, help_text="HCL number/date")
    # [U] Codul fiscal art. 474 alin. (16): set by the local council, up to 9 lei; the upper value until then.
    address_certificate_ron = models.DecimalField(
        max_digits=8, decimal_places=2, default="9.00",
        help_text="Taxa certificatului de nomenclatură stradală și adresă (implicit 9 lei, valoarea maximă legală "
                  "[U]: verificați HCL).")
    # Excavations in the public domain: fee and restoration guarantee per m² dug (permits.excavations defaults).
    excavation_per_m2 = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True,
                                            help_text="Taxa de săpătură, lei/m² (gol: valoarea implicită)")
    excavation_guarantee_per_m2 = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True,
                                                      help_text="Garanția de refacere, lei/m² (gol: valoarea implicită)")

    def __str__(self) -> str:
        return f"Taxe {self.uat}"


class Payment(models.Model):
    """A payment of an application's fee, recorded by staff or confirmed by a provider callback."""

    class State(models.TextChoices):
        PENDING = "pending", "În așteptare"
        PAID = "paid", "Plătită"
        FAILED = "failed", "Eșuată"

    class Purpose(models.TextChoices):
        FEE = "fee", "Taxa de eliberare"
        REGULARISATION = "regularisation", "Regularizarea taxei (valoarea finală a lucrărilor)"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payments")
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.FEE, db_default=Purpose.FEE)
    # The issuer the fee is paid to (the application's, when the payment was made): receipt numbers are
    # the issuer's own series, unique per issuer only.
    issuer = models.ForeignKey("parcels.Issuer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=32)
    reference = models.CharField(max_length=64)
    amount_ron = models.DecimalField(max_digits=12, decimal_places=2)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # A receipt recorded by staff: its number is unique within the issuer's cash desk.
            models.UniqueConstraint(fields=["issuer", "provider", "reference"], condition=Q(recorded_by__isnull=False),
                                    name="payment_unique_receipt_per_issuer"),
            # An online payment: the provider's session reference identifies it (callbacks look it up).
            models.UniqueConstraint(fields=["provider", "reference"], condition=Q(recorded_by__isnull=True),
                                    name="payment_unique_provider_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.reference} {self.amount_ron} {self.state}"


class Works(models.Model):
    """The works of an issued AC/AD on site (permits.works): start and end notices, fee regularisation.

    Created by the start notice (comunicarea privind începerea execuției lucrărilor); the end notice adds the
    declared final value and the regularised fee (Codul fiscal art. 474); receptions are `Reception` rows.
    """

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="works")
    start_date = models.DateField()
    duration_months = models.PositiveSmallIntegerField(help_text="Durata de execuție prevăzută în autorizație.")
    end_due = models.DateField(help_text="Start date plus the authorised duration.")
    contractor_name = models.CharField(max_length=200, blank=True)
    start_announced_at = models.DateTimeField()
    end_date = models.DateField(null=True, blank=True)
    end_announced_at = models.DateTimeField(null=True, blank=True)
    final_value_ron = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # The regularised fee on the final value and the difference to the fee paid: > 0 to pay, < 0 to refund.
    regularised_fee_ron = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    regularisation_ron = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    regularisation_due = models.DateField(null=True, blank=True)
    regularisation_breakdown = models.JSONField(default=dict, blank=True)
    regularisation_paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_reference = models.CharField(max_length=64, blank=True)
    refund_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")

    class Meta:
        verbose_name_plural = "works"

    def __str__(self) -> str:
        return f"Lucrări {self.application_id} din {self.start_date}"


class Reception(models.Model):
    """A reception at the end of works (HG 343/2017): a rejected one keeps the file open, a later one closes it."""

    class Outcome(models.TextChoices):
        ADMITTED = "admitted", "Admisă"
        ADMITTED_WITH_REMARKS = "admitted_with_remarks", "Admisă cu obiecții"
        REJECTED = "rejected", "Respinsă"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="receptions")
    date = models.DateField()
    commission = models.JSONField(default=list, help_text="The members, one name (and role) per item.")
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    remarks = models.TextField(blank=True)
    report = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"Recepție {self.application_id} {self.date}: {self.outcome}"


class AssignmentPolicy(models.Model):
    """How an issuer's new requests are given to its clerks (permits.assignment); one row per issuer,
    locked FOR UPDATE while a request is assigned, so concurrent registrations take turns."""

    class Kind(models.TextChoices):
        ROUND_ROBIN = "round_robin", gettext_noop("Pe rând (round robin)")
        LEAST_OPEN = "least_open", gettext_noop("Cel mai puțin încărcat")
        BY_UAT = "by_uat", gettext_noop("După UAT")
        BY_LOCALITY = "by_locality", gettext_noop("După localitate")

    issuer = models.OneToOneField("parcels.Issuer", on_delete=models.CASCADE, related_name="assignment_policy")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ROUND_ROBIN)
    # Round robin: the clerk who received the last request (the next one goes to the clerk after them).
    last_assigned = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.issuer_id}: {self.kind}"


class AssignmentRule(models.Model):
    """One line of an issuer's mapping for the by-UAT or by-locality policies: requests there go to `clerk`."""

    issuer = models.ForeignKey("parcels.Issuer", on_delete=models.CASCADE, related_name="assignment_rules")
    uat = models.ForeignKey("parcels.UAT", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    locality = models.ForeignKey("parcels.Locality", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment_rules")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(uat__isnull=True) ^ Q(locality__isnull=True),
                                   name="assignment_rule_uat_xor_locality"),
            models.UniqueConstraint(fields=["issuer", "uat"], condition=Q(uat__isnull=False),
                                    name="assignment_rule_unique_uat"),
            models.UniqueConstraint(fields=["issuer", "locality"], condition=Q(locality__isnull=False),
                                    name="assignment_rule_unique_locality"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id}: {self.uat_id or self.locality_id} → {self.clerk_id}"
class Excavation(models.Model):
    """What an excavation permit authorises: the dug area in the public domain, the street, the dates,
    and the restoration guarantee; the conflicts found by "dig once" and the clerk's decision on them."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="excavation")
    geom = models.MultiPolygonField(srid=3844, help_text="The dug area (the trench buffered by half its width).")
    axis = models.LineStringField(srid=3844, null=True, blank=True, help_text="The trench axis, when drawn as a line.")
    width_m = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    area_m2 = models.DecimalField(max_digits=10, decimal_places=2)
    street = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    roadway_closed = models.BooleanField(default=False)
    guarantee_ron = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    guarantee_paid_at = models.DateTimeField(null=True, blank=True)
    guarantee_released_at = models.DateTimeField(null=True, blank=True)
    # Dig once: the overlaps found at the last check, and the recorded decision that they are coordinated.
    conflicts = models.JSONField(default=list, blank=True)
    coordinated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    coordinated_at = models.DateTimeField(null=True, blank=True)
    coordination_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="excavation_dates")]

    def __str__(self) -> str:
        return f"Săpătură {self.street} {self.starts_on}–{self.ends_on}"


class ExcavationPolicy(models.Model):
    """An issuer's own values for excavations: the moratorium after a street's rehabilitation."""

    issuer = models.OneToOneField("parcels.Issuer", on_delete=models.CASCADE, related_name="excavation_policy")
    moratorium_years = models.PositiveSmallIntegerField(
        default=5, help_text="[U] Ani după reabilitarea străzii în care nu se sapă (valoare implicită editabilă).")

    def __str__(self) -> str:
        return f"{self.issuer}: {self.moratorium_years} ani"
