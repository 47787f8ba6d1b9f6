"""Excavation permits in the public domain: the dug area, its analysis, fee and guarantee, and "dig once".

An excavation application (Kind.EXCAVATION) has no parcels: its site is the dug area, a trench drawn as
a line with a width (buffered with flat ends to a polygon in EPSG:3844) or a polygon. The analysis is
the rules engine's X-series (rules.excavation); the avize and the issuance are those of every kind.

Dig once: a request is checked against the excavations authorised or under way (status in
EXCAVATION_LIVE) whose area lies within DIG_ONCE_BUFFER_M and whose dates overlap, and against the
streets rehabilitated less than the issuer's moratorium ago. Overlaps do not stop a submission; the
`issue` transition is guarded until the clerk refuses the request or records them as coordinated.

Values marked [U] are editable defaults, not law: the fee and the guarantee per m² come from the UAT's
FeeSchedule when its council set them, the moratorium from the issuer's ExcavationPolicy.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gis_portal.api.geometry import as_multipolygon, geometry_from_geojson
from parcels.models import UAT
from permits.choices import EXCAVATION_LIVE, Kind, Status
from permits.models import Application, Excavation, ExcavationPolicy
from rules.excavation import moratorium_hits
from rules.services import analysis_create

# [S] example of a council's value (domain-ro §4: "older example: 7 lei/m²"); [U] as a default.
DEFAULT_FEE_PER_M2 = Decimal("7.00")
# [U] the restoration guarantee per m² of the dug area (councils set it by HCL; no national value).
DEFAULT_GUARANTEE_PER_M2 = Decimal("150.00")
DEFAULT_MORATORIUM_YEARS = 5  # [U]
DIG_ONCE_BUFFER_M = 5.0  # [U] two works closer than this are one dig
FEE_LEGAL_BASIS = gettext_noop("Legea 227/2015 (Codul fiscal), art. 474 alin. (7); HCL privind taxele locale")
WIDTH_RANGE_M = (Decimal("0.20"), Decimal("10.00"))
MAX_LENGTH_M = 5000.0
MAX_AREA_M2 = 20_000.0
MAX_DAYS = 366
CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# ---- the dug area ---------------------------------------------------------------------------------
def dug_area(*, geometry: Any, width_m: Any, srid: Any = None) -> tuple[MultiPolygon, LineString | None, Decimal | None]:
    """(area, axis, width) from a GeoJSON LineString with a width, or a Polygon / MultiPolygon."""
    geom = geometry_from_geojson(geometry, field="excavation.geometry", srid=srid,
                                 allowed_types=("LineString", "Polygon", "MultiPolygon"))
    if geom.geom_type == "LineString":
        if geom.length > MAX_LENGTH_M:
            raise ValidationError({"excavation.geometry": [_("Traseul săpăturii are cel mult %(m)s m.") % {"m": int(MAX_LENGTH_M)}]})
        try:
            width = Decimal(str(width_m))
        except ArithmeticError:
            width = Decimal("-1")
        if not width.is_finite() or not WIDTH_RANGE_M[0] <= width <= WIDTH_RANGE_M[1]:
            raise ValidationError({"excavation.width_m": [
                _("Lățimea șanțului este între %(low)s și %(high)s m.") % {"low": WIDTH_RANGE_M[0], "high": WIDTH_RANGE_M[1]}]})
        area = geom.buffer_with_style(float(width) / 2, end_cap_style=2, join_style=2)  # flat ends, mitred joins
        return as_multipolygon(area), cast(LineString, geom), width
    area = as_multipolygon(geom)
    if area.area > MAX_AREA_M2:
        raise ValidationError({"excavation.geometry": [_("Suprafața săpăturii este de cel mult %(m)s m².") % {"m": int(MAX_AREA_M2)}]})
    return area, None, None


def _date_of(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({f"excavation.{field}": [_("Introduceți o dată (zz.ll.aaaa).")]}) from None


def excavation_apply(*, app: Application, data: dict[str, Any], srid: Any = None) -> Excavation:
    """Create or update the application's excavation from the request's `excavation` object (not saved)."""
    if not isinstance(data, dict):
        raise ValidationError({"excavation": ["Expected an object."]})
    exc: Excavation = getattr(app, "excavation", None) or Excavation(application=app)
    if "geometry" in data or "width_m" in data:
        geometry, crs = data.get("geometry"), srid
        if not geometry and exc.axis is not None:  # a new width for the trench already drawn
            geometry, crs = {**geometry_dict_3844(exc.axis)}, 3844
        if not geometry:
            raise ValidationError({"excavation.geometry": [_("Desenați pe hartă traseul sau suprafața săpăturii.")]})
        exc.geom, exc.axis, exc.width_m = dug_area(geometry=geometry, width_m=data.get("width_m", exc.width_m), srid=crs)
        exc.area_m2 = Decimal(str(round(exc.geom.area, 2)))
    if "street" in data:
        street = str(data["street"] or "").strip()
        if not street or len(street) > 200:
            raise ValidationError({"excavation.street": [_("Indicați strada (cel mult 200 de caractere).")]})
        exc.street = street
    for name in ("starts_on", "ends_on"):
        if name in data:
            setattr(exc, name, _date_of(data[name], name))
    if "roadway_closed" in data:
        if not isinstance(data["roadway_closed"], bool):
            raise ValidationError({"excavation.roadway_closed": ["Must be true or false."]})
        exc.roadway_closed = data["roadway_closed"]
    if exc.starts_on and exc.ends_on:
        if exc.ends_on < exc.starts_on:
            raise ValidationError({"excavation.ends_on": [_("Data de terminare este după data de începere.")]})
        if (exc.ends_on - exc.starts_on).days > MAX_DAYS:
            raise ValidationError({"excavation.ends_on": [_("O săpătură durează cel mult un an.")]})
    if exc.geom is None or not exc.street or exc.starts_on is None or exc.ends_on is None:
        missing = [f for f, v in (("geometry", exc.geom), ("street", exc.street), ("starts_on", exc.starts_on),
                                  ("ends_on", exc.ends_on)) if not v]
        raise ValidationError({f"excavation.{f}": [_("Câmp obligatoriu.")] for f in missing})
    return exc


def geometry_dict_3844(geom: GEOSGeometry) -> dict:
    import json

    return json.loads(geom.json)


def uat_of(exc: Excavation) -> UAT | None:
    """The UAT holding most of the dug area (provisional: the analysis decides at submission)."""
    point = exc.geom.point_on_surface
    return UAT.objects.filter(boundary__intersects=point).order_by("siruta").first()


def works_of(app: Application) -> dict[str, Any]:
    exc = app.excavation
    return {"kind": "excavation", "roadway_closed": exc.roadway_closed, "application_kind": app.kind}


def analysis_run(*, application: Application, by) -> tuple[Any, dict]:
    analysis = analysis_create(geometry=application.excavation.geom, works=works_of(application), by=by)
    return analysis.pk, analysis.result


# ---- fee and guarantee ----------------------------------------------------------------------------
def rates(uat) -> tuple[Decimal, Decimal, str]:
    """(fee per m², guarantee per m², source) of the UAT's council, else the defaults."""
    row = getattr(uat, "fee_schedule", None) if uat is not None else None
    fee = row.excavation_per_m2 if row is not None and row.excavation_per_m2 is not None else None
    guarantee = row.excavation_guarantee_per_m2 if row is not None and row.excavation_guarantee_per_m2 is not None else None
    source = f"HCL {row.council_decision}".strip() if row is not None and (fee or guarantee) else \
        "valori implicite editabile (nicio HCL înregistrată)"
    return fee or DEFAULT_FEE_PER_M2, guarantee or DEFAULT_GUARANTEE_PER_M2, source


