"""Writes of the permits app: drafts, documents, submission, decisions, payments.

Every state change is delegated to permits.workflow.transition; the functions here prepare the data
and pass the side effects (registration, deadlines, issuance) to run inside the same transaction.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from gis_portal.api.geometry import as_multipolygon, geometry_from_geojson
from parcels.models import Issuer, Parcel
from permits import assignment, avize_hook, excavations, workflow
from permits.analysis import analysis_run, issuer_id_from
from permits.checks import cu_problem
from permits.choices import (
    ADDRESS_KINDS,
    CU_KINDS,
    EXTENSION_KINDS,
    NEEDS_CU,
    REQUIRED_DOCUMENTS,
    AddressPurpose,
    DocType,
    Kind,
    Status,
)
from permits.documents import check_upload
from permits.extensions import extendable, extension_term, issued_on_of, regime_for
from permits.fees import application_fee
from permits.identity import validate_applicant_code
from permits.models import Application, Document, Payment
from permits.numbering import next_number
from workdays import calendar

EDITABLE = (Status.DRAFT, Status.RETURNED)
SIMPLE_FIELDS = (
    "applicant_type", "applicant_name", "applicant_address", "applicant_email", "representative_name",
    "designer_name", "purpose", "works_kind", "works_description", "works_function", "works_levels",
    "works_height_m", "works_gross_floor_area_m2", "works_value_ron", "residential", "taxable_value_ron",
    "works_destination", "works_built_area_m2", "works_occupants", "works_connections", "works_road_access",
)
# What an extension does not declare: it extends an issued act for the act's own parcels and works (F.7, F.12).
WORKS_FIELDS = tuple(name for name in SIMPLE_FIELDS if name.startswith("works_")) + (
    "residential", "taxable_value_ron", "footprint", "footprint_crs")


def _apply(app: Application, data: dict[str, Any], by) -> list | None:
    """Copy validated input onto the application; return the parcels to set (or None)."""
    if app.kind in EXTENSION_KINDS:  # the act's parcels and works, whatever the client sends
        data = {k: v for k, v in data.items() if k not in WORKS_FIELDS and k != "parcel_ids"}
    for name in SIMPLE_FIELDS:
        if name in data:
            setattr(app, name, data[name])
    if "applicant_id_code" in data or "applicant_type" in data:
        app.applicant_id_code = validate_applicant_code(applicant_type=app.applicant_type,
                                                        code=str(data.get("applicant_id_code", app.applicant_id_code)))
    if "footprint" in data:
        footprint = data["footprint"]
        app.works_footprint = (as_multipolygon(geometry_from_geojson(footprint, field="footprint",
                                                                     srid=data.get("footprint_crs")))
                               if footprint else None)
    if "based_on" in data:
        app.based_on = _based_on(data["based_on"], by=by, kind=app.kind)
    if app.kind == Kind.EXCAVATION and "excavation" in data:
        exc = excavations.excavation_apply(app=app, data=data["excavation"], srid=data.get("excavation_crs"))
        app._excavation_pending = exc  # type: ignore[attr-defined]  # saved once the application has a key
    parcels = None
    if app.kind in EXTENSION_KINDS and "based_on" in data and app.based_on is not None:
        parcels = list(app.based_on.parcels.select_related("uat"))
    if "parcel_ids" in data:
        ids = list(dict.fromkeys(data["parcel_ids"]))
        parcels = list(Parcel.objects.filter(pk__in=ids).select_related("uat"))
        if len(parcels) != len(ids):
            missing = sorted(set(ids) - {p.pk for p in parcels})
            raise ValidationError({"parcel_ids": [_("Parcele necunoscute: %(ids)s.") % {"ids": missing}]})
        if not parcels:
            raise ValidationError({"parcel_ids": [_("Alegeți cel puțin o parcelă.")]})
    return parcels


def _based_on(pk, *, by, kind: str) -> Application | None:
    if pk in (None, ""):
        return None
    base = Application.objects.filter(pk=pk).first()
    # An applicant may build only on their own acts (an AC needs a real right, not just any CU).
    if base is None or not (base.owner_id == by.pk or by.is_portal_admin):
        raise ValidationError({"based_on": [_("Nu aveți un act emis cu numărul %(pk)s.") % {"pk": pk}]})
    return base


def _refresh_fee(app: Application) -> None:
    try:
        quote = application_fee(app)
    except ValidationError:
        return  # not enough data yet for a draft; submission recomputes and insists
    app.fee_ron, app.fee_breakdown = quote.amount_ron, quote.as_dict()
    app.save(update_fields=["fee_ron", "fee_breakdown"])


@transaction.atomic
def application_create(*, by, data: dict[str, Any]) -> Application:
    if data.get("kind") not in Kind.values:
        raise ValidationError({"kind": [_("Tip de cerere necunoscut; unul dintre: %(kinds)s.") % {"kinds": ", ".join(Kind.values)}]})
    app = Application(kind=data["kind"], owner=by, applicant_type=data.get("applicant_type", "person"),
                      applicant_name=data.get("applicant_name", ""))
    parcels = _apply(app, data, by)
    if app.kind == Kind.EXCAVATION:
        return _excavation_create(app, parcels)
    if parcels is None and app.based_on is not None:
        parcels = list(app.based_on.parcels.all())
    if not parcels:
        raise ValidationError({"parcel_ids": [_("Alegeți cel puțin o parcelă.")]})
    app.uat = parcels[0].uat  # provisional; the analysis decides at submission
    app.save()
    app.parcels.set(parcels)
    _refresh_fee(app)
    return app


def _excavation_create(app: Application, parcels: list | None) -> Application:
    """An excavation lies in the public domain: its site is the dug area, not parcels."""
    exc = getattr(app, "_excavation_pending", None)
    if exc is None:
        raise ValidationError({"excavation.geometry": [_("Desenați pe hartă traseul sau suprafața săpăturii.")]})
    if parcels:
        raise ValidationError({"parcel_ids": [_("O săpătură în domeniul public nu se cere pe parcele.")]})
    app.uat = excavations.uat_of(exc)
    if app.uat is None:
        raise ValidationError({"excavation.geometry": [_("Săpătura este în afara teritoriului acoperit de portal.")]})
    app.save()
    exc.application = app
    exc.save()
    _refresh_fee(app)
    return app


def _locked_for_applicant(application: Application, by, *, not_owner: str, not_editable: str) -> Application:
    """The application, locked, when its applicant may still change it (the caller holds the transaction)."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.owner_id != by.pk:
        raise PermissionDenied(not_owner)
    if app.status not in EDITABLE:
        raise workflow.StateConflict(not_editable % {"status": _(Status(app.status).label)},
                                     allowed=workflow.allowed_actions(app, by))
    return app


