"""Portal administration: layers and their versions (with a file import), institutions, rules
(editing lives in Django admin); an issuer's staff and their invitations (its chief architect or a
portal admin), and the invited person's one-time page."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts import invitations
from accounts.models import User
from accounts.requests import signed_in
from gis_portal.ratelimit import rate_limit
from institutions.models import Institution
from layers.imports import layer_import
from layers.models import Layer, LayerVersion
from web.forms import InvitationAcceptForm, LayerImportForm, StaffInviteForm

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


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    """The staff of the issuers the user manages, and the invitation form (no Django admin needed)."""
    issuers = invitations.issuers_managed_by(signed_in(request))
    if not issuers.exists():
        raise PermissionDenied
    form = StaffInviteForm(request.POST or None, issuers=issuers,
                           initial={"issuer": signed_in(request).issuer_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitations.staff_invite(by=signed_in(request), email=data["email"], role=data["role"], issuer=data["issuer"],
                                     first_name=data["first_name"], last_name=data["last_name"],
                                     language=request.LANGUAGE_CODE)
        except ValidationError:
            form.add_error("email", _("Există deja un cont cu această adresă de e-mail."))
        else:
            messages.success(request, _("Invitația a fost trimisă la %(email)s.") % {"email": data["email"]})
            return redirect("web:staff-accounts")
    people = (User.objects.filter(issuer__in=issuers, role__in=invitations.INVITABLE_ROLES)
              .select_related("issuer").order_by("issuer__name", "-is_active", "last_name", "username"))
    return render(request, "web/staff_accounts.html", {"form": form, "people": people},
                  status=400 if request.method == "POST" else 200)


def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The one-time page of an invitation: choose a username and a password, then land on the work list."""
    user = invitations.invited_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "web/invitation_accept.html", {"invalid": True}, status=404)
    form = InvitationAcceptForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invitation_accept(user=user, username=form.cleaned_data["username"],
                                                 password=form.cleaned_data["password1"])
        except ValidationError:
            form.add_error("username", _("Numele de utilizator este deja folosit."))
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("Bine ați venit! Contul dumneavoastră este activ."))
            return redirect("web:landing")
    return render(request, "web/invitation_accept.html", {"form": form, "invited": user},
                  status=400 if request.method == "POST" else 200)
