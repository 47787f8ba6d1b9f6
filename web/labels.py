"""Translated labels for values other apps store as codes (statuses, actions, kinds).

The permits choices carry Romanian labels only; the pages show these, which follow the language switch.
"""
from __future__ import annotations

from django.db.models import Choices
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from permits.choices import REQUEST_FORMS, DocType

STATUS = {
    "draft": _("Ciornă"),
    "submitted": _("Înregistrată"),
    "in_review": _("În analiză"),
    "returned_for_completion": _("Returnată pentru completare"),
    "resubmitted": _("Completată"),
    "avize": _("În avizare"),
    "issued": _("Emisă"),
    "refused": _("Respinsă"),
    "withdrawn": _("Retrasă"),
    "expired": _("Expirată"),
    "works_started": _("Lucrări în execuție"),
    "works_ended": _("Lucrări terminate"),
    "closed": _("Închisă (recepționată)"),
}

QUEUE_VIEWS = {
    "todo": _("De lucrat de mine"),
    "waiting": _("În așteptare (avize, completări)"),
    "done": _("Finalizate"),
    "all": _("Toate"),
}

ACTIONS = {
    "submit": _("Trimite cererea"),
    "accept": _("Acceptă spre analiză"),
    "return_for_completion": _("Returnează pentru completare"),
    "resubmit": _("Retrimite completată"),
    "request_avize": _("Solicită avizele"),
    "avize_complete": _("Avize complete"),
    "override_compliance": _("Derogare de la verificări (arhitect-șef)"),
    "issue": _("Emite"),
    "refuse": _("Respinge"),
    "withdraw": _("Retrage cererea"),
    "expire": _("Marchează expirată"),
    "announce_start": _("Anunță începerea lucrărilor"),
    "announce_end": _("Anunță terminarea lucrărilor"),
    "record_reception": _("Înregistrează recepția"),
    "coordinate_conflicts": _("Marchează suprapunerile ca fiind coordonate"),
    "excavation_start": _("Anunță începerea săpăturii"),
    "excavation_end": _("Anunță terminarea săpăturii"),
    "accept_restoration": _("Recepționează refacerea carosabilului"),
    "reject_restoration": _("Refacerea nu este acceptată"),
}
DANGEROUS_ACTIONS = {"refuse", "withdraw", "expire"}
# Decisions that cannot be undone: the page asks for confirmation in a dialog before sending them.
CONFIRMED_ACTIONS = {"issue", "refuse"}
CONFIRM_QUESTIONS = {
    "issue": _("Emiteți actul? Documentul va fi semnat electronic și transmis solicitantului; emiterea nu "
               "poate fi anulată."),
    "refuse": _("Respingeți cererea? Solicitantul va primi motivul scris; respingerea nu poate fi anulată."),
}
CONFIRM_BUTTONS = {"issue": _("Da, emite actul"), "refuse": _("Da, respinge cererea")}
# Why an action of the state machine (permits.workflow guards) is not offered yet.
GUARD_REASONS = {
    "returned_never": _("cererea a mai fost returnată o dată pentru completare"),
    "fee_paid": _("taxa nu a fost plătită"),
    "valid_cu_covers_parcels": _("nu există un certificat de urbanism valabil pentru parcele"),
    "avize_resolved": _("nu toate avizele au primit răspuns"),
    "avize_favourable": _("avizele nu au fost solicitate sau nu sunt toate favorabile ori aprobate tacit"),
    "compliance_ok": _("verificările de conformitate urbanistică nu sunt îndeplinite (arhitectul-șef poate "
                       "aproba o derogare motivată)"),
    "needs_avize": _("analiza nu cere avize"),
    "address_in_register": _("parcela nu are număr administrativ pe o stradă din nomenclatura stradală (atribuiți "
                             "întâi un număr)"),
    "avize_to_request": _("toate instituțiile au fost deja consultate pe documentația actuală"),
    "start_term_open": _("termenul de începere a lucrărilor a expirat (autorizația nu mai permite începerea lor)"),
    "dig_once_resolved": _("săpătura se suprapune cu alte lucrări sau cu o stradă reabilitată recent: "
                           "respingeți cererea sau marcați suprapunerile ca fiind coordonate"),
    "has_conflicts": _("săpătura nu se suprapune cu alte lucrări"),
    "guarantee_paid": _("garanția pentru refacerea carosabilului nu a fost plătită"),
    "within_validity": _("autorizația a expirat"),
}
PRIMARY_ACTIONS = {"submit", "accept", "issue", "resubmit"}


