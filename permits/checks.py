"""Checks shared by services and workflow guards."""
from __future__ import annotations

from datetime import date

from permits.choices import Kind, Status


def cu_problem(*, cu, parcels, on: date) -> str | None:
    """Why `cu` cannot support an AC/AD on `parcels` on date `on`, or None when it can."""
    if cu is None:
        return "An AC/AD needs the certificat de urbanism it is based on (based_on)."
    if cu.kind != Kind.CU:
        return "The referenced act is not a certificat de urbanism."
    if cu.status != Status.ISSUED:
        return f"The certificat de urbanism {cu.registration or cu.pk} is not issued (status {cu.status})."
    if cu.valid_until is None or cu.valid_until < on:
        return f"The certificat de urbanism expired on {cu.valid_until}."
    covered = {p.pk for p in cu.parcels.all()}
    missing = [p.cadastral_number for p in parcels if p.pk not in covered]
    if missing:
        return "The certificat de urbanism does not cover parcel(s) " + ", ".join(missing) + "."
    return None