def fee_and_guarantee(app: Application) -> tuple[Decimal, dict, Decimal]:
    """(fee, fee breakdown as fees.Quote.as_dict, guarantee) for the dug area."""
    exc = app.excavation
    fee_rate, guarantee_rate, source = rates(app.uat)
    area = Decimal(exc.area_m2)
    fee, guarantee = _money(area * fee_rate), _money(area * guarantee_rate)
    breakdown = {"amount_ron": str(fee), "legal_basis": FEE_LEGAL_BASIS, "breakdown": [
        {"item": f"{fee_rate} lei/m² × {area} m² săpați", "amount_ron": str(fee)},
        {"item": f"garanție de refacere: {guarantee_rate} lei/m² × {area} m² (se restituie după recepție)",
         "amount_ron": str(guarantee), "guarantee": True},
        {"item": f"sursa valorilor: {source}", "amount_ron": str(fee)}]}
    return fee, breakdown, guarantee


# ---- dig once ---------------------------------------------------------------------------------------
def moratorium_years(issuer_id: int | None) -> int:
    policy = ExcavationPolicy.objects.filter(issuer_id=issuer_id).first() if issuer_id else None
    return policy.moratorium_years if policy is not None else DEFAULT_MORATORIUM_YEARS


def overlapping_works(*, geom: GEOSGeometry, starts_on: date, ends_on: date, exclude_pk: int | None = None) -> list[dict]:
    """Excavations authorised or under way near `geom` whose dates overlap (the public fields only)."""
    rows = (Excavation.objects.filter(application__kind=Kind.EXCAVATION, application__status__in=EXCAVATION_LIVE,
                                      geom__dwithin=(geom, DIG_ONCE_BUFFER_M),
                                      starts_on__lte=ends_on, ends_on__gte=starts_on)
            .exclude(application_id=exclude_pk or 0).select_related("application", "application__act")
            .order_by("starts_on", "application_id"))
    return [{"kind": "excavation", "application_id": e.application_id, "number": _number(e.application),
             "holder": e.application.applicant_name, "street": e.street, "starts_on": e.starts_on.isoformat(),
             "ends_on": e.ends_on.isoformat(), "status": e.application.status} for e in rows]