def status_label(code: str) -> str:
    return str(STATUS.get(code, code))


def action_buttons(actions: list[str]) -> list[dict[str, str]]:
    return [{"action": a, "label": str(ACTIONS.get(a, a)),
             "css": "danger" if a in DANGEROUS_ACTIONS else "" if a in PRIMARY_ACTIONS else "secondary",
             "confirm": str(CONFIRM_QUESTIONS[a]) if a in CONFIRMED_ACTIONS else "",
             "confirm_button": str(CONFIRM_BUTTONS[a]) if a in CONFIRMED_ACTIONS else ""}
            for a in actions]


def blocked_actions(blocked: dict[str, list[str]]) -> list[dict[str, str]]:
    """Actions the state machine does not allow yet, each with why, in the page's language."""
    return [{"action": a, "label": str(ACTIONS.get(a, a)),
             "why": "; ".join(str(GUARD_REASONS.get(g, g)) for g in guards)} for a, guards in blocked.items()]

AVIZ_STATES = {
    "sent": _("Trimisă"),
    "viewed": _("Văzută"),
    "completion_requested": _("Completări solicitate"),
    "resubmitted": _("Completată"),
    "favourable": _("Favorabil"),
    "favourable_with_conditions": _("Favorabil cu condiții"),
    "unfavourable": _("Nefavorabil"),
    "tacitly_approved": _("Aprobat tacit"),
    "withdrawn": _("Retrasă"),
}
# The compliance checks of rules/compliance.py a person reads (the same names as static/js/compliance.js).
COMPLIANCE_CHECKS = {
    "pot": _("POT (procent de ocupare a terenului)"),
    "cut": _("CUT (coeficient de utilizare a terenului)"),
    "height_m": _("Înălțime"),
    "levels": _("Niveluri"),
    "footprint_inside_lot": _("Amprenta în limitele parcelei"),
    "setback_civil_code": _("Distanța față de limitele parcelei (Codul civil)"),
    "setback_windows": _("Distanța ferestrelor față de vecini"),
    "setback_street": _("Retragere față de stradă"),
    "setback_side": _("Retragere față de limitele laterale"),
    "setback_rear": _("Retragere față de limita posterioară"),
    "setback_rlu": _("Retragere față de limitele laterale și posterioară"),
    "building_distance": _("Distanța față de clădirile existente"),
}
COMPLIANCE_MINIMUMS = {"footprint_inside_lot", "setback_civil_code", "setback_windows", "setback_street",
                       "setback_side", "setback_rear", "setback_rlu", "building_distance"}
COMPLIANCE_STATUS = {"pass": _("conform"), "fail": _("neconform"), "warning": _("de verificat"),
                     "not_evaluated": _("neevaluat")}


def compliance_rows(compliance: dict | None) -> list[dict]:
    """The compliance checks of a frozen analysis as table rows: name, proposed value, limit, status."""
    rows = []
    for check in (compliance or {}).get("checks") or []:
        name = check.get("check")
        if name not in COMPLIANCE_CHECKS:
            continue
        rows.append({**check, "label": str(COMPLIANCE_CHECKS[name]), "minimum": name in COMPLIANCE_MINIMUMS,
                     "status_label": str(COMPLIANCE_STATUS.get(check.get("status"), check.get("status")))})
    return rows


ANSWER_OUTCOMES = ("favourable", "favourable_with_conditions", "unfavourable")


def choice_label(choices: type[Choices], value: str) -> str:
    """The translated label of a stored choice (the permits choices carry Romanian source strings)."""
    return gettext(choices(value).label) if value in choices.values else value


def translated_choices(choices: type[Choices], only: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    return [(v, gettext(label)) for v, label in choices.choices if only is None or v in only]


def doc_type_label(code: str, kind: str | None = None) -> str:
    """A document type in the page's language; the request form names the form of its kind (F.1 for a CU, F.7
    for its extension, F.8 for an AC/AD, F.12 for their extension), the generic label when the kind has none."""
    if code == DocType.CERERE and kind in REQUEST_FORMS:
        return gettext("Cerere (%(form)s)") % {"form": REQUEST_FORMS[kind]}
    return gettext(DocType(code).label) if code in DocType.values else code


def doc_type_choices(kind: str | None = None, only: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """The document types (all, or `only` these) as (code, label) in the page's language, for a request of `kind`."""
    return [(v, doc_type_label(v, kind)) for v in DocType.values if only is None or v in only]
