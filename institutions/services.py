"""Writes on institutions: idempotent seeding (upsert by code)."""
from __future__ import annotations

import secrets
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model

from institutions.models import Institution, InstitutionEvent
from institutions.seeds import BACAU_INSTITUTIONS

_SEED_FIELDS = ("name", "kind", "county", "email", "address", "legal_basis", "response_days",
                "response_working_days", "tacit_approval", "also_kinds", "synthetic")


def institution_upsert(*, code: str, existing: Institution | None = None, **fields: Any) -> tuple[Institution, bool]:
    """Create or update the institution with this code; return (institution, created).

    The webhook secret is generated once, on creation: re-seeding must never rotate a secret the
    institution's systems already use.
    """
    institution = existing or Institution.objects.filter(code=code).first()
    if institution is None:
        institution = Institution(code=code, webhook_secret=secrets.token_hex(32), **fields)
        institution.full_clean(validate_unique=False)
        institution.save()
        return institution, True
    changed = [name for name, value in fields.items() if getattr(institution, name) != value]
    for name in changed:
        setattr(institution, name, fields[name])
    if not institution.webhook_secret:
        institution.webhook_secret = secrets.token_hex(32)
        changed.append("webhook_secret")
    if changed:
        institution.full_clean(validate_unique=False)
        institution.save(update_fields=changed)
    return institution, False


@transaction.atomic
def institutions_seed(*, county: str = "Bacău") -> dict[str, int]:
    """Upsert the seeded institutions of the county; running it twice changes nothing."""
    counts = {"created": 0, "updated_or_unchanged": 0}
    existing = {i.code: i for i in Institution.objects.filter(code__in=[r["code"] for r in BACAU_INSTITUTIONS])}
    new = []
    for row in BACAU_INSTITUTIONS:
        values = {"county": county, "response_days": 15, "response_working_days": False, "tacit_approval": True,
                  **{k: v for k, v in row.items() if k not in ("code", "jurisdiction_sirutas")}}
        fields = {k: values[k] for k in _SEED_FIELDS if k in values}
        if row["code"] in existing:
            institution_upsert(code=row["code"], existing=existing[row["code"]], **fields)
            counts["updated_or_unchanged"] += 1
        else:
            institution = Institution(code=row["code"], webhook_secret=secrets.token_hex(32), **fields)
            institution.full_clean(validate_unique=False)
            new.append(institution)
    Institution.objects.bulk_create(new)
    counts["created"] = len(new)
    _seed_jurisdictions()
    return counts


def _seed_jurisdictions() -> None:
    """Rows with `jurisdiction_sirutas` serve those UATs only (a city hall's streets), when the UATs exist."""
    uat_model = cast(type[Model], Institution._meta.get_field("jurisdiction_uats").related_model)  # parcels.UAT, a peer
    for row in BACAU_INSTITUTIONS:
        if row.get("jurisdiction_sirutas"):
            uats = list(uat_model._default_manager.filter(siruta__in=row["jurisdiction_sirutas"])
                        .values_list("pk", flat=True))
            if uats:
                Institution.objects.get(code=row["code"]).jurisdiction_uats.set(uats)


def _check_institution_admin(by, institution: Institution) -> None:
    if not (by.is_portal_admin or (by.is_institution_admin and by.institution_id == institution.pk)):
        raise PermissionDenied("Only the institution's administrators change its webhook settings.")


@transaction.atomic
def institution_webhook_set(*, institution: Institution, by, url: str) -> Institution:
    """Set (or clear, with "") the webhook URL: https to a public address, checked by the outbound guard."""
    _check_institution_admin(by, institution)
    url = url.strip()
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    try:
        institution.webhook_url = Institution._meta.get_field("webhook_url").clean(url, institution)
    except ValidationError as exc:
        raise ValidationError({"webhook_url": exc.messages}) from None
    institution.save(update_fields=["webhook_url"])
    InstitutionEvent.objects.create(institution=institution, action=InstitutionEvent.Action.WEBHOOK_URL_SET, by=by,
                                    detail=url[:300])
    return institution


@transaction.atomic
def institution_webhook_secret_rotate(*, institution: Institution, by) -> str:
    """A new signing secret (returned once, to be shown once); the old one stops signing at once."""
    _check_institution_admin(by, institution)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    institution.webhook_secret = secrets.token_hex(32)
    institution.save(update_fields=["webhook_secret"])
    InstitutionEvent.objects.create(institution=institution, action=InstitutionEvent.Action.WEBHOOK_SIGNING_KEY_ROTATED,
                                    by=by)
    return institution.webhook_secret