def _number(app: Application) -> str:
    act = getattr(app, "act", None)
    return act.numbering if act is not None else app.registration


def conflicts_for(*, geom: GEOSGeometry, starts_on: date, ends_on: date, issuer_id: int | None,
                  exclude_pk: int | None = None) -> list[dict]:
    works = overlapping_works(geom=geom, starts_on=starts_on, ends_on=ends_on, exclude_pk=exclude_pk)
    return works + moratorium_hits(geom=geom, years=moratorium_years(issuer_id), on=starts_on)


def current_conflicts(app: Application) -> list[dict]:
    exc = getattr(app, "excavation", None)
    if app.kind != Kind.EXCAVATION or exc is None:
        return []
    return conflicts_for(geom=exc.geom, starts_on=exc.starts_on, ends_on=exc.ends_on, issuer_id=app.issuer_id,
                         exclude_pk=app.pk)


def _key(conflict: dict) -> str:
    return f"excavation:{conflict['application_id']}" if conflict["kind"] == "excavation" else \
        f"moratorium:{conflict['feature_id']}"


def unresolved_conflicts(app: Application) -> str | None:
    """Why the excavation may not be issued yet: overlaps not recorded as coordinated (the `issue` guard)."""
    conflicts = current_conflicts(app)
    coordinated = {_key(c) for c in (app.excavation.conflicts or [])} if app.excavation.coordinated_at else set()
    open_ = [c for c in conflicts if _key(c) not in coordinated]
    if not open_:
        return None
    names = ", ".join(f"nr. {c['number']} ({c['holder']})" if c["kind"] == "excavation"
                      else f"moratoriu pe {c['street']}" for c in open_)
    return f"The excavation overlaps other works or a street under moratorium: {names}."


def coordination_record(*, app: Application, by, note: str) -> None:
    """Inside the `coordinate_conflicts` transition: the overlaps of now are recorded as coordinated."""
    exc = app.excavation
    exc.conflicts = current_conflicts(app)
    exc.coordinated_by, exc.coordinated_at, exc.coordination_note = by, timezone.now(), note
    exc.save(update_fields=["conflicts", "coordinated_by", "coordinated_at", "coordination_note"])


def conflicts_refresh(app: Application) -> None:
    """At submission: the overlaps found are kept on the request (shown to the clerk, flagged in the queue)."""
    exc = app.excavation
    exc.conflicts = current_conflicts(app)
    exc.save(update_fields=["conflicts"])


def completeness_problems(app: Application) -> dict[str, list[str]]:
    exc = getattr(app, "excavation", None)
    if exc is None:
        return {"excavation.geometry": [_("Desenați pe hartă traseul sau suprafața săpăturii.")]}
    if exc.starts_on < timezone.localdate():
        return {"excavation.starts_on": [_("Data de începere nu poate fi în trecut.")]}
    return {}


# ---- the guarantee ----------------------------------------------------------------------------------
def _staff_lock(application: Application, by) -> Excavation:
    from permits.workflow import STAFF, roles_of

    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.kind != Kind.EXCAVATION:
        raise ValidationError({"kind": ["Only an excavation permit has a restoration guarantee."]})
    if not roles_of(by, app) & STAFF:
        raise PermissionDenied("Only the issuer's staff record the guarantee.")
    return Excavation.objects.select_for_update().get(application=app)


@transaction.atomic
def guarantee_record(*, application: Application, by) -> Excavation:
    """Staff record the restoration guarantee as paid (deposit or bank letter of guarantee)."""
    exc = _staff_lock(application, by)
    if exc.guarantee_paid_at is None:
        exc.guarantee_paid_at = timezone.now()
        exc.save(update_fields=["guarantee_paid_at"])
    return exc


@transaction.atomic
def guarantee_release(*, application: Application, by) -> Excavation:
    """After the restoration is accepted (status closed) the guarantee is released to the holder."""
    exc = _staff_lock(application, by)
    if exc.application.status != Status.CLOSED:
        raise ValidationError({"guarantee": [_("Garanția se restituie după recepția refacerii carosabilului.")]})
    if exc.guarantee_paid_at is None:
        raise ValidationError({"guarantee": [_("Garanția nu a fost plătită.")]})
    if exc.guarantee_released_at is None:
        exc.guarantee_released_at = timezone.now()
        exc.save(update_fields=["guarantee_released_at"])
    return exc


def default_dates(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today + timedelta(days=14), today + timedelta(days=28)
