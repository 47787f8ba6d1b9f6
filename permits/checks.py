"""Checks shared by services and workflow guards."""
from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from permits.choices import Kind, Status


def cu_problem(*, cu, parcels, on: date) -> str | None:
    """Why `cu` cannot support an AC/AD on `parcels` on date `on`, or None when it can."""
    if cu is None:
        return _("Alegeți certificatul de urbanism pe care se bazează cererea.")
    if cu.kind != Kind.CU:
        return _("Actul ales nu este un certificat de urbanism.")
    if cu.status != Status.ISSUED:
        return _("Certificatul de urbanism %(number)s nu este emis.") % {"number": cu.registration or cu.pk}
    if cu.valid_until is None or cu.valid_until < on:
        return _("Certificatul de urbanism a expirat la %(date)s.") % {"date": date_format(cu.valid_until, "SHORT_DATE_FORMAT") if cu.valid_until else "—"}
    covered = {p.pk for p in cu.parcels.all()}
    missing = [p.cadastral_number for p in parcels if p.pk not in covered]
    if missing:
        return _("Certificatul de urbanism nu cuprinde parcela (parcelele) %(parcels)s.") % {"parcels": ", ".join(missing)}
    return None
