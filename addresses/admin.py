"""Admin of the street register: streets with their names' history (renamed through a form that closes the
old name), building numbers, and a GeoPackage/CSV import."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from addresses import services
from addresses.imports import register_import
from addresses.models import BuildingNumber, RegisterImport, Street, StreetName


class StreetNameInline(admin.TabularInline):
    model = StreetName
    fields = readonly_fields = ("name", "valid_from", "valid_to", "decision")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class StreetForm(forms.ModelForm):
    """A new street gets its first name; an existing one may be renamed from a date (HCL required)."""

    name = forms.CharField(max_length=200, required=False, label="Denumire nouă / New name")
    on = forms.DateField(required=False, label="În vigoare de la / Valid from")
    decision = forms.CharField(max_length=200, required=False, label="HCL (temeiul denumirii)")

    class Meta:
        model = Street
        fields = ("uat", "locality", "code", "axis")

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not data.get("name"):
            self.add_error("name", "Numele străzii este obligatoriu.")
        if self.instance.pk is not None and data.get("name") and not data.get("on"):
            self.add_error("on", "Indicați data redenumirii.")
        return data


@admin.register(Street)
class StreetAdmin(GISModelAdmin):
    form = StreetForm
    list_display = ("code", "__str__", "uat", "locality")
    list_filter = ("uat",)
    search_fields = ("code", "names__name")
    inlines = [StreetNameInline]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                street = services.street_add(uat=data["uat"], code=data["code"], name=data["name"],
                                             valid_from=data.get("on") or services.EPOCH,
                                             decision=data.get("decision") or "", locality=data.get("locality"),
                                             axis=data.get("axis"))
                obj.pk = street.pk
                return
            obj.save()
            if data.get("name"):
                services.street_rename(street=obj, name=data["name"], on=data["on"], decision=data.get("decision") or "")
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="addresses_street_import"),
                *super().get_urls()]

    def import_view(self, request):
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / f"register{suffix}"
                with target.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                try:
                    record = register_import(path=target)
                except ValidationError as exc:
                    messages.error(request, "; ".join(exc.messages))
                    return redirect("admin:addresses_street_import")
            messages.success(request, f"{record.streets} străzi, {record.renamings} redenumiri, {record.numbers} numere.")
            return redirect("admin:addresses_street_changelist")
        return render(request, "admin/addresses/import.html", {**self.admin_site.each_context(request), "form": form,
                                                               "title": "Import nomenclatură stradală"})


class ImportForm(forms.Form):
    file = forms.FileField(help_text="GeoPackage (streets, street_names, numbers) or CSV")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".gpkg", ".csv"):
            raise ValidationError("Un fișier .gpkg sau .csv.")
        return upload


@admin.register(BuildingNumber)
class BuildingNumberAdmin(GISModelAdmin):
    list_display = ("number", "street", "parcel", "valid_from", "valid_to", "decision")
    list_filter = ("street__uat",)
    search_fields = ("number", "street__code", "parcel__cadastral_number")
    raw_id_fields = ("street", "parcel")
    readonly_fields = ("assigned_by", "source", "created_at")


@admin.register(RegisterImport)
class RegisterImportAdmin(admin.ModelAdmin):
    list_display = ("source_name", "created_at", "uat", "streets", "renamings", "numbers")
    readonly_fields = ("source_name", "source_sha256", "uat", "streets", "renamings", "numbers", "created_at")

    def has_add_permission(self, request) -> bool:
        return False
