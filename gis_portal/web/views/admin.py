"""Portal administration: layers and their versions (with a file import), institutions, rules
(editing lives in Django admin)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts.requests import signed_in
from gis_portal.ratelimit import rate_limit
from gis_portal.web.forms import LayerImportForm
from institutions.models import Institution
from layers.imports import layer_import
from layers.models import Layer, LayerVersion

REPORT_ROWS_SHOWN = 200  # the rest of a long report is summarised by its counts
SESSION_REPORT = "web:layer_import_report"


@login_required
@rate_limit("import", methods=("POST",))  # per admin, across workers; THROTTLE_IMPORT
def home(request: HttpRequest) -> HttpResponse:
    if not signed_in(request).is_portal_admin:
        raise PermissionDenied
    form = LayerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = _import(form.cleaned_data, request.FILES["file"])
        except ValidationError as exc:
            for field, errors in _errors_by_field(exc).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Post/redirect/get: reloading the page must not import the file a second time.
            request.session[SESSION_REPORT] = report
            messages.success(request, _("Stratul %(layer)s are acum versiunea curentă v%(number)s.")
                             % {"layer": report["layer"], "number": report["version"]})
            return redirect("web:admin-home")
    versions = LayerVersion.objects.order_by("-number")
    layers = (Layer.objects.annotate(version_count=Count("versions"))
              .prefetch_related(Prefetch("versions", queryset=versions)).order_by("kind", "slug"))
    institutions = Institution.objects.annotate(reviewer_count=Count("reviewers", filter=Q(reviewers__is_active=True)))
    return render(request, "web/admin_home.html", {
        "layers": layers, "institutions": institutions, "form": form,
        "report": request.session.pop(SESSION_REPORT, None) if request.method == "GET" else None,
    }, status=400 if request.method == "POST" else 200)


def _import(data: dict, upload) -> dict:
    """Write the upload to a private temporary file (GDAL reads paths) and import it as a new version."""
    # The service recognises the format by the suffix and records the file name as the source.
    filename = get_valid_filename(Path(upload.name).name) or "upload"
    with tempfile.TemporaryDirectory(prefix="layer-upload-") as tmp:
        path = Path(tmp) / filename
        with open(path, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        report = layer_import(path=path, theme=data["theme"], name=data["name"] or None, srid=data["srid"],
                              on_invalid=data["on_invalid"])
    rows = report.repaired + report.rejected
    rows.sort(key=lambda r: r["row"])
    return {
        "layer": report.layer.name, "slug": report.layer.slug, "version": report.version.number,
        "source": filename, "imported": report.imported, "repaired": len(report.repaired),
        "rejected": len(report.rejected), "raster": bool(report.version.raster_file),
        "rows": [{k: str(v) if v is not None else "" for k, v in r.items()} for r in rows[:REPORT_ROWS_SHOWN]],
        "rows_omitted": max(0, len(rows) - REPORT_ROWS_SHOWN),
    }


def _errors_by_field(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"file": exc.messages}
