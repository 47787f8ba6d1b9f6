"""The general audit trail (accounts.AuditEntry): who did what, when, to what, with before → after.

Written in the transaction of the change it records: administrative edits (every model in /admin/, through
accounts.admin_site, and the /manage/ pages), invitations, webhook settings, session and second-factor
resets, document uploads and payments. An application's own state changes stay in its timeline
(permits.TransitionEvent). Read through `audit_entries_visible_to` (portal admins: all; a chief architect:
their issuer's; an institution's administrator: their institution's).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models

from accounts.models import AuditEntry, User
from gis_portal.ratelimit import client_address

SECRET_FIELDS = {"password", "secret", "webhook_secret", "key", "token"}
VALUE_MAX = 200


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's own fields as short JSON values (secrets masked, geometries summarised)."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        values[field.name] = _short(field, value)
    return values


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """{field: [before, after]} of the fields that differ (a creation or a deletion lists every field)."""
    before, after = before or {}, after or {}
    return {name: [before.get(name), after.get(name)] for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)}


def audit_record(*, actor: User | None, action: str, target: models.Model | None = None, target_type: str = "",
                 changes: dict[str, list[Any]] | None = None, issuer_id: int | None = None,
                 institution_id: int | None = None, request=None) -> AuditEntry:
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    address = client_address(request) if request is not None else None
    if target is not None:
        issuer_id = issuer_id or _scope(target, "issuer")
        institution_id = institution_id or _scope(target, "institution")
    return AuditEntry.objects.create(
        actor=actor, actor_name=actor.get_username() if actor else "", address=address if address != "-" else None,
        action=action[:40], target_type=target_type or (target._meta.label_lower if target is not None else ""),
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=str(target)[:200] if target is not None else "", changes=changes or {},
        issuer_id=issuer_id, institution_id=institution_id)


def audit_entries_visible_to(user: User):
    if not getattr(user, "is_authenticated", False):
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.select_related("actor")
    if user.is_portal_admin:
        return entries
    if user.role == User.Role.CHIEF_ARCHITECT and user.issuer_id:
        return entries.filter(issuer_id=user.issuer_id)
    if user.is_institution_admin:
        return entries.filter(institution_id=user.institution_id)
    return AuditEntry.objects.none()


def _scope(target: models.Model, name: str) -> int | None:
    """The issuer (or institution) a target belongs to: itself, its own field, or its application's."""
    if target._meta.label_lower == {"issuer": "parcels.issuer", "institution": "institutions.institution"}[name]:
        return target.pk
    value = getattr(target, f"{name}_id", None)
    if value is None and hasattr(target, "application_id"):
        value = getattr(getattr(target, "application", None), f"{name}_id", None)
    return value


def _short(field, value) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if field.name in SECRET_FIELDS or "secret" in field.name or "password" in field.name:
        return "••••" if value else ""
    if hasattr(value, "geom_type"):
        return f"{value.geom_type} ({value.num_coords} vertices)"
    if isinstance(field, models.DecimalField):  # as stored: "0.0100", whether read back or typed "0.01"
        return str(Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
    if hasattr(value, "name") and isinstance(field, models.FileField):
        return value.name or ""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= VALUE_MAX else text[:VALUE_MAX - 1] + "…"
