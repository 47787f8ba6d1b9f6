"""The issuer's digitised archive for its staff: search, an act, the review queue (placing an act on
the map) and the bulk import of scans with their manifest."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.requests import signed_in
from archive import files, selectors, services
from archive.matching import issuer_uat_ids
from archive.models import ArchiveAct
from gis_portal.api.geojson import features_geojson
from web import geo
from web.views.public import map_config

PAGE_SIZE = 100


def _require_staff(user) -> None:
    if not (user.is_issuer_staff or user.is_portal_admin):
        raise PermissionDenied


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Text (cuvinte din actul scanat)"), max_length=200, required=False)
    number = forms.CharField(label=gettext_lazy("Număr"), max_length=32, required=False)
    year = forms.IntegerField(label=gettext_lazy("An"), min_value=1850, max_value=2100, required=False)
    holder = forms.CharField(label=gettext_lazy("Titular"), max_length=200, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Tip"), required=False, choices=lambda: [
        ("", _("Toate")), *[(v, _(label)) for v, label in ArchiveAct.Kind.choices]])


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    _require_staff(user)
    form = SearchForm(request.GET or None)
    acts = None
    if form.is_bound and form.is_valid() and any(form.cleaned_data.values()):
        data = form.cleaned_data
        acts = list(selectors.search(user, q=data["q"], number=data["number"], year=data["year"], holder=data["holder"],
                                     kind=data["kind"])[:PAGE_SIZE])
    return render(request, "web/archive_search.html", {
        "form": form, "acts": acts, "page_size": PAGE_SIZE, "queue_count": selectors.review_queue(user).count()})


@login_required
def act_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    _require_staff(user)
    act = get_object_or_404(selectors.acts_visible_to(user).prefetch_related("files"), pk=pk)
    return render(request, "web/archive_act.html", {"act": act, "files": act.files.all()})


class PlaceForm(forms.Form):
    act = forms.IntegerField(widget=forms.HiddenInput)
    lon = forms.FloatField(min_value=-180, max_value=180)
    lat = forms.FloatField(min_value=-90, max_value=90)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    _require_staff(user)
    acts = selectors.review_queue(user)
    error = ""
    if request.method == "POST":
        form = PlaceForm(request.POST)
        if not form.is_valid():
            error = _("Alegeți întâi un act din listă, apoi un punct sau o parcelă pe hartă.")
        else:
            act = get_object_or_404(acts, pk=form.cleaned_data["act"])
            try:
                placed = services.act_place(act=act, by=user, lon=form.cleaned_data["lon"], lat=form.cleaned_data["lat"])
            except ValidationError as invalid:
                error = " ".join(invalid.messages)
            else:
                parcel = placed.parcel.cadastral_number if placed.parcel else ""
                messages.success(request, _("Actul %(act)s a fost plasat pe parcela %(parcel)s.")
                                 % {"act": f"{placed.number}/{placed.year}", "parcel": parcel})
                return redirect("web:archive-queue")
    rows = list(acts[:PAGE_SIZE])
    config = map_config(request, parcelAtUrl="/api/v1/parcels/at/",
                        bounds=_issuer_bounds(user) or geo.territory_bounds())
    return render(request, "web/archive_queue.html", {
        "acts": rows, "total": acts.count(), "error": error, "config": config,
        "selected": request.POST.get("act", "") if error else ""})


def _issuer_bounds(user) -> list | None:
    if not user.issuer_id:
        return None
    collection = features_geojson(
        "SELECT ST_Envelope(ST_Collect(boundary)) AS geom, '{}'::json AS props FROM parcels_uat WHERE id = ANY(%s)",
        [issuer_uat_ids(user.issuer)])
    coords = [c for f in collection["features"] if f["geometry"] for c in f["geometry"]["coordinates"][0]]
    if not coords:
        return None
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    return [[min(xs), min(ys)], [max(xs), max(ys)]]


class ImportForm(forms.Form):
    batch = forms.FileField(label=gettext_lazy("Arhivă zip cu scanările (PDF sau TIFF)"))
    manifest = forms.FileField(label=gettext_lazy("Manifest CSV (dacă nu este „manifest.csv” în arhivă)"), required=False)


@login_required
def import_batch(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    _require_staff(user)
    issuer = user.issuer
    if issuer is None:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report, batch_error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            source = files.ZipSource(form.cleaned_data["batch"])
        except files.FileRefused as refused:
            batch_error = str(refused)
        else:
            try:
                upload = form.cleaned_data["manifest"]
                manifest = upload.read(services.MANIFEST_MAX_BYTES + 1) if upload else source.manifest()
                if manifest is None:
                    batch_error = _("Lipsește manifestul (--manifest sau manifest.csv în sursă).")
                else:
                    report = services.archive_import(issuer=issuer, manifest=manifest, source=source, by=user)
            except ValidationError as invalid:
                batch_error = " ".join(invalid.messages)
            finally:
                source.close()
    return render(request, "web/archive_import.html", {"form": form, "report": report, "batch_error": batch_error})
