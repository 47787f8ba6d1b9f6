"""Urbanism staff pages: the queue sorted by legal deadline, the avize board, the CU preview."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.requests import signed_in
from gis_portal.api.geojson import features_geojson
from web import labels, selectors
from web.views.investor import address_context
from web.views.public import map_config


def _require_staff(user) -> None:
    if not (user.is_issuer_staff or user.is_portal_admin):
        raise PermissionDenied


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_staff(request.user)
    today = timezone.localdate()
    status = request.GET.get("status", "")[:40]
    # By default the list shows what waits for this person; a status filter searches the whole register.
    view = request.GET.get("view") or ("all" if status else "todo")
    if view not in selectors.QUEUE_VIEWS:
        view = "todo"
    apps = selectors.staff_queue_view(request.user, view)
    who = request.GET.get("who", "all")
    if who not in selectors.QUEUE_WHO:
        who = "all"
    if who == "mine":
        apps = apps.filter(assigned_to=signed_in(request))
    if status:
        apps = apps.filter(status=status)
    rows = [(app, selectors.deadline_state(app, today)) for app in apps[:500]]
    config = map_config(request, overlay=_queue_overlay([app.pk for app, _ in rows]))
    return render(request, "web/staff_queue.html", {
        "rows": rows, "today": today, "status": status, "config": config, "view": view, "who": who,
        "views": [(code, labels.QUEUE_VIEWS[code]) for code in selectors.QUEUE_VIEWS],
        "status_choices": [(code, label) for code, label in labels.STATUS.items() if code != "draft"],
    })


def _queue_overlay(ids: list[int]) -> dict:
    """The parcels of the listed requests, tagged with the request id (a few hundred shapes at most)."""
    if not ids:
        return {"type": "FeatureCollection", "features": []}
    return features_geojson(
        "SELECT p.geom, json_build_object('role', 'parcel', 'application', ap.application_id, "
        "'label', p.cadastral_number) AS props FROM parcels_parcel p "
        "JOIN permits_application_parcels ap ON ap.parcel_id = p.id WHERE ap.application_id = ANY(%s)", [ids])


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Where a person lands after logging in: the work list of their role, the map for investors."""
    user = signed_in(request)
    if user.is_issuer_staff:
        return redirect("web:staff-queue")
    if user.role == "reviewer":
        return redirect("web:inbox")
    if user.is_portal_admin:
        return redirect("web:admin-home")
    return redirect("web:home")


@login_required
def avize_board(request: HttpRequest) -> HttpResponse:
    _require_staff(request.user)
    return render(request, "web/staff_avize.html", {"boards": selectors.avize_board(request.user)})


@login_required
def issue_preview(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    app = get_object_or_404(selectors.applications_for(request.user), pk=pk)
    return render(request, "web/issue_preview.html", {"app": app, "analysis": app.analysis_result or {},
                                                      **address_context(app, request.user)})
