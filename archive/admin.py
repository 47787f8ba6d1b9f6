from django.contrib.gis import admin

from archive.models import ArchiveAct, ArchiveFile


class ArchiveFileInline(admin.TabularInline):
    model = ArchiveFile
    extra = 0
    fields = ("role", "original_name", "content_type", "pages", "size", "text_source")
    readonly_fields = fields
    can_delete = False


@admin.register(ArchiveAct)
class ArchiveActAdmin(admin.GISModelAdmin):
    list_display = ("__str__", "issuer", "holder", "parcel", "matched_by", "text_status")
    list_filter = ("kind", "matched_by", "text_status", "issuer")
    search_fields = ("number", "holder", "address", "cadastral_number")
    raw_id_fields = ("parcel", "placed_by")
    readonly_fields = ("text", "search", "imported_at", "updated_at")
    inlines = [ArchiveFileInline]
