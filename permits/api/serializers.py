"""Input and output serializers of the permits API (views stay thin)."""
from __future__ import annotations

from typing import cast

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gis_portal.api.geojson import geometry_dict
from permits import fees, workflow
from permits.choices import (
    APPLICATION_PURPOSES,
    ApplicantType,
    Connection,
    Destination,
    DocType,
    Kind,
    RoadAccess,
    WorksKind,
)
from permits.models import Application, Document, Payment, TransitionEvent


class ApplicationInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    applicant_type = serializers.ChoiceField(choices=ApplicantType.choices)
    applicant_name = serializers.CharField(max_length=200)
    applicant_id_code = serializers.CharField(max_length=16, help_text="CNP (person) or CUI (company).")
    applicant_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    applicant_email = serializers.EmailField(required=False, allow_blank=True)
    representative_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    designer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    parcel_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=50,
                                       required=False)
    based_on = serializers.IntegerField(required=False, allow_null=True, help_text="CU (for AC/AD) or act extended.")
    purpose = serializers.ChoiceField(choices=APPLICATION_PURPOSES, required=False, allow_blank=True)
    works_kind = serializers.ChoiceField(choices=WorksKind.choices, required=False, allow_blank=True)
    works_description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    works_function = serializers.CharField(max_length=100, required=False, allow_blank=True)
    works_destination = serializers.ChoiceField(choices=Destination.choices, required=False, allow_blank=True)
    works_built_area_m2 = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0,
                                                   max_value=10_000_000, required=False, allow_null=True)
    works_occupants = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)
    works_connections = serializers.ListField(child=serializers.ChoiceField(choices=Connection.choices),
                                              max_length=len(Connection.choices), required=False)
    works_road_access = serializers.ChoiceField(choices=RoadAccess.choices, required=False, allow_blank=True)
    works_levels = serializers.IntegerField(min_value=0, max_value=200, required=False, allow_null=True)
    works_height_m = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False,
                                              allow_null=True)
    works_gross_floor_area_m2 = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0,
                                                         required=False, allow_null=True)
    works_value_ron = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                               allow_null=True)
    residential = serializers.BooleanField(required=False)
    taxable_value_ron = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                                 allow_null=True)
    footprint = serializers.JSONField(required=False, allow_null=True, help_text="GeoJSON polygon (EPSG:4326 "
                                      "unless footprint_crs says otherwise).")
    footprint_crs = serializers.CharField(required=False, allow_blank=True)
    excavation = serializers.JSONField(required=False, help_text="Excavation in the public domain: {geometry "
                                       "(GeoJSON LineString with width_m, or Polygon), width_m, street, starts_on, "
                                       "ends_on, roadway_closed}.")
    excavation_crs = serializers.CharField(required=False, allow_blank=True)

    def validate_works_connections(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


# Value formats of the output fields, built once per process (the same fields DRF would build per request).
_DATETIME = serializers.DateTimeField()
_DECIMALS = {name: serializers.DecimalField(max_digits=cast(models.DecimalField, Application._meta.get_field(name)).max_digits,
                                            decimal_places=cast(models.DecimalField,
                                                                Application._meta.get_field(name)).decimal_places)
             for name in ("fee_ron", "works_height_m", "works_gross_floor_area_m2", "works_built_area_m2",
                          "works_value_ron", "taxable_value_ron")}


def _date(value):
    return value.isoformat() if value is not None else None


def _decimal(name: str, value):
    return _DECIMALS[name].to_representation(value) if value is not None else None


class ParcelBrief(serializers.Serializer):
    id = serializers.IntegerField()
    cadastral_number = serializers.CharField()
    uat = serializers.IntegerField(source="uat_id")


class ActBrief(serializers.Serializer):
    register = serializers.CharField()
    number = serializers.CharField(source="numbering")
    issued_on = serializers.DateField()
    sha256 = serializers.CharField()
    verify_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_verify_url(self, act) -> str:
        from permits.issuance import verify_url

        return verify_url(act.verify_code)


class ApplicationOutput(serializers.ModelSerializer):
    registration = serializers.CharField(read_only=True)
    uat_siruta = serializers.IntegerField(source="uat.siruta", default=None)
    issuer_name = serializers.CharField(source="issuer.name", default=None)
    parcels = ParcelBrief(many=True)
    act = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "kind", "status", "registration", "registered_at", "uat_siruta", "issuer", "issuer_name",
                  "parcels", "applicant_type", "applicant_name", "purpose", "works_kind", "based_on", "fee_ron",
                  "paid_at", "completeness_due", "due_date", "valid_until", "act", "allowed_actions", "created_at"]

    def to_representation(self, app) -> dict:
        # The declared fields above are the OpenAPI schema; DRF's generic rendering builds them for every
        # request (~25 fields, each value through its field) and was most of the CPU of the list. This is
        # the same output, written out (tests/permits/test_application_output.py compares the two).
        return {
            "id": app.id, "kind": app.kind, "status": app.status, "registration": app.registration,
            "registered_at": _DATETIME.to_representation(app.registered_at),
            "uat_siruta": app.uat.siruta if app.uat_id else None, "issuer": app.issuer_id,
            "issuer_name": app.issuer.name if app.issuer_id else None,
            "parcels": [{"id": pk, "cadastral_number": number, "uat": uat}  # annotated by permits.selectors
                        for pk, number, uat in app.parcels_shown or ()],
            "applicant_type": app.applicant_type, "applicant_name": app.applicant_name, "purpose": app.purpose,
            "works_kind": app.works_kind, "based_on": app.based_on_id, "fee_ron": _decimal("fee_ron", app.fee_ron),
            "paid_at": _DATETIME.to_representation(app.paid_at),
            "completeness_due": _date(app.completeness_due), "due_date": _date(app.due_date),
            "valid_until": _date(app.valid_until), "act": self.get_act(app),
            "allowed_actions": self.get_allowed_actions(app), "created_at": _DATETIME.to_representation(app.created_at),
        }

    @extend_schema_field(ActBrief(allow_null=True))
    def get_act(self, app):
        act = getattr(app, "act", None) if app.status in ("issued", "expired", "works_started", "works_ended",
                                                           "closed") else None
        if act is None:
            return None
        from permits.issuance import verify_url

        return {"register": act.register, "number": act.numbering, "issued_on": _date(act.issued_on),
                "sha256": act.sha256, "verify_url": verify_url(act.verify_code)}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=workflow.ACTIONS)))
    def get_allowed_actions(self, app) -> list[str]:
        return workflow.allowed_actions(app, self.context["request"].user)


