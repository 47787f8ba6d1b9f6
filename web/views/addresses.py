"""The street register on a request page: the clerk assigns a building number to an address certificate's
parcel that the register gives none (recorded in the register, then the certificate can be issued)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.requests import signed_in
from permits import services
from permits.choices import ADDRESS_KINDS
from web import selectors
from web.views import investor


@login_required
@require_POST
def assign_number(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(selectors.applications_for(request.user), pk=pk, kind__in=ADDRESS_KINDS)
    if not signed_in(request).is_issuer_staff:
        raise PermissionDenied
    form = investor.assign_form(app, request.POST)
    if form.is_valid():
        try:
            services.address_number_assign(application=app, by=signed_in(request), street_id=form.cleaned_data["street"],
                                           number=form.cleaned_data["number"], decision=form.cleaned_data["decision"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("web:request-detail", pk=app.pk)
    return investor.request_detail(request, pk=app.pk, number_form=form)