@transaction.atomic
def application_update(*, application: Application, by, data: dict[str, Any]) -> Application:
    app = _locked_for_applicant(application, by, not_owner=_("Numai solicitantul poate modifica cererea."),
                                not_editable=_("O cerere în starea „%(status)s” nu se mai poate modifica."))
    if "kind" in data and data["kind"] != app.kind:
        raise ValidationError({"kind": [_("Tipul cererii nu se poate schimba; începeți o cerere nouă.")]})
    parcels = _apply(app, data, by)
    app.save()
    exc = getattr(app, "_excavation_pending", None)
    if exc is not None:
        if app.status != Status.DRAFT and "geometry" in data.get("excavation", {}):
            raise ValidationError({"excavation.geometry": [_("Traseul nu se mai poate schimba după înregistrarea cererii.")]})
        exc.save()
        app.uat = excavations.uat_of(exc) or app.uat
        app.save(update_fields=["uat"])
    if parcels is not None and app.kind in EXTENSION_KINDS and {p.pk for p in parcels} == set(
            app.parcels.values_list("pk", flat=True)):
        parcels = None  # the extended act's parcels, unchanged (a returned extension sends its act again)
    if parcels is not None:
        if app.status != Status.DRAFT:
            raise ValidationError({"parcel_ids": [_("Parcelele nu se mai pot schimba după înregistrarea cererii.")]})
        app.parcels.set(parcels)
        app.uat = parcels[0].uat
        app.save(update_fields=["uat"])
    _refresh_fee(app)
    return app


@transaction.atomic
def document_add(*, application: Application, by, doc_type: str, upload) -> Document:
    if doc_type not in DocType.values:
        raise ValidationError({"doc_type": [_("Tip de document necunoscut.")]})
    app = _locked_for_applicant(application, by,
                                not_owner=_("Numai solicitantul poate adăuga documente la cerere."),
                                not_editable=_("În starea „%(status)s” nu se mai pot adăuga documente."))
    return document_store(application=app, by=by, doc_type=doc_type, upload=upload)


