"""Institution reviewers: the inbox of aviz requests and one request with its map and answer form."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gis_portal.web import selectors


def _require_reviewer(user) -> None:
    if user.role != "reviewer" and not user.is_portal_admin:
        raise PermissionDenied


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    return render(request, "web/inbox.html", {"requests": selectors.aviz_requests_for(request.user)})


@login_required
def aviz_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reviewer(request.user)
    raise Http404  # filled in when the avize API lands
