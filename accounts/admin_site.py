"""The Django admin of the portal: django.contrib.admin with a site that (1) opens only to a session that
passed the second factor (accounts.mfa) and (2) writes every addition, change and deletion of every
registered model to the audit trail (accounts.audit) with its before → after.

`PortalAdminConfig` replaces "django.contrib.admin" in INSTALLED_APPS; the apps keep registering their
models with `@admin.register`, which lands on this site.
"""
from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class AuditedAdminMixin:
    """Records the admin's edits: the object's fields before (read from the database when the form is
    saved) and after (once its related objects are saved too), or before a deletion."""

    def save_model(self, request, obj, form, change):
        from accounts.audit import snapshot

        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            obj._audit_before = snapshot(stored) if stored is not None else None
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "admin_add", None)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "admin_change", getattr(obj, "_audit_before", None))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        from accounts.audit import audit_record, diff, snapshot

        for obj in queryset:
            audit_record(actor=request.user, action="admin_delete", target=obj, changes=diff(snapshot(obj), None),
                         request=request)
        return super().log_deletions(request, queryset)

    def _audit(self, request, obj, action, before) -> None:
        from accounts.audit import audit_record, diff, snapshot

        changes = diff(before, snapshot(obj))
        if action == "admin_change" and not changes:
            return
        audit_record(actor=request.user, action=action, target=obj, changes=changes, request=request)


class PortalAdminSite(admin.AdminSite):
    site_header = "Portal urbanism — administrare"

    def has_permission(self, request) -> bool:
        verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and callable(verified) and bool(verified())

    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        audited = type(base.__name__, (AuditedAdminMixin, base), {"__module__": base.__module__})
        return super().register(model_or_iterable, audited, **options)


class PortalAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.PortalAdminSite"
