"""Translated labels for values other apps store as codes (statuses, actions, kinds).

The permits choices carry Romanian labels only; the pages show these, which follow the language switch.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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
}
DANGEROUS_ACTIONS = {"refuse", "withdraw", "expire"}
PRIMARY_ACTIONS = {"submit", "accept", "issue", "resubmit"}


def status_label(code: str) -> str:
    return str(STATUS.get(code, code))


def action_buttons(actions: list[str]) -> list[dict[str, str]]:
    return [{"action": a, "label": str(ACTIONS.get(a, a)),
             "css": "danger" if a in DANGEROUS_ACTIONS else "" if a in PRIMARY_ACTIONS else "secondary"}
            for a in actions]

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
ANSWER_OUTCOMES = ("favourable", "favourable_with_conditions", "unfavourable")
