"""Investor pages: my requests, the CU request wizard, and the request page (shared with staff)."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.requests import signed_in
from addresses.selectors import address_of, streets_of
from archive import selectors as archive_selectors
from archive.models import ArchiveAct
from gis_portal.api.geojson import features_geojson
from permits import assignment, workflow
from permits import selectors as permits_selectors
from permits.choices import (
    ADDRESS_KINDS,
    EXTENSION_KINDS,
    REQUIRED_DOCUMENTS,
    AddressPurpose,
    ApplicantType,
    Connection,
    Destination,
    Kind,
    Purpose,
    RoadAccess,
    Status,
    WorksKind,
)
from permits.extensions import extendable, extension_term
from permits.works import WORKS_ACTIONS
from web import labels, selectors
from web.forms import AssignForm, AssignNumberForm
from web.views.public import map_config
from web.works_context import works_context


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    apps = selectors.applications_for(request.user).filter(owner=signed_in(request))
    return render(request, "web/my_requests.html", {"applications": apps})


# What each kind is based on: an AC/AD on the issued CU, an extension on the act it extends.
BASE_KINDS: dict[str, tuple[str, ...]] = {
    Kind.AC: (Kind.CU,), Kind.AD: (Kind.CU,), Kind.CU_EXTENSION: (Kind.CU,), Kind.AC_EXTENSION: (Kind.AC, Kind.AD),
}
TITLES: dict[str, Any] = {
    Kind.CU: _("Cerere pentru emiterea certificatului de urbanism"),
    Kind.CU_EXTENSION: _("Cerere pentru prelungirea certificatului de urbanism"),
    Kind.AC: _("Cerere pentru emiterea autorizației de construire"),
    Kind.AC_EXTENSION: _("Cerere pentru prelungirea autorizației de construire"),
    Kind.AD: _("Cerere pentru emiterea autorizației de desființare"),
    Kind.ADDRESS_CERT: _("Cerere pentru emiterea certificatului de nomenclatură stradală și adresă"),
    Kind.EXCAVATION: _("Cerere pentru autorizația de săpătură în domeniul public"),
}


@login_required
def request_new(request: HttpRequest, kind: str = Kind.CU) -> HttpResponse:
    """The request wizard for every kind; ?draft= reopens a draft, ?based_on= starts from an issued act."""
    if signed_in(request).role != "investor":
        raise PermissionDenied
    draft = None
    if request.GET.get("draft"):
        draft = get_object_or_404(selectors.editable_drafts(request.user), pk=_int(request.GET["draft"]) or 0)
        kind = draft.kind
    if kind not in Kind.values:
        raise Http404
    if kind == Kind.EXCAVATION:
        from web.views.excavations import excavation_new

        return excavation_new(request, draft)
    bases = selectors.issued_acts(request.user, BASE_KINDS.get(kind, ()))
    for base in bases:  # "valid until": the act's term, or the end of the works under way
        setattr(base, "term", extension_term(base))  # noqa: B010 (a display attribute, not a model field)
    based_on = draft.based_on_id if draft else _int(request.GET.get("based_on"))
    if based_on not in {b.pk for b in bases}:
        based_on = None
    config = map_config(request, kind=kind, parcel=_int(request.GET.get("parcel")), homeUrl=reverse("web:home"),
                        detailUrl=reverse("web:request-detail", args=[0]), basedOn=based_on,
                        draftId=draft.pk if draft else None, draftStatus=draft.status if draft else None)
    return render(request, "web/cu_new.html", {
        "kind": kind,
        "title": TITLES[kind],
        "config": config,
        "bases": bases,
        "based_on": based_on,
        "is_address": kind in ADDRESS_KINDS,
        "purposes": labels.translated_choices(AddressPurpose if kind in ADDRESS_KINDS else Purpose),
        "works_kinds": labels.translated_choices(WorksKind),
        "applicant_types": labels.translated_choices(ApplicantType),
        "doc_types": labels.doc_type_choices(kind, REQUIRED_DOCUMENTS[kind]),
        "is_extension": kind in EXTENSION_KINDS,
        "destinations": labels.translated_choices(Destination),
        "connections": labels.translated_choices(Connection),
        "road_accesses": labels.translated_choices(RoadAccess),
    })


def _int(value) -> int | None:
    """A primary key from the query string, or None (bounded before it reaches the database)."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 9 else None


