"""Admin: layers with their versions, zoning units, read-only features, and a file import form."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from gis_portal.admin_readonly import ReadOnlyModelAdmin
from layers.imports import layer_import
from layers.models import Feature, Layer, LayerVersion, ZoningUnit


class LayerVersionInline(admin.TabularInline):
    model = LayerVersion
    fields = readonly_fields = ("number", "is_current", "created_at", "feature_count", "source_name", "source_srid",
                                "raster_file")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ImportForm(forms.Form):
    file = forms.FileField(help_text="GeoJSON, GeoPackage, zipped Shapefile or GeoTIFF")
    theme = forms.CharField(max_length=64, help_text="e.g. lmi_monument, utr_polygon, dem")
    name = forms.CharField(max_length=200, required=False)
    slug = forms.SlugField(required=False)
    srid = forms.IntegerField(required=False, help_text="EPSG code if the file declares none")
    coverage = forms.ChoiceField(choices=[("", "UATs touched (default)"), ("extent", "Extent + 500 m"),
                                          ("territory", "Whole territory")], required=False)


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "kind", "theme", "synthetic", "public"]
    list_filter = ["kind", "public"]
    search_fields = ["slug", "name", "theme"]
    inlines = [LayerVersionInline]
    change_list_template = "admin/layers/layer/change_list.html"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="layers_layer_import"),
                *super().get_urls()]

    def import_view(self, request):
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / Path(upload.name).name
                with open(target, "wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                try:
                    report = layer_import(path=target, theme=form.cleaned_data["theme"],
                                          name=form.cleaned_data["name"] or None, slug=form.cleaned_data["slug"] or None,
                                          srid=form.cleaned_data["srid"], coverage=form.cleaned_data["coverage"] or None)
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(None, f"{field}: {' '.join(errors)}")
                else:
                    messages.success(request, f"{report.layer.slug} v{report.version.number}: {report.imported} features, "
                                              f"{len(report.repaired)} repaired, {len(report.rejected)} rejected.")
                    for row in (report.repaired + report.rejected)[:20]:
                        messages.warning(request, f"row {row['row']} ({row['source_id']}): {row['status']}: {row['reason']}")
                    return redirect("admin:layers_layer_change", report.layer.pk)
        return render(request, "admin/layers/layer/import.html",
                      {**self.admin_site.each_context(request), "form": form, "title": "Import a layer file",
                       "opts": self.model._meta})


@admin.register(ZoningUnit)
class ZoningUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "uat", "pot_max", "cut_max", "height_max_m", "levels_max", "plan"]
    list_filter = ["uat"]
    search_fields = ["code", "name", "plan"]


@admin.register(Feature)
class FeatureAdmin(ReadOnlyModelAdmin):
    """Features come only from imports: read-only here."""

    list_display = ["id", "name", "source_id", "version"]
    list_filter = ["version__layer"]
    search_fields = ["name", "source_id"]
    list_select_related = ["version__layer"]
    readonly_fields = ["version", "source_id", "name", "attrs", "geom"]
