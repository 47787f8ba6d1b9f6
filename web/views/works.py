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


def _act(request: HttpRequest, app, form: forms.Form, form_name: str, call, done: str, *,
         refused=STATE_CHANGED, refusals: tuple[type[Exception], ...] = (StateConflict, PermissionDenied)
         ) -> HttpResponse:
    """Run the service `call(data)` for a valid form: its reasons go next to their fields and the page is shown
    again (400); a refusal or a state that changed meanwhile is said above the form; success redirects."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        except refusals:
            form.add_error(None, refused)
        else:
            return _done(request, app, done)
    return _redisplay(request, app, **{form_name: form})


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    return _act(request, app, WorksStartForm(request.POST, request.FILES), "start_form", lambda data: (
        works_services.works_start_announce(
            application=app, by=signed_in(request), start_date=data["start_date"],
            duration_months=data["duration_months"], contractor_name=data["contractor_name"],
            documents=request.FILES.getlist("documents")[:works_services.MAX_DOCUMENTS + 1])),
        _("Începerea lucrărilor a fost comunicată emitentului și Inspectoratului de Stat în Construcții."))


@login_required
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    return _act(request, app, WorksEndForm(request.POST), "end_form", lambda data: (
        works_services.works_end_announce(application=app, by=signed_in(request), end_date=data["end_date"],
                                          final_value_ron=data["final_value_ron"])),
        _("Terminarea lucrărilor a fost comunicată; taxa a fost regularizată pe valoarea finală declarată."))


@login_required
@require_POST
def reception(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    return _act(request, app, ReceptionForm(request.POST, request.FILES), "reception_form", lambda data: (
        works_services.works_reception_record(
            application=app, by=signed_in(request), reception_date=data["reception_date"],
            issuer_representative=data["issuer_representative"], members=data["members"].splitlines(),
            outcome=data["outcome"], remarks=data["remarks"], report=data["report"])),
        _("Recepția a fost înregistrată."))


@login_required
@require_POST
def regularisation(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record the payment of a positive difference or the refund of a negative one."""
    app = _app(request, pk)
    service = (works_services.works_regularisation_pay if request.POST.get("what") == "pay"
               else works_services.works_refund_record)
    return _act(request, app, ReferenceForm(request.POST), "reference_form", lambda data: (
        service(application=app, by=signed_in(request), reference=data["reference"])),
        _("Regularizarea taxei a fost înregistrată."),
        refused=_("Doar personalul emitentului înregistrează plăți și restituiri."), refusals=(PermissionDenied,))


@require_safe
def register(request: HttpRequest) -> HttpResponse:
    """The public register of authorised works in progress (the fields of the construction-site panel); its
    tabs (web/_works_tabs.html) lead to the excavations' register (web.views.excavations)."""
    entries = list(works_in_progress()[:500])
    return render(request, "web/works_register.html", {"entries": entries})
