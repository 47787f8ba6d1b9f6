"""Public endpoints: deadline calculator, fee quote, registers of issued acts, verification page."""
from __future__ import annotations

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from addresses.selectors import address_of
from gis_portal.api.geojson import geometry_sql
from parcels.models import UAT
from permits import fees, selectors
from permits.api.serializers import DeadlineOutput, FeeQuoteInput, FeeQuoteOutput
from permits.choices import ApplicantType, Kind
from permits.choices import Register as RegisterChoice
from workdays import calendar

PUBLIC_RULES = tuple(r for r, p in calendar.DEFAULT_POLICIES.items() if p.unit in ("working_days", "days"))


def _date(value: str | None, field: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise ValidationError({field: ["Expected a date YYYY-MM-DD."]}) from None


class DeadlineCalculator(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[OpenApiParameter("from", OpenApiTypes.DATE, required=True),
                               OpenApiParameter("rule", str, required=True, enum=PUBLIC_RULES)],
                   responses=DeadlineOutput)
    def get(self, request):
        start = _date(request.query_params.get("from"), "from")
        if not date(1900, 1, 1) <= start <= date(2199, 12, 31):
            raise ValidationError({"from": ["Date out of the supported range (1900–2199)."]})
        rule = request.query_params.get("rule", "")
        if rule not in PUBLIC_RULES:
            raise ValidationError({"rule": [f"One of {', '.join(PUBLIC_RULES)}."]})
        policy = calendar.policy(rule)
        result = calendar.deadline(start, rule)
        return Response(DeadlineOutput({
            "rule": rule, "start": start, "due": result.due, "amount": policy.amount, "unit": policy.unit,
            "legal_basis": policy.legal_basis,
            "skipped": [{"date": d.isoformat(), "reason": r} for d, r in result.skipped],
        }).data)


class FeeQuote(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=FeeQuoteInput, responses=FeeQuoteOutput)
    def post(self, request):
        data = FeeQuoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        uat = None
        if d.get("uat") is not None:
            uat = UAT.objects.select_related("fee_schedule").filter(siruta=d["uat"]).first()
            if uat is None:
                raise ValidationError({"uat": [f"No UAT with SIRUTA code {d['uat']}."]})
        urban = uat.is_urban if uat else ({"urban": True, "rural": False}.get(d.get("locality_class")))
        quote = fees.fee_quote(kind=d["kind"], urban=urban, uat=uat, area_m2=d.get("area_m2"),
                               works_value_ron=d.get("works_value_ron"), residential=d.get("residential"),
                               taxable_value_ron=d.get("taxable_value_ron"), initial_fee_ron=d.get("initial_fee_ron"),
                               issued_on=d.get("issued_on"))
        return Response(FeeQuoteOutput({**quote.as_dict(), "legal_basis_label": fees.legal_basis_label(quote.legal_basis)}).data)


def _geometries(act_ids: list[int]) -> dict[int, dict]:
    """GeoJSON (EPSG:4326) of each act's parcels, built in SQL."""
    if not act_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id, {geometry_sql('ST_Union(p.geom)')} "
            "FROM permits_issuedact a JOIN permits_application_parcels ap ON ap.application_id = a.application_id "
            "JOIN parcels_parcel p ON p.id = ap.parcel_id WHERE a.id = ANY(%s) GROUP BY a.id", [act_ids])
        return {pk: json.loads(geo) for pk, geo in cursor.fetchall()}


def _address_text(act) -> str | None:
    """The address an address certificate certified: the register as it stood on the day of issue."""
    if act.register != RegisterChoice.ADDRESS:
        return None
    parcel = act.application.parcels.first()
    address = address_of(parcel=parcel, on=act.issued_on) if parcel else None
    return address.text if address else None