class DocumentOutput(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "doc_type", "original_name", "content_type", "size", "sha256", "uploaded_at", "download_url"]

    def to_representation(self, doc) -> dict:
        # Written out like ApplicationOutput.to_representation: the same output as the declared fields.
        return {"id": doc.id, "doc_type": doc.doc_type, "original_name": doc.original_name,
                "content_type": doc.content_type, "size": doc.size, "sha256": doc.sha256,
                "uploaded_at": _DATETIME.to_representation(doc.uploaded_at), "download_url": self.get_download_url(doc)}

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, doc) -> str:
        from django.urls import reverse

        return reverse("permits:document-download", args=[doc.pk])


class ActionStateOutput(serializers.Serializer):
    action = serializers.ChoiceField(choices=workflow.ACTIONS)
    allowed = serializers.BooleanField(help_text="Whether the action's guards pass now.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why not, one line per failed guard.")
    reason_required = serializers.BooleanField(help_text="The action needs a written reason.")


class ApplicationDetailOutput(ApplicationOutput):
    documents = DocumentOutput(many=True)
    footprint = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()
    fee_legal_basis_label = serializers.SerializerMethodField(
        help_text="fee_breakdown.legal_basis in the language of the request (stored in Romanian, as the acts quote it).")
    # Detail only: evaluating the guards reads the avize and the CU, too costly for every row of a list.
    actions = serializers.SerializerMethodField()
    excavation = serializers.SerializerMethodField()

    class Meta(ApplicationOutput.Meta):
        fields = ApplicationOutput.Meta.fields + [
            "applicant_id_code", "applicant_address", "applicant_email", "representative_name", "designer_name",
            "works_description", "works_function", "works_levels", "works_height_m", "works_gross_floor_area_m2",
            "works_destination", "works_built_area_m2", "works_occupants", "works_connections", "works_road_access",
            "works_value_ron", "residential", "taxable_value_ron", "footprint", "analysis", "analysis_result",
            "compliance_override_reason", "fee_breakdown", "fee_legal_basis_label", "returned_count", "validity_months", "extended",
            "documents", "missing_documents", "actions", "excavation"]

    def to_representation(self, app) -> dict:
        documents = DocumentOutput(context=self.context)
        return {
            **super().to_representation(app),
            "applicant_id_code": app.applicant_id_code, "applicant_address": app.applicant_address,
            "applicant_email": app.applicant_email, "representative_name": app.representative_name,
            "designer_name": app.designer_name, "works_description": app.works_description,
            "works_function": app.works_function, "works_levels": app.works_levels,
            "works_height_m": _decimal("works_height_m", app.works_height_m),
            "works_gross_floor_area_m2": _decimal("works_gross_floor_area_m2", app.works_gross_floor_area_m2),
            "works_destination": app.works_destination,
            "works_built_area_m2": _decimal("works_built_area_m2", app.works_built_area_m2),
            "works_occupants": app.works_occupants, "works_connections": list(app.works_connections or ()),
            "works_road_access": app.works_road_access,
            "works_value_ron": _decimal("works_value_ron", app.works_value_ron), "residential": app.residential,
            "taxable_value_ron": _decimal("taxable_value_ron", app.taxable_value_ron),
            "footprint": self.get_footprint(app), "analysis": app.analysis_id, "analysis_result": app.analysis_result,
            "compliance_override_reason": app.compliance_override_reason, "fee_breakdown": app.fee_breakdown,
            "fee_legal_basis_label": self.get_fee_legal_basis_label(app),
            "returned_count": app.returned_count, "validity_months": app.validity_months, "extended": app.extended,
            "documents": [documents.to_representation(d) for d in app.documents.all()],
            "missing_documents": self.get_missing_documents(app), "actions": self.get_actions(app),
            "excavation": self.get_excavation(app),
        }

    def get_fee_legal_basis_label(self, app) -> str:
        return fees.legal_basis_label((app.fee_breakdown or {}).get("legal_basis"))

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_excavation(self, app) -> dict | None:
        exc = getattr(app, "excavation", None) if app.kind == Kind.EXCAVATION else None
        if exc is None:
            return None
        return {"geometry": geometry_dict(exc.geom), "axis": geometry_dict(exc.axis) if exc.axis else None,
                "width_m": str(exc.width_m) if exc.width_m is not None else None, "area_m2": str(exc.area_m2),
                "street": exc.street, "starts_on": _date(exc.starts_on), "ends_on": _date(exc.ends_on),
                "roadway_closed": exc.roadway_closed,
                "guarantee_ron": str(exc.guarantee_ron) if exc.guarantee_ron is not None else None,
                "guarantee_paid_at": _DATETIME.to_representation(exc.guarantee_paid_at),
                "guarantee_released_at": _DATETIME.to_representation(exc.guarantee_released_at),
                "conflicts": exc.conflicts, "coordinated_at": _DATETIME.to_representation(exc.coordinated_at),
                "coordination_note": exc.coordination_note}

    @extend_schema_field(ActionStateOutput(many=True))
    def get_actions(self, app) -> list[dict]:
        # action_states() gives exactly ActionStateOutput's fields (action, allowed, reasons, reason_required).
        return [{**state, "reasons": [str(r) for r in state["reasons"]]}
                for state in workflow.action_states(app, self.context["request"].user)]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_footprint(self, app):
        if app.works_footprint is None:
            return None
        return geometry_dict(app.works_footprint, 4326)

    def get_missing_documents(self, app) -> list[str]:
        from permits.services import missing_documents

        return missing_documents(app)


class TransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=workflow.ACTIONS)
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    expected_status = serializers.CharField(required=False, help_text="Refuse (409) if the status changed meanwhile.")
    validity_months = serializers.IntegerField(required=False, min_value=1, max_value=36)


class EventOutput(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None)
    assigned_from = serializers.CharField(source="assigned_from.username", default=None,
                                          help_text="An 'assign' event (staff only): the clerk before.")
    assigned_to = serializers.CharField(source="assigned_to.username", default=None,
                                        help_text="An 'assign' event (staff only): the clerk after.")

    class Meta:
        model = TransitionEvent
        fields = ["id", "action", "from_status", "to_status", "by", "reason", "at", "assigned_from", "assigned_to"]


class DocumentInput(serializers.Serializer):
    doc_type = serializers.ChoiceField(choices=DocType.choices)
    file = serializers.FileField()


class PaymentInput(serializers.Serializer):
    provider = serializers.CharField(required=False, help_text="Online: 'loopback'. Staff: omit, give amount.")
    purpose = serializers.ChoiceField(choices=Payment.Purpose.choices, required=False, default="fee",
                                      help_text="Online: the fee, or the positive difference after the works.")
    amount_ron = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    reference = serializers.CharField(max_length=64, required=False)


class PaymentOutput(serializers.Serializer):
    reference = serializers.CharField()
    provider = serializers.CharField()
    amount_ron = serializers.DecimalField(max_digits=12, decimal_places=2)
    state = serializers.CharField()
    pay_url = serializers.URLField(required=False)


class FeeQuoteInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    uat = serializers.IntegerField(required=False, help_text="SIRUTA code")
    locality_class = serializers.ChoiceField(choices=["urban", "rural"], required=False)
    area_m2 = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    works_value_ron = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False)
    residential = serializers.BooleanField(required=False, allow_null=True, default=None)
    taxable_value_ron = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False)
    initial_fee_ron = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    issued_on = serializers.DateField(required=False, help_text="ac_extension: issue date of the AC/AD; before "
                                      "13.06.2022 the extension costs 30 % of initial_fee_ron, after it is free.")


class FeeQuoteOutput(serializers.Serializer):
    amount_ron = serializers.DecimalField(max_digits=14, decimal_places=2)
    breakdown = serializers.ListField(child=serializers.DictField())
    legal_basis = serializers.CharField(help_text="As the acts quote it (Romanian).")
    legal_basis_label = serializers.CharField(help_text="legal_basis in the language of the request (the portal's "
                                              "language choice).")


class DeadlineOutput(serializers.Serializer):
    rule = serializers.CharField()
    start = serializers.DateField()
    due = serializers.DateField()
    amount = serializers.IntegerField()
    unit = serializers.CharField()
    legal_basis = serializers.CharField()
    skipped = serializers.ListField(child=serializers.DictField())
