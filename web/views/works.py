"""The works after an AC/AD: the holder's start and end notices, the staff's reception and regularisation
records (plain HTML forms posting to permits.works), and the public register of works in progress."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.requests import signed_in
from gis_portal.api.exceptions import StateConflict
from permits import works as works_services
from permits.works_public import works_in_progress
from web import selectors
from web.forms import ReceptionForm, ReferenceForm, WorksEndForm, WorksStartForm
from web.views.investor import detail_context

STATE_CHANGED = gettext_lazy("Cererea nu mai este în starea în care ați deschis pagina; reîncărcați pagina.")


def _app(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.applications_for(request.user), pk=pk)


def _errors_to_form(form: forms.Form, error: ValidationError) -> None:
    """Each reason of the service next to its field; a guard's (keyed by the action) above the form."""
    for field, reasons in error.message_dict.items():
        for reason in reasons:
            form.add_error(field if field in form.fields else None, reason)


def _redisplay(request: HttpRequest, app, **bound) -> HttpResponse:
    app.refresh_from_db()
    return render(request, "web/request_detail.html", detail_context(request, app, **bound), status=400)


def _done(request: HttpRequest, app, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect(f"/requests/{app.pk}/#works")


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    form = WorksStartForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            works_services.works_start_announce(
                application=app, by=signed_in(request), start_date=form.cleaned_data["start_date"],
                duration_months=form.cleaned_data["duration_months"],
                contractor_name=form.cleaned_data["contractor_name"],
                documents=request.FILES.getlist("documents")[:works_services.MAX_DOCUMENTS + 1])
        except ValidationError as error:
            _errors_to_form(form, error)
        except (StateConflict, PermissionDenied):
            form.add_error(None, STATE_CHANGED)
        else:
            return _done(request, app, _("Începerea lucrărilor a fost comunicată emitentului și Inspectoratului de "
                                         "Stat în Construcții."))
    return _redisplay(request, app, start_form=form)


@login_required
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    form = WorksEndForm(request.POST)
    if form.is_valid():
        try:
            works_services.works_end_announce(application=app, by=signed_in(request),
                                              end_date=form.cleaned_data["end_date"],
                                              final_value_ron=form.cleaned_data["final_value_ron"])
        except ValidationError as error:
            _errors_to_form(form, error)
        except (StateConflict, PermissionDenied):
            form.add_error(None, STATE_CHANGED)
        else:
            return _done(request, app, _("Terminarea lucrărilor a fost comunicată; taxa a fost regularizată pe "
                                         "valoarea finală declarată."))
    return _redisplay(request, app, end_form=form)


@login_required
@require_POST
def reception(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    form = ReceptionForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            works_services.works_reception_record(
                application=app, by=signed_in(request), reception_date=data["reception_date"],
                issuer_representative=data["issuer_representative"], members=data["members"].splitlines(),
                outcome=data["outcome"], remarks=data["remarks"], report=data["report"])
        except ValidationError as error:
            _errors_to_form(form, error)
        except (StateConflict, PermissionDenied):
            form.add_error(None, STATE_CHANGED)
        else:
            return _done(request, app, _("Recepția a fost înregistrată."))
    return _redisplay(request, app, reception_form=form)


@login_required
@require_POST
def regularisation(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record the payment of a positive difference or the refund of a negative one."""
    app = _app(request, pk)
    form = ReferenceForm(request.POST)
    if form.is_valid():
        service = (works_services.works_regularisation_pay if request.POST.get("what") == "pay"
                   else works_services.works_refund_record)
        try:
            service(application=app, by=signed_in(request), reference=form.cleaned_data["reference"])
        except ValidationError as error:
            _errors_to_form(form, error)
        except PermissionDenied:
            form.add_error(None, _("Doar personalul emitentului înregistrează plăți și restituiri."))
        else:
            return _done(request, app, _("Regularizarea taxei a fost înregistrată."))
    return _redisplay(request, app, reference_form=form)


@require_safe
def register(request: HttpRequest) -> HttpResponse:
    """The public register of authorised works in progress (the fields of the construction-site panel); its
    tabs (web/_works_tabs.html) lead to the excavations' register (web.views.excavations)."""
    entries = list(works_in_progress()[:500])
    return render(request, "web/works_register.html", {"entries": entries})
