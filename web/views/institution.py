"""An institution administrator's page: the webhook URL and its signing secret (rotated, shown once)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.audit import audit_record
from accounts.requests import signed_in
from institutions.services import institution_webhook_secret_rotate, institution_webhook_set
from web.forms import WebhookForm


@never_cache
@login_required
def institution_settings(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    institution = user.institution
    if not user.is_institution_admin or institution is None:
        raise PermissionDenied
    form = WebhookForm(initial={"webhook_url": institution.webhook_url})
    new_secret = None
    if request.method == "POST" and request.POST.get("action") == "rotate":
        new_secret = institution_webhook_secret_rotate(institution=institution, by=user)
        institution.refresh_from_db()
        audit_record(actor=user, action="webhook_secret_rotate", target=institution,
                     changes={"webhook_secret": ["••••", "••••"]}, request=request)
    elif request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            before = institution.webhook_url
            try:
                institution_webhook_set(institution=institution, by=user, url=form.cleaned_data["webhook_url"])
            except ValidationError as exc:
                for message in exc.message_dict.get("webhook_url", exc.messages):
                    form.add_error("webhook_url", message)
            else:
                audit_record(actor=user, action="webhook_set", target=institution, request=request,
                             changes={"webhook_url": [before, form.cleaned_data["webhook_url"]]})
                messages.success(request, _("Adresa webhook a fost salvată."))
                return redirect("web:institution-settings")
    return render(request, "web/institution_settings.html",
                  {"institution": institution, "form": form, "new_secret": new_secret})