@login_required
def request_detail(request: HttpRequest, pk: int, number_form=None) -> HttpResponse:
    app = get_object_or_404(selectors.applications_for(request.user), pk=pk)
    return render(request, "web/request_detail.html", detail_context(request, app, number_form=number_form))


def detail_context(request: HttpRequest, app, number_form=None, **works_forms) -> dict[str, Any]:
    """The request page's context; the works forms (web.views.works) and the number assignment
    (web.views.addresses) pass their bound forms with errors."""
    overlay = application_overlay(app)
    actions, blocked = workflow.offered_actions(app, request.user)  # only what the guards allow now
    config = map_config(request, applicationId=app.pk, overlay=overlay, actions=actions)
    staff_view = signed_in(request).is_issuer_staff or signed_in(request).is_portal_admin
    events = list(permits_selectors.application_timeline(application=app, user=request.user))
    head = assignment.is_head(signed_in(request), app.issuer_id) and app.status in assignment.OPEN_WORK
    # The works steps carry data: they are forms of their own (web/_works.html), not plain action buttons.
    works_actions = [a for a in actions if a in WORKS_ACTIONS]
    actions = [a for a in actions if a not in WORKS_ACTIONS]
    return {
        "works": works_context(app, request.user, works_actions, **works_forms),
        "app": app,
        "parcels": app.parcels.all(),
        "timeline": [(e, _("Repartizare") if e.action == assignment.ASSIGN else labels.status_label(e.to_status),
                      assignment.reason_shown(e)) for e in events],
        "assign_form": AssignForm(staff=selectors.assignable_staff(app.issuer_id)) if head else None,
        "documents": app.documents.all(),
        "act": getattr(app, "act", None),
        "analysis": app.analysis_result or {},
        "actions": labels.action_buttons(actions),
        "blocked_actions": labels.blocked_actions(blocked),
        "avize": selectors.avize_of(app, request.user),
        "can_complete": signed_in(request).pk == app.owner_id or signed_in(request).is_issuer_staff,
        "doc_types": labels.doc_type_choices(app.kind),
        "can_issue": "issue" in actions,
        "deadline_state": selectors.deadline_state(app, timezone.localdate()),
        "is_staff_view": staff_view,
        "parcel_history": _parcel_history(app, request.user) if staff_view else [],
        "compliance_rows": ([] if app.kind == Kind.EXCAVATION
                            else labels.compliance_rows((app.analysis_result or {}).get("compliance"))),
        "excavation": getattr(app, "excavation", None) if app.kind == Kind.EXCAVATION else None,
        "next_steps": next_steps(app, request.user),
        "sent": request.GET.get("sent") == "1" and app.status != Status.DRAFT,
        "config": config,
        **address_context(app, request.user, number_form),
    }


def assign_form(app, data=None) -> AssignNumberForm:
    return AssignNumberForm(data, streets=streets_of(uat_id=app.uat_id or 0))


def address_context(app, user, number_form=None) -> dict[str, Any]:
    """An address certificate's page: the parcel's address in the street register, or why it has none and, for
    the issuer's staff while the request is open, the form that assigns a number."""
    if app.kind not in ADDRESS_KINDS:
        return {"is_address": False}
    parcel = app.parcels.first()
    address = address_of(parcel=parcel) if parcel else None
    can_assign = (address is None and user.is_issuer_staff and user.issuer_id == app.issuer_id
                  and app.status in (Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW))
    if can_assign and number_form is None:
        number_form = assign_form(app)
    return {"is_address": True, "address": address, "number_form": number_form if can_assign else None}


def _parcel_history(app, user) -> list[tuple]:
    """The other acts on the request's parcels (archive and portal), for the issuer's staff."""
    out = []
    for parcel in app.parcels.all():
        rows = [r for r in archive_selectors.parcel_history(parcel, user) if not (r["source"] == "portal" and r.get("id") == app.pk)]
        for row in rows:
            row["label"] = labels.choice_label(ArchiveAct.Kind if row["source"] == "archive" else Kind, row["kind"])
        out.append((parcel, rows))
    return out


