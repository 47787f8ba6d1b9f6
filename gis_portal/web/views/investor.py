"""Investor pages: my requests, the CU request wizard, and the request page (shared with staff)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from gis_portal.web import geo, labels, selectors
from gis_portal.web.views.public import map_config
from permits import workflow
from permits.choices import (
    REQUIRED_DOCUMENTS,
    ApplicantType,
    Connection,
    Destination,
    DocType,
    Kind,
    Purpose,
    RoadAccess,
    WorksKind,
)


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    apps = selectors.applications_for(request.user).filter(owner=request.user)
    return render(request, "web/my_requests.html", {"applications": apps})


@login_required
def cu_new(request: HttpRequest) -> HttpResponse:
    if request.user.role != "investor":
        raise PermissionDenied
    config = map_config(request, parcel=request.GET.get("parcel"), homeUrl=reverse("web:home"),
                        detailUrl=reverse("web:request-detail", args=[0]))
    return render(request, "web/cu_new.html", {
        "config": config,
        "purposes": Purpose.choices,
        "works_kinds": WorksKind.choices,
        "destinations": Destination.choices, "connections": Connection.choices, "road_accesses": RoadAccess.choices,
        "applicant_types": ApplicantType.choices,
        "doc_types": DocType.choices,
        "required_docs": [str(d) for d in REQUIRED_DOCUMENTS[Kind.CU]],
    })


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(selectors.applications_for(request.user), pk=pk)
    overlay = application_overlay(app)
    actions, blocked = workflow.offered_actions(app, request.user)  # only what the guards allow now
    config = map_config(request, applicationId=app.pk, overlay=overlay, actions=actions)
    events = list(app.events.select_related("by"))
    return render(request, "web/request_detail.html", {
        "app": app,
        "parcels": app.parcels.all(),
        "timeline": [(e, labels.status_label(e.to_status)) for e in events],
        "documents": app.documents.all(),
        "act": getattr(app, "act", None),
        "analysis": app.analysis_result or {},
        "actions": labels.action_buttons(actions),
        "blocked_actions": labels.blocked_actions(blocked),
        "avize": selectors.avize_of(app, request.user),
        "can_complete": request.user.pk == app.owner_id or request.user.is_issuer_staff,
        "doc_types": DocType.choices,
        "can_issue": "issue" in actions,
        "deadline_state": selectors.deadline_state(app, timezone.localdate()),
        "is_staff_view": request.user.is_issuer_staff or request.user.is_portal_admin,
        "config": config,
    })


def application_overlay(app) -> dict:
    """Parcels, the works footprint and the features the frozen analysis hit, as GeoJSON in EPSG:4326."""
    parts = [
        ("SELECT p.geom, json_build_object('role', 'parcel', 'label', p.cadastral_number) AS props "
         "FROM parcels_parcel p JOIN permits_application_parcels ap ON ap.parcel_id = p.id "
         "WHERE ap.application_id = %s", [app.pk]),
    ]
    if app.works_footprint:
        parts.append(("SELECT works_footprint AS geom, json_build_object('role', 'footprint') AS props "
                      "FROM permits_application WHERE id = %s", [app.pk]))
    hit_ids, distances = hit_features(app.analysis_result or {})
    if hit_ids:
        parts.append(("SELECT f.geom, json_build_object('role', 'hit', 'label', f.name, 'feature_id', f.id) AS props "
                      "FROM layers_feature f WHERE f.id = ANY(%s)", [hit_ids]))
    sql = " UNION ALL ".join(part for part, _ in parts)
    params = [p for _, ps in parts for p in ps]
    collection = geo.features_geojson(sql, params)
    for feature in collection["features"]:
        fid = feature["properties"].get("feature_id")
        if fid in distances:
            feature["properties"]["distance_m"] = distances[fid]
    return collection


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