def document_store(*, application: Application, by, doc_type: str, upload) -> Document:
    """Check and store one document of the application; the caller decided that `by` may add it now
    (document_add for the applicant's own dossier, avize.services for an institution's completion request)."""
    if doc_type not in DocType.values:
        raise ValidationError({"doc_type": [_("Tip de document necunoscut.")]})
    app = application
    checked = check_upload(upload)
    name = (getattr(upload, "name", "") or f"document.{checked.extension}")[-200:]
    doc = Document(application=app, doc_type=doc_type, original_name=name, content_type=checked.content_type,
                   size=len(checked.content), sha256=checked.sha256, uploaded_by=by)
    # Stored under a generated name: the client's name is kept only as a label.
    doc.file.save(f"{checked.sha256[:16]}.{checked.extension}", ContentFile(checked.content), save=False)
    doc.save()
    audit_record(actor=by, action="document_upload", target=doc, issuer_id=app.issuer_id, changes={
        "doc_type": [None, doc_type], "original_name": [None, name], "size": [None, doc.size],
        "sha256": [None, doc.sha256]})
    return doc


def missing_documents(app: Application) -> list[str]:
    present = {d.doc_type for d in app.documents.all()}  # the selectors prefetch them
    required = [d for d in REQUIRED_DOCUMENTS.get(app.kind, ()) if d not in present]
    if app.paid_at is not None:  # paid through the portal: the payment itself is the proof
        required = [d for d in required if d != DocType.DOVADA_PLATII]
    return required


def _completeness_problems(app: Application) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    missing = missing_documents(app)
    if missing:
        errors["documents"] = [_("Lipsește documentul obligatoriu: %(document)s.") % {"document": _(DocType(d).label)} for d in missing]
    if not app.applicant_name.strip():
        errors["applicant_name"] = [_("Numele solicitantului este obligatoriu.")]
    if app.kind == Kind.CU and not app.purpose:
        errors["purpose"] = [_("Scopul certificatului de urbanism este obligatoriu.")]
    if app.kind in ADDRESS_KINDS:
        if app.purpose not in AddressPurpose.values:
            errors["purpose"] = [_("Alegeți scopul certificatului de nomenclatură stradală și adresă.")]
        if app.parcels.count() != 1:
            errors["parcel_ids"] = [_("Certificatul de adresă se cere pentru o singură parcelă.")]
    today = timezone.localdate()
    if app.kind in NEEDS_CU:
        problem = cu_problem(cu=app.based_on, parcels=list(app.parcels.all()), on=today)
        if problem:
            errors["based_on"] = [problem]
    if app.kind in (Kind.CU_EXTENSION, Kind.AC_EXTENSION):
        errors.update(_extension_problems(app, today))
    if app.kind == Kind.EXCAVATION:
        errors.update(excavations.completeness_problems(app))
    return errors


def _extension_problems(app: Application, today) -> dict[str, list[str]]:
    base = app.based_on
    wanted = Kind.CU if app.kind == Kind.CU_EXTENSION else (Kind.AC, Kind.AD)
    if base is not None and base.kind in wanted and base.status in (Status.WORKS_ENDED, Status.CLOSED):
        return {"based_on": [_("Lucrările autorizate prin acest act s-au terminat: nu mai există un termen de prelungit.")]}
    # Issued, or (an AC/AD) with its works under way: Law 50/1991 art. 7(7), works not started or not finished.
    if base is None or base.kind not in wanted or not extendable(base):
        return {"based_on": [_("O prelungire are nevoie de actul emis pe care îl prelungește.")]}
    if base.extended:
        return {"based_on": [_("Actul a fost deja prelungit o dată; legea permite o singură prelungire.")]}
    term = extension_term(base)
    assert term is not None, "an issued act has a validity"
    if base.kind == Kind.CU:
        notice = calendar.policy("cu_extension_notice")
        latest = term - timedelta(days=notice.amount)
    else:
        # The regime is the one in force when the AC/AD was issued (Law 176/2022 is not retroactive).
        latest = regime_for(issued_on_of(base)).request_deadline(term)
    if today > latest:
        return {"based_on": [_("Prelungirea trebuia cerută până la %(latest)s (actul este valabil până la %(until)s).") % {"latest": date_format(latest, "SHORT_DATE_FORMAT"), "until": date_format(term, "SHORT_DATE_FORMAT")}]}
    return {}


