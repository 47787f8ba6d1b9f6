"""Writes on institutions: idempotent seeding (upsert by code)."""
from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction

from institutions.models import Institution
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
                  **{k: v for k, v in row.items() if k != "code"}}
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
    return counts
