"""Excavation pages: the request page for an operator (draw the trench, dates, live dig-once check), the
public register of current and planned excavations, and the clerk's guarantee record / release."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.requests import signed_in
from permits import excavations
from permits.api.public import excavation_entry
from permits.choices import REQUIRED_DOCUMENTS, ApplicantType, DocType, Kind
from permits.selectors import public_excavations
from web import labels, selectors
from web.views.public import map_config


def excavation_new(request: HttpRequest, draft=None) -> HttpResponse:
    """The excavation request (called by investor.request_new for kind "excavation")."""
    starts, ends = excavations.default_dates()
    config = map_config(request, kind=Kind.EXCAVATION, detailUrl=reverse("web:request-detail", args=[0]),
                        draftId=draft.pk if draft else None)
    return render(request, "web/excavation_new.html", {
        "kind": Kind.EXCAVATION, "config": config, "starts_on": starts.isoformat(), "ends_on": ends.isoformat(),
        "applicant_types": labels.translated_choices(ApplicantType),
        "doc_types": labels.translated_choices(DocType, REQUIRED_DOCUMENTS[Kind.EXCAVATION]),
        "default_width": "0.80",
    })


@require_safe
def register(request: HttpRequest) -> HttpResponse:
    """Public register of the excavations authorised and not closed (legally public fields only)."""
    today = timezone.localdate()
    rows = [{**excavation_entry(app), "under_way": app.status != "issued", "uat": app.uat.name if app.uat else ""}
            for app in public_excavations()[:2000]]
    return render(request, "web/excavations_register.html", {
        "rows": rows, "today": today, "status_labels": labels.STATUS,
        "config": map_config(request, excavations=reverse("permits:public-excavations")),
    })


@login_required
@require_POST
def guarantee(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk records the restoration guarantee as paid, or releases it after the restoration is accepted."""
    app = get_object_or_404(selectors.applications_for(request.user), pk=pk, kind=Kind.EXCAVATION)
    try:
        if request.POST.get("op") == "release":
            excavations.guarantee_release(application=app, by=signed_in(request))
            messages.success(request, _("Garanția a fost restituită."))
        else:
            excavations.guarantee_record(application=app, by=signed_in(request))
            messages.success(request, _("Garanția a fost înregistrată ca plătită."))
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("web:request-detail", pk=pk)
