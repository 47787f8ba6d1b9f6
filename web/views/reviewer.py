"""Institution reviewers: the inbox of aviz requests and one request with its map, documents, reasons
and the answer form (the answer goes to the avize API, which signs the PDF)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.requests import signed_in
from avize import selectors as avize_selectors
from avize import services as avize_services
from avize.models import FINAL, State
from web import labels
from web.views.investor import application_overlay
from web.views.public import map_config


def _require_reviewer(user) -> None:
    if user.role != "reviewer" and not user.is_portal_admin:
        raise PermissionDenied


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    today = timezone.localdate()
    qs = (avize_selectors.aviz_requests_visible_to(signed_in(request)).filter(live=True)
          .order_by("due_date", "id"))
    rows = []
    for req in qs[:500]:
        late = req.state not in FINAL and req.due_date < today
        soon = req.state not in FINAL and not late and (req.due_date - today).days <= 3
        rows.append((req, "overdue" if late else "due-soon" if soon else ""))
    return render(request, "web/inbox.html", {"rows": rows})


@login_required
def aviz_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reviewer(request.user)
    req = avize_selectors.aviz_request_get(user=signed_in(request), pk=pk)  # 404 for other institutions
    if signed_in(request).role == "reviewer":
        # Opening the dossier is what the law counts as "viewed" (same as the API's GET).
        avize_services.aviz_view(request=req, by=signed_in(request))
        req.refresh_from_db()
    app = req.application
    config = map_config(request, overlay=application_overlay(app, req.institution), avizId=req.pk)
    return render(request, "web/aviz_detail.html", {
        "req": req, "app": app, "analysis": app.analysis_result or {},
        "can_answer": signed_in(request).role == "reviewer" and req.state not in FINAL
                      and req.state != State.COMPLETION_REQUESTED,
        "answered": req.state in FINAL,
        # The law allows one reasoned completion request, before the answer.
        "can_request_completion": signed_in(request).role == "reviewer" and req.completion_requested_at is None
                                  and req.state in (State.SENT, State.VIEWED),
        "outcomes": [(code, labels.AVIZ_STATES[code]) for code in labels.ANSWER_OUTCOMES],
        "config": config,
    })
