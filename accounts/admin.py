"""Accounts in the admin: users with their role and binding, their sessions, the audit trail (read-only).

User actions end every session and API token of the selected accounts, or reset their second factor
(a lost phone); each is written to the audit trail.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from accounts.audit import audit_record
from accounts.mfa import second_factor_reset
from accounts.models import AuditEntry, User, UserSession
from accounts.sessions import session_revoke, sessions_revoke
from accounts.tokens import tokens_revoke


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("username", "email", "role", "issuer", "institution", "is_active", "last_login")
    list_filter = ("role", "is_active", "issuer", "institution")
    fieldsets = (*UserAdmin.fieldsets,  # type: ignore[misc]
                 ("Portal", {"fields": ("role", "issuer", "institution", "institution_admin", "preferred_language")}))
    actions = ["end_sessions", "reset_second_factor"]

    @admin.action(description="End every session and API token / Închide toate sesiunile și tokenurile")
    def end_sessions(self, request, queryset):
        for user in queryset:
            count = sessions_revoke(user=user) + tokens_revoke(user=user)
            audit_record(actor=request.user, action="sessions_revoke", target=user, changes={"ended": [count, 0]},
                         request=request)
        messages.success(request, f"Sessions and tokens ended / Sesiuni și tokenuri închise: {queryset.count()}")

    @admin.action(description="Reset two-factor authentication / Resetează autentificarea în doi pași")
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            count = second_factor_reset(user=user)
            audit_record(actor=request.user, action="second_factor_reset", target=user,
                         changes={"devices": [count, 0]}, request=request)
        messages.success(request, f"Two-factor reset / Autentificare în doi pași resetată: {queryset.count()}")


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "last_seen", "address", "user_agent")
    search_fields = ("user__username",)
    readonly_fields = ("user", "session_key", "created_at", "last_seen", "address", "user_agent")

    def has_add_permission(self, request) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        session_revoke(user=obj.user, pk=obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        for row in list(queryset):
            session_revoke(user=row.user, pk=row.pk)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "target_type", "target_repr", "issuer", "institution")
    list_filter = ("action", "target_type")
    search_fields = ("actor_name", "target_repr", "target_id")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