@transaction.atomic
def application_submit(*, application: Application, by) -> Application:
    """Register the application: completeness, frozen analysis, issuer, number, fee and deadlines."""

    def register(app: Application) -> None:
        _inherit_declared_works(app)
        errors = _completeness_problems(app)
        if errors:
            raise ValidationError(errors)
        if app.kind == Kind.EXCAVATION:
            app.analysis_id, app.analysis_result = excavations.analysis_run(application=app, by=by)
            issuer_id = issuer_id_from(app.analysis_result or {})
        elif app.kind in EXTENSION_KINDS:
            # The authority that issued the act extends it, for the same parcels and works: no new analysis
            # (nothing to warn about or to block on), no works of its own (a draft from before may hold some).
            assert app.based_on is not None, "checked by _extension_problems"
            issuer_id = app.based_on.issuer_id
            app.analysis_id, app.analysis_result = None, None
            _clear_works(app)
        else:
            parcels = list(app.parcels.select_related("uat"))
            if app.kind in ADDRESS_KINDS:
                # The mayor keeps the street register and certifies addresses: no spatial analysis, no avize.
                issuer_id = Issuer.objects.filter(uat_id=parcels[0].uat_id).values_list("pk", flat=True).first()
            else:
                app.analysis_id, app.analysis_result = analysis_run(application=app, parcels=parcels, by=by)
                issuer_id = issuer_id_from(app.analysis_result or {})
        if issuer_id is None:
            raise ValidationError({"parcel_ids": [_("Nicio autoritate nu este competentă pentru aceste parcele.")]})
        app.issuer_id = issuer_id
        quote = application_fee(app)
        app.fee_ron, app.fee_breakdown = quote.amount_ron, quote.as_dict()
        now = timezone.now()
        app.registered_at, app.registration_year = now, timezone.localdate(now).year
        app.registration_number = next_number(issuer_id=issuer_id, year=app.registration_year, register="requests")
        today = timezone.localdate(now)
        family = "cu" if app.kind in CU_KINDS else "address" if app.kind in ADDRESS_KINDS else "ac"
        app.completeness_due = calendar.deadline(today, f"{family}_completeness", issuer_id).due
        app.due_date = calendar.deadline(today, _due_rule(app), issuer_id).due
        app.save()
        if app.kind == Kind.EXCAVATION:
            app.excavation.guarantee_ron = excavations.fee_and_guarantee(app)[2]
            app.excavation.save(update_fields=["guarantee_ron"])
            excavations.conflicts_refresh(app)

    app = workflow.transition(application=application, action="submit", by=by, effects=register)
    assignment.assign_auto(application=app)  # after the submit event, in the same transaction
    return app


# What the applicant declares about the works (the rules on declared works read them; permits.analysis.works_of).
DECLARED_WORKS = ("works_destination", "works_built_area_m2", "works_occupants", "works_connections",
                  "works_road_access", "works_levels", "works_height_m", "works_gross_floor_area_m2", "works_footprint")


def _inherit_declared_works(app: Application) -> None:
    """An AC/AD that declares none of the works takes those its CU declared, so its avize requests and
    its act list what the CU asked for; one declared field means the applicant has said what changed."""
    base = app.based_on
    while base is not None and base.kind == Kind.CU_EXTENSION:
        base = base.based_on  # an extension declares nothing of its own
    if app.kind not in NEEDS_CU or base is None or base.kind != Kind.CU:
        return
    if any(getattr(app, name) not in (None, "", []) for name in DECLARED_WORKS):
        return
    for name in DECLARED_WORKS:
        setattr(app, name, getattr(base, name))


def _clear_works(app: Application) -> None:
    for name in WORKS_FIELDS:
        if name in ("footprint", "footprint_crs"):
            continue
        field = Application._meta.get_field(name)
        if isinstance(field, Field):  # the blank value of each works field
            setattr(app, name, field.get_default())
    app.works_footprint = None


def _due_rule(app: Application) -> str:
    if app.kind in ADDRESS_KINDS:
        return "address_issue"
    return "ad_issue" if app.kind == Kind.AD else ("cu_issue" if app.kind in CU_KINDS else "ac_issue")


@transaction.atomic
def application_act(*, application: Application, action: str, by, reason: str = "",
                    expected_status: str | None = None, validity_months: int | None = None) -> Application:
    """Every staff/applicant action other than submit; issuance is delegated to permits.issuance."""
    if action in ("announce_start", "announce_end", "record_reception"):  # they carry data: permits.works
        raise ValidationError({"action": [_("Această acțiune se face din formularul ei (permits.works).")]})
    today = timezone.localdate()

    def effects(app: Application) -> None:
        if action == "return_for_completion":
            app.returned_count += 1
            app.clock_paused_on = today
            app.save(update_fields=["returned_count", "clock_paused_on"])
        elif action == "resubmit":
            errors = _completeness_problems(app)
            if errors:
                raise ValidationError(errors)
            _restart_clock(app, today)
        elif action == "override_compliance":
            app.compliance_override_by, app.compliance_override_reason = by, reason
            app.save(update_fields=["compliance_override_by", "compliance_override_reason"])
        elif action == "request_avize":
            avize_hook.request_avize(application=app, by=by)
        elif action == "coordinate_conflicts":
            excavations.coordination_record(app=app, by=by, note=reason)
        elif action == "issue":
            from permits.issuance import act_issue

            act_issue(application=app, by=by, validity_months=validity_months)

    return workflow.transition(application=application, action=action, by=by, reason=reason,
                               expected_status=expected_status, effects=effects)


