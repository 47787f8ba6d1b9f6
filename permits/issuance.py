"""Issuing a CU (form F.6) or an AC/AD (F.8 decision): number, PDF from the frozen analysis, signature.

Runs inside the `issue` transition's transaction: if rendering or signing fails, no number is used
and the application stays in review.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from addresses.selectors import address_of
from gis_portal.rendering import data_uri, html_to_pdf, qr_svg
from gis_portal.signing import sign_pdf
from layers.extract import map_svg
from permits import acts, avize_hook
from permits.analysis import works_of
from permits.choices import ADDRESS_KINDS, AVIZE_KINDS, Connection, Kind, Status, issue_register
from permits.extensions import extension_term, issued_on_of, regime_for
from permits.models import Application, IssuedAct, Works
from permits.numbering import next_number
from rules.works import lists_avize
from workdays import calendar

TEMPLATES: dict[str, str] = {Kind.CU: "permits/act_cu.html", Kind.CU_EXTENSION: "permits/act_extension.html",
             Kind.AC: "permits/act_ac.html", Kind.AD: "permits/act_ac.html",
             Kind.AC_EXTENSION: "permits/act_extension.html", Kind.ADDRESS_CERT: "permits/act_address.html",
             Kind.EXCAVATION: "permits/act_excavation.html"}


def _validity(app: Application, months: int | None) -> int | None:
    if app.kind in ADDRESS_KINDS:
        return None  # an address certificate states a fact of the register: no term of validity
    if app.kind == Kind.CU:
        low, high = calendar.policy("cu_validity_min").amount, calendar.policy("cu_validity_max").amount
        months = months or 12
        if not low <= months <= high:
            raise ValidationError({"validity_months": [_("Un certificat de urbanism este valabil între %(low)s și %(high)s luni.")
                                                    % {"low": low, "high": high}]})
        return months
    if app.kind == Kind.EXCAVATION:  # valid until the end of the authorised dig
        return max(1, months or 1)
    if app.kind in (Kind.AC, Kind.AD):
        high = calendar.policy("ac_start_max").amount
        months = months or high
        if not 1 <= months <= high:
            raise ValidationError({"validity_months": [_("Lucrările trebuie începute în cel mult %(high)s luni.") % {"high": high}]})
        return months
    if app.kind == Kind.CU_EXTENSION:
        high = calendar.policy("cu_extension_max").amount
    else:
        high = regime_for(issued_on_of(app.based_on)).max_months()
    months = months or high
    if not 1 <= months <= high:
        raise ValidationError({"validity_months": [_("O prelungire este de cel mult %(high)s luni.") % {"high": high}]})
    return months


def verify_url(code) -> str:
    return settings.SITE_URL + reverse("permits:verify", args=[code])


def act_issue(*, application: Application, by, validity_months: int | None = None) -> IssuedAct:
    app = application
    months = _validity(app, validity_months)
    today = timezone.localdate()
    assert app.issuer_id is not None, "registered applications have an issuer"
    register = issue_register(app.kind)
    act = IssuedAct(application=app, register=register, year=today.year, issued_on=today, issued_by=by,
                    number=next_number(issuer_id=app.issuer_id, year=today.year, register=register))
    app.validity_months = months
    if app.kind in (Kind.CU_EXTENSION, Kind.AC_EXTENSION):
        assert app.based_on_id is not None, "an extension extends an act"
        base = Application.objects.select_for_update().get(pk=app.based_on_id)
        term = extension_term(base)  # the act's validity, or the end of works already under way
        assert term is not None and months is not None, "an issued act has a validity"
        base.valid_until = calendar.add_months(term, months)
        base.extended = True
        base.save(update_fields=["valid_until", "extended"])
        if base.status == Status.WORKS_STARTED:  # not finished in time (art. 7(7)): the works get the months too
            Works.objects.filter(application=base).update(end_due=base.valid_until,
                                                          duration_months=F("duration_months") + months)
        app.valid_until = base.valid_until
    elif app.kind == Kind.EXCAVATION:
        app.valid_until = app.excavation.ends_on
    elif months is not None:
        app.valid_until = calendar.add_months(today, months)
    app.save(update_fields=["validity_months", "valid_until"])
    act.conditions = avize_hook.avize_state(app).conditions if app.kind in AVIZE_KINDS else []
    parcels = list(app.parcels.select_related("uat").order_by("cadastral_number"))
    excavation = app.excavation if app.kind == Kind.EXCAVATION else None
    svg, legend = map_svg(parcels=parcels, footprint=excavation.geom if excavation else app.works_footprint)
    result = app.analysis_result or {}
    context = {
        "app": app, "act": act, "parcels": parcels, "issuer": app.issuer, "result": result,
        "required_avize": result.get("required_avize") or [], "zoning": result.get("zoning") or [],
        "rule_hits": result.get("rule_hits") or [], "compliance": result.get("compliance") or {},
        "map_src": data_uri(svg), "legend": legend, "qr_src": data_uri(qr_svg(verify_url(act.verify_code))),
        "verify_url": verify_url(act.verify_code), "signer": by, "base": app.based_on,
        "area_m2": round(sum(p.measured_area_m2 for p in parcels), 2), "excavation": excavation,
    }
    if app.kind == Kind.CU:
        context.update(f6=acts.f6_groups(result), lists_avize=lists_avize(works_of(app)),
                       environment=acts.environment_authority(result, app.issuer.county if app.issuer else ""))
    elif app.kind in (Kind.AC, Kind.AD):  # what the CU it rests on asked for
        cu_result = app.based_on.analysis_result if app.based_on and app.based_on.analysis_result else {}
        context.update(f6=acts.f6_groups(cu_result) if cu_result.get("ac_requirements") else [],
                       connections=[Connection(c).label for c in app.works_connections or ()])
    elif app.kind in ADDRESS_KINDS:
        address = address_of(parcel=parcels[0], on=today)
        if address is None:
            raise ValidationError({"issue": ["The parcel has no building number on a current street in the street register."]})
        context["address"] = address
    if app.kind in (Kind.CU, Kind.AC, Kind.AD, Kind.EXCAVATION, *ADDRESS_KINDS):
        context["signatures"] = acts.signatures(app, signer=by)
    pdf = html_to_pdf(TEMPLATES[app.kind], context)
    signed = sign_pdf(pdf, reason=f"{app.get_kind_display()} nr. {act.number}/{act.year}",
                      location=app.issuer.name if app.issuer else "")
    act.sha256 = hashlib.sha256(signed).hexdigest()
    act.pdf.save(f"{register}-{app.issuer_id}-{act.year}-{act.number}.pdf", ContentFile(signed), save=False)
    act.save()
    return act
