"""Check digits of Romanian identification codes: CNP (natural persons) and CUI/CIF (companies).

The messages are in the caller's language (Romanian source strings); gis_portal/static/js/identity.js
mirrors these checks and messages in the browser."""
from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CNP_KEY = "279146358279"
_CUI_KEY = "753217532"
# First digit of a CNP → century of birth (7/8 residents, 9 foreigners: century not encoded).
_CENTURY = {"1": 1900, "2": 1900, "3": 1800, "4": 1800, "5": 2000, "6": 2000, "7": None, "8": None, "9": None}


def cnp_problem(cnp: str) -> str | None:
    """Return why a CNP is invalid, or None when it is valid."""
    if len(cnp) != 13 or not cnp.isdigit():
        return _("Un CNP are exact 13 cifre.")
    if cnp[0] == "0":
        return _("Un CNP nu poate începe cu 0.")
    century = _CENTURY[cnp[0]]
    yy, mm, dd = int(cnp[1:3]), int(cnp[3:5]), int(cnp[5:7])
    try:
        if century is None:
            date(2000 + yy, mm, dd) if yy <= date.today().year % 100 else date(1900 + yy, mm, dd)
        else:
            date(century + yy, mm, dd)
    except ValueError:
        return _("Data nașterii din CNP nu există.")
    county = int(cnp[7:9])
    if not (1 <= county <= 52 or county in (70, 80, 81, 82, 83)):
        return _("Codul de județ din CNP nu este valid.")
    control = sum(int(a) * int(b) for a, b in zip(cnp[:12], _CNP_KEY, strict=True)) % 11
    if (1 if control == 10 else control) != int(cnp[12]):
        return _("Cifra de control a CNP-ului este greșită.")
    return None


def cui_problem(cui: str) -> str | None:
    """Return why a CUI is invalid, or None. Accepts an optional "RO" VAT prefix."""
    text = cui.strip().upper()
    if text.startswith("RO"):
        text = text[2:].strip()
    if not text.isdigit() or not 2 <= len(text) <= 10:
        return _("Un CUI are între 2 și 10 cifre (opțional precedate de RO).")
    body, check = text[:-1].rjust(9, "0"), int(text[-1])
    control = sum(int(a) * int(b) for a, b in zip(body, _CUI_KEY, strict=True)) * 10 % 11
    if (0 if control == 10 else control) != check:
        return _("Cifra de control a CUI-ului este greșită.")
    return None


def validate_applicant_code(*, applicant_type: str, code: str, field: str = "applicant_id_code") -> str:
    problem = cnp_problem(code) if applicant_type == "person" else cui_problem(code)
    if problem:
        raise ValidationError({field: [problem]})
    text = code.strip().upper()
    return text[2:].strip() if text.startswith("RO") else text
