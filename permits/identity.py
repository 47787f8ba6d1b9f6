"""Check digits of Romanian identification codes: CNP (natural persons) and CUI/CIF (companies).

The digits are checked by python-stdnum (stdnum.ro.cnp, stdnum.ro.cui); this module only turns its
exceptions into the messages the interface shows, in the caller's language (Romanian source strings),
and adds the one check stdnum leaves out (a birth date in the future). gis_portal/static/js/identity.js
mirrors these checks and messages in the browser.
"""
from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidComponent
from stdnum.exceptions import ValidationError as ValidationError_
from stdnum.ro import cnp as stdnum_cnp
from stdnum.ro import cui as stdnum_cui


def cnp_problem(cnp: str) -> str | None:
    """Return why a CNP is invalid, or None when it is valid (python-stdnum checks the digits)."""
    if len(cnp) != 13 or not cnp.isdigit():
        return _("Un CNP are exact 13 cifre.")
    if cnp[0] == "0":
        return _("Un CNP nu poate începe cu 0.")
    try:
        born = stdnum_cnp.get_birth_date(cnp)
    except InvalidComponent:
        return _("Data nașterii din CNP nu există.")
    if cnp[0] in "123456" and born > date.today():  # 7/8/9 do not encode the century
        return _("Data nașterii din CNP nu există.")
    try:
        stdnum_cnp.get_county(cnp)
    except InvalidComponent:
        return _("Codul de județ din CNP nu este valid.")
    try:
        stdnum_cnp.validate(cnp)
    except ValidationError_:
        return _("Cifra de control a CNP-ului este greșită.")
    return None


def cui_problem(cui: str) -> str | None:
    """Return why a CUI is invalid, or None. Accepts an optional "RO" VAT prefix."""
    text = cui.strip().upper()
    if text.startswith("RO"):
        text = text[2:].strip()
    if not text.isdigit() or not 2 <= len(text) <= 10 or text[0] == "0":
        return _("Un CUI are între 2 și 10 cifre (opțional precedate de RO).")
    try:
        stdnum_cui.validate(text)
    except ValidationError_:
        return _("Cifra de control a CUI-ului este greșită.")
    return None


def validate_applicant_code(*, applicant_type: str, code: str, field: str = "applicant_id_code") -> str:
    problem = cnp_problem(code) if applicant_type == "person" else cui_problem(code)
    if problem:
        raise ValidationError({field: [problem]})
    text = code.strip().upper()
    return text[2:].strip() if text.startswith("RO") else text
