"""What the issued CU (F.6) and AC/AD print beyond the analysis: the F.6 groups of what the AC request must
be accompanied by, the environmental authority, and the signatures the forms carry.

Reads only: the frozen analysis result of the application and its audit trail.
"""
from __future__ import annotations

from accounts.models import User
from institutions.models import Institution
from permits.models import Application
from rules.choices import CONNECTIONS, F6_GROUPS

# F.6 d.1 prints every utility with a tick box; the connection's label there.
_UTILITY_LABELS = {
    "water": "Alimentare cu apă", "sewerage": "Canalizare", "electricity": "Alimentare cu energie electrică",
    "heating": "Alimentare cu energie termică", "gas": "Gaze naturale", "telecom": "Telefonizare",
    "sanitation": "Salubritate", "transport": "Transport urban",
}
_UTILITY_OF_RULE_LABEL = {label: code for code, label in _UTILITY_LABELS.items()}


def f6_groups(result: dict) -> list[dict]:
    """The groups c) … f) of F.6 in print order, each with its items; d.1 also carries the eight
    utility boxes, ticked where the list names the utility."""
    items = result.get("ac_requirements")
    if items is None:  # an analysis frozen before the works rules: its avize, grouped by kind
        items = [{"group": "d3_specific", "label": {"ro": f"Aviz {a['institution']['name']}"},
                  "institution": a["institution"], "rules": [r["rule"] for r in a["reasons"]]}
                 for a in result.get("required_avize") or []]
    groups = []
    for code, title_ro, _ in F6_GROUPS:
        group = {"code": code, "title": title_ro, "items": [i for i in items if i["group"] == code]}
        if code == "d1_utilities":
            listed = {_UTILITY_OF_RULE_LABEL.get(i["label"]["ro"]): i for i in group["items"]}
            group["boxes"] = [{"label": _UTILITY_LABELS[c], "item": listed.get(c)} for c in CONNECTIONS]
            group["other"] = [i for i in group["items"] if _UTILITY_OF_RULE_LABEL.get(i["label"]["ro"]) is None]
        groups.append(group)
    return groups


def environment_authority(result: dict, county: str) -> Institution | None:
    """The environmental authority named in the list, else the county's (F.6 point 4 names it always)."""
    for item in result.get("ac_requirements") or []:
        if item["group"] == "e_environment" and item.get("institution"):
            return Institution.objects.filter(pk=item["institution"]["id"]).first()
    return (Institution.objects.filter(kind=Institution.Kind.ENVIRONMENT, active=True, county=county).order_by("code").first()
            or Institution.objects.filter(kind=Institution.Kind.ENVIRONMENT, active=True).order_by("code").first())


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def signatures(app: Application, *, signer: User) -> list[dict]:
    """The signatures F.6 / the AC form carry: the issuer (mayor or county council president), the
    secretary general of the UAT / county, the chief architect, and the clerk who drew the act up
    (the last clerk who acted on the file). A name the portal does not know stays a blank line."""
    issuer = app.issuer
    head = "PREȘEDINTELE CONSILIULUI JUDEȚEAN" if issuer and issuer.kind == "presedinte_cj" else "PRIMAR"
    chief = signer if signer.role == User.Role.CHIEF_ARCHITECT else (
        User.objects.filter(role=User.Role.CHIEF_ARCHITECT, issuer_id=app.issuer_id or 0, is_active=True)
        .order_by("id").first())
    clerk_event = (app.events.filter(by__role=User.Role.CLERK).select_related("by").order_by("-at", "-id").first())
    clerk = clerk_event.by if clerk_event else (signer if signer.role == User.Role.CLERK else None)
    return [
        {"role": head, "name": issuer.name if issuer else ""},
        {"role": "SECRETAR GENERAL", "name": ""},
        {"role": "ARHITECT-ȘEF", "name": _name(chief)},
        {"role": "Întocmit", "name": _name(clerk)},
    ]