def next_steps(app, user) -> list[dict[str, str]]:
    """What the applicant can start from this request: complete the draft, or a follow-up of an issued act."""
    if app.owner_id != user.pk or user.role != "investor":
        return []
    if app.status in (Status.DRAFT, Status.RETURNED):
        url = reverse("web:request-new", args=[app.kind]) if app.kind == Kind.EXCAVATION else reverse("web:cu-new")
        return [{"id": "continue-draft", "label": str(_("Completează cererea (date și documente)")),
                 "url": f"{url}?draft={app.pk}"}]
    if app.status != Status.ISSUED and not (app.kind in (Kind.AC, Kind.AD) and extendable(app)):
        return []  # an AC/AD with its works under way may still be extended (Law 50/1991 art. 7(7))

    def new(kind: str) -> str:
        return f"{reverse('web:request-new', args=[kind])}?based_on={app.pk}"

    if app.kind == Kind.CU:
        return [{"id": "start-ac", "label": str(_("Solicită autorizația de construire")), "url": new(Kind.AC)},
                {"id": "start-ad", "label": str(_("Solicită autorizația de desființare")), "url": new(Kind.AD)},
                {"id": "start-cu-extension", "label": str(_("Cere prelungirea certificatului")),
                 "url": new(Kind.CU_EXTENSION)}]
    if app.kind in (Kind.AC, Kind.AD):
        return [{"id": "start-ac-extension", "label": str(_("Cere prelungirea autorizației")),
                 "url": new(Kind.AC_EXTENSION)}]
    return []


def application_overlay(app, institution=None) -> dict:
    """Parcels, the works footprint and the features the frozen analysis hit, as GeoJSON in EPSG:4326.
    For an institution's reviewer, the features that made its aviz required are marked `trigger`."""
    parts = [
        ("SELECT p.geom, json_build_object('role', 'parcel', 'label', p.cadastral_number) AS props "
         "FROM parcels_parcel p JOIN permits_application_parcels ap ON ap.parcel_id = p.id "
         "WHERE ap.application_id = %s", [app.pk]),
    ]
    if app.kind == Kind.EXCAVATION:
        parts.append(("SELECT geom, json_build_object('role', 'footprint', 'label', street) AS props "
                      "FROM permits_excavation WHERE application_id = %s", [app.pk]))
    if app.works_footprint:
        parts.append(("SELECT works_footprint AS geom, json_build_object('role', 'footprint') AS props "
                      "FROM permits_application WHERE id = %s", [app.pk]))
    hit_ids, distances = hit_features(app.analysis_result or {})
    if hit_ids:
        parts.append(("SELECT f.geom, json_build_object('role', 'hit', 'label', f.name, 'feature_id', f.id) AS props "
                      "FROM layers_feature f WHERE f.id = ANY(%s)", [hit_ids]))
    sql = " UNION ALL ".join(part for part, _ in parts)
    params = [p for _, ps in parts for p in ps]
    collection = features_geojson(sql, params)
    triggers = trigger_features(app.analysis_result or {}, institution.code) if institution is not None else set()
    for feature in collection["features"]:
        fid = feature["properties"].get("feature_id")
        if fid in distances:
            feature["properties"]["distance_m"] = distances[fid]
        if fid in triggers:
            feature["properties"]["trigger"] = True
    return collection


def trigger_features(result: dict, institution_code: str) -> set[int]:
    """Ids of the features hit by the rules that made this institution's aviz required."""
    rules = {(reason.get("rule") if isinstance(reason, dict) else reason)
             for aviz in result.get("required_avize") or []
             if (aviz.get("institution") or {}).get("code") == institution_code
             for reason in aviz.get("reasons") or []}
    ids: set[int] = set()
    for hit in result.get("rule_hits") or []:
        if hit.get("rule") in rules:
            ids.update(int(f) for f in hit.get("feature_ids") or [] if str(f).isdigit())
    return ids


def hit_features(result: dict) -> tuple[list[int], dict[int, float]]:
    """Feature ids of the rule hits and the smallest distance at which each was hit."""
    distances: dict[int, float] = {}
    for hit in result.get("rule_hits") or []:
        for fid in hit.get("feature_ids") or []:
            try:
                fid = int(fid)
            except (TypeError, ValueError):
                continue
            d = hit.get("distance_m")
            d = float(d) if d is not None else 0.0
            distances[fid] = min(d, distances.get(fid, d))
    return sorted(distances), distances