def _restart_clock(app: Application, today) -> None:
    """The legal term does not run while the file is with the applicant: push the due date on."""
    paused = app.clock_paused_on or today
    if app.due_date is not None:
        if calendar.policy(_due_rule(app)).unit == "working_days":
            shift = calendar.working_days_between(paused, today, app.issuer_id)
            app.due_date = calendar.add_working_days(app.due_date, shift, app.issuer_id).due
        else:
            app.due_date = app.due_date + (today - paused)
    app.clock_paused_on = None
    app.save(update_fields=["due_date", "clock_paused_on"])


@transaction.atomic
def payment_record(*, application: Application, by, amount_ron: Decimal, reference: str,
                   provider: str = "cash_desk") -> Payment:
    """Staff record a payment made at the cash desk or by bank transfer."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    if not (workflow.roles_of(by, app) & workflow.STAFF):
        raise PermissionDenied(_("Numai personalul emitentului înregistrează plăți."))
    return _mark_paid(app, provider=provider, reference=reference, amount_ron=amount_ron, by=by)


def _mark_paid(app: Application, *, provider: str, reference: str, amount_ron: Decimal, by=None) -> Payment:
    if app.fee_ron is None:
        raise ValidationError({"amount_ron": [_("Cererea nu are încă o taxă calculată.")]})
    if Decimal(amount_ron) != app.fee_ron:
        raise ValidationError({"amount_ron": [_("Taxa este de %(fee)s lei, nu %(amount)s.")
                                             % {"fee": app.fee_ron, "amount": amount_ron}]})
    if by is not None:  # a receipt: its number is unique within this issuer's series only
        payment, _created = Payment.objects.get_or_create(
            issuer_id=app.issuer_id, provider=provider, reference=reference, recorded_by__isnull=False,
            defaults={"application": app, "amount_ron": amount_ron, "recorded_by": by})
    else:  # an online payment confirmed by its provider: the session created it
        payment, _created = Payment.objects.get_or_create(
            provider=provider, reference=reference, recorded_by__isnull=True,
            defaults={"application": app, "issuer_id": app.issuer_id, "amount_ron": amount_ron})
    if payment.application_id != app.pk:
        raise ValidationError({"reference": [_("Numărul de chitanță este deja înregistrat la altă cerere.")]})
    if payment.state != Payment.State.PAID:
        now = timezone.now()
        before = payment.state
        payment.state, payment.paid_at = Payment.State.PAID, now
        payment.save(update_fields=["state", "paid_at"])
        audit_record(actor=by, action="payment_recorded" if by is not None else "payment_paid", target=payment,
                     changes={"state": [before, payment.state], "amount_ron": [None, str(payment.amount_ron)],
                              "provider": [None, provider], "reference": [None, reference]})
        app.paid_at = now
        app.save(update_fields=["paid_at"])
    return payment


@transaction.atomic
def address_number_assign(*, application: Application, by, street_id: int, number: str, decision: str = ""):
    """The issuer's clerk assigns a building number to the parcel of an address certificate request that the
    street register gives none, before the certificate is issued; recorded in the register (by whom, on what)."""
    from addresses.models import Street
    from addresses.services import number_assign
    from permits.choices import ADDRESS_KINDS

    app = Application.objects.select_for_update().get(pk=application.pk)
    if not (workflow.roles_of(by, app) & {workflow.CLERK, workflow.CHIEF}):
        raise PermissionDenied("Only the issuer's staff assign building numbers.")
    if app.kind not in ADDRESS_KINDS or app.status not in (Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW):
        raise workflow.StateConflict("A number is assigned to a registered address certificate request only.",
                                     allowed=workflow.allowed_actions(app, by))
    parcel = app.parcels.select_related("uat").first()
    street = Street.objects.filter(pk=street_id, uat_id=parcel.uat_id).first() if parcel else None
    if parcel is None or street is None:
        raise ValidationError({"street": [_("Alegeți o stradă din UAT-ul parcelei.")]})
    basis = (decision or "").strip() or f"Atribuit la cererea nr. {app.registration}"  # stored: Romanian
    return number_assign(parcel=parcel, street=street, number=number, decision=basis, by=by)