def register_entry(act) -> dict:
    app = act.application
    return {
        "number": act.numbering, "register": act.register, "kind": app.kind, "issued_on": act.issued_on.isoformat(),
        "valid_until": app.valid_until.isoformat() if app.valid_until else None,
        "issuer": app.issuer.name if app.issuer else None,
        "parcels": [{"cadastral_number": p.cadastral_number, "uat": p.uat.name, "address": p.address}
                    for p in app.parcels.all()],
        "purpose": app.get_purpose_display() if app.purpose else None,
        "works": app.get_works_kind_display() if app.works_kind else None,
        # Natural persons are never named in the public register (GDPR); companies are.
        "applicant": app.applicant_name if app.applicant_type == ApplicantType.COMPANY else None,
        **({"address": _address_text(act)} if act.register == RegisterChoice.ADDRESS else {}),
    }


class Register(APIView):
    """Monthly public list of issued CU / AC / AD of a UAT (Norme 839/2009 art. 4), JSON or GeoJSON."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=Kind.values),
                               OpenApiParameter("month", str, description="YYYY-MM"),
                               OpenApiParameter("output", str, enum=["json", "geojson"])],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request, siruta: int):
        if not UAT.objects.filter(siruta=siruta).exists():
            raise ValidationError({"siruta": [f"No UAT with SIRUTA code {siruta}."]})
        kind = request.query_params.get("kind") or None
        if kind and kind not in Kind.values:
            raise ValidationError({"kind": [f"One of {', '.join(Kind.values)}."]})
        month = None
        if request.query_params.get("month"):
            parsed = _date(request.query_params["month"] + "-01", "month")
            month = (parsed.year, parsed.month)
        acts = list(selectors.register_entries(siruta=siruta, kind=kind, month=month)[:5000])
        entries = [register_entry(a) for a in acts]
        if request.query_params.get("output") == "geojson" or "geo+json" in request.headers.get("Accept", ""):
            geoms = _geometries([a.pk for a in acts])
            return Response({"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": geoms.get(a.pk), "properties": e} for a, e in zip(acts, entries, strict=False)]})
        return Response({"siruta": siruta, "count": len(entries), "results": entries})


def excavation_entry(app) -> dict:
    """The legally public fields of an excavation permit: never a natural person's name, code or contacts."""
    exc = app.excavation
    return {"number": app.act.numbering,
            "holder": app.applicant_name if app.applicant_type == ApplicantType.COMPANY else None,
            "street": exc.street, "starts_on": exc.starts_on.isoformat(), "ends_on": exc.ends_on.isoformat(),
            "purpose": app.works_description[:300], "status": app.status, "roadway_closed": exc.roadway_closed}


def _excavation_geometries(app_ids: list[int]) -> dict[int, dict]:
    if not app_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT application_id, {geometry_sql('geom')} FROM permits_excavation "
                       "WHERE application_id = ANY(%s)", [app_ids])
        return {pk: json.loads(geo) for pk, geo in cursor.fetchall()}


class Excavations(APIView):
    """GeoJSON of the excavations authorised and not closed (planned or under way): the public map layer."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[OpenApiParameter("siruta", int)], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        raw = request.query_params.get("siruta")
        if raw is not None and not raw.isdigit():
            raise ValidationError({"siruta": [_("Un cod SIRUTA (numai cifre).")]})
        apps = list(selectors.public_excavations(siruta=int(raw) if raw else None)[:5000])
        geoms = _excavation_geometries([a.pk for a in apps])
        return Response({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": geoms.get(a.pk), "properties": excavation_entry(a)} for a in apps]})


def verify_page(request, code):
    """Public page behind the QR code: confirms number, date, parcels and the hash of the signed PDF."""
    act = selectors.act_by_code(code=code)
    app = act.application
    parcels = list(app.parcels.select_related("uat").order_by("cadastral_number"))
    return render(request, "permits/verify.html", {"act": act, "app": app, "parcels": parcels,
                                                   "address": _address_text(act)})


class WorksInProgress(APIView):
    """Authorised works in progress (AC/AD with a start notice, not yet received): public GeoJSON layer."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={(200, "application/geo+json"): OpenApiTypes.OBJECT})
    def get(self, request):
        from permits.works_public import works_geojson

        response = Response(works_geojson(), content_type="application/geo+json")
        response["Cache-Control"] = "public, max-age=60"
        return response
