"""The applicant's side of an institution's completion request: upload the documents it asked for,
then send them (a new dossier version for that institution alone). Plain HTML forms: no script needed."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.requests import signed_in
from avize import selectors as avize_selectors
from avize import services as avize_services
from gis_portal.api.exceptions import StateConflict
from permits.choices import DocType


def _back(req) -> HttpResponse:
    return redirect(f"/requests/{req.application_id}/#completion-{req.pk}")


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    req = avize_selectors.aviz_request_get(user=signed_in(request), pk=pk)  # 404 outside the caller's scope
    doc_type = request.POST.get("doc_type", "")[:20]
    if doc_type not in DocType.values:
        doc_type = DocType.ALTELE
    try:
        doc = avize_services.aviz_completion_document_add(request=req, by=signed_in(request), doc_type=doc_type,
                                                         upload=request.FILES.get("file"))
    except ValidationError:
        messages.error(request, _("Fișierul nu a putut fi încărcat: se acceptă documente PDF, PNG sau JPEG "
                                  "lizibile, în limita de mărime."))
    except (StateConflict, PermissionDenied):
        messages.error(request, _("Instituția nu mai așteaptă completări pentru această cerere."))
    else:
        messages.success(request, _("Documentul „%(name)s” a fost încărcat. Trimiteți completările când "
                                    "ați încărcat tot ce s-a cerut.") % {"name": doc.original_name})
    return _back(req)


@login_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    req = avize_selectors.aviz_request_get(user=signed_in(request), pk=pk)
    try:
        avize_services.aviz_resubmit(request=req, by=signed_in(request), note=request.POST.get("note", "")[:2000])
    except ValidationError:
        messages.error(request, _("Încărcați întâi documentele cerute de instituție: documentația nu s-a "
                                  "schimbat."))
    except (StateConflict, PermissionDenied):
        messages.error(request, _("Instituția nu mai așteaptă completări pentru această cerere."))
    else:
        messages.success(request, _("Completările au fost trimise instituției %(institution)s.")
                         % {"institution": req.institution.name})
    return _back(req)
