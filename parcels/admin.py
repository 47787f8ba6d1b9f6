"""GIS admin for UATs, issuers, parcels and buildings (maps in Stereo 70 data, OSM widget)."""
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from parcels.models import UAT, Building, Issuer, Locality, Parcel


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0
    fields = ("cadastral_id", "levels", "height_m", "built_area_m2", "destination")
    readonly_fields = ("built_area_m2",)


@admin.register(UAT)
class UATAdmin(GISModelAdmin):
    list_display = ("siruta", "name", "county", "kind", "has_urbanism_department")
    list_filter = ("kind", "county", "has_urbanism_department")
    list_editable = ("has_urbanism_department",)
    search_fields = ("name", "=siruta")


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ("siruta", "name", "uat", "kind", "is_seat", "postal_code")
    list_filter = ("is_seat", "urban")
    search_fields = ("name", "=siruta")
    list_select_related = ("uat",)


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "uat", "county")
    list_filter = ("kind", "county")
    search_fields = ("name",)
    list_select_related = ("uat",)


@admin.register(Parcel)
class ParcelAdmin(GISModelAdmin):
    list_display = ("cadastral_number", "uat", "use_category", "measured_area_m2", "synthetic", "updated_at")
    list_filter = ("use_category", "synthetic", "uat")
    search_fields = ("=cadastral_number", "cf_number", "address")
    list_select_related = ("uat",)
    raw_id_fields = ("uat",)
    readonly_fields = ("measured_area_m2", "updated_at")
    inlines = [BuildingInline]
    # The parcel table can hold millions of rows: avoid the full COUNT(*) of the changelist.
    show_full_result_count = False


@admin.register(Building)
class BuildingAdmin(GISModelAdmin):
    list_display = ("cadastral_id", "parcel", "levels", "built_area_m2")
    raw_id_fields = ("parcel",)
    list_select_related = ("parcel__uat",)
    search_fields = ("=parcel__cadastral_number",)
