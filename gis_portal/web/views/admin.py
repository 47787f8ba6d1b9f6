"""Portal administration: layers and their versions, institutions, rules (editing lives in Django admin)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from institutions.models import Institution
from layers.models import Layer


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_portal_admin:
        raise PermissionDenied
    layers = (Layer.objects.annotate(version_count=Count("versions"))
              .prefetch_related("versions").order_by("kind", "slug"))
    institutions = Institution.objects.annotate(reviewer_count=Count("reviewers", filter=Q(reviewers__is_active=True)))
    return render(request, "web/admin_home.html", {"layers": layers, "institutions": institutions})
