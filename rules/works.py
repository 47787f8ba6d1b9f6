"""Rules on the declared works (rules.models.WorksRule) and the F.6 list of what the AC request needs.

Pure functions over the works dict (rules.services._clean_works) and the rule rows; no queries.
"""
from __future__ import annotations

from typing import Any

from rules.choices import (
    CONNECTIONS,
    F6_GROUP_CODES,
    F6_GROUP_OF_KIND,
    INFORMATION_PURPOSES,
    ROAD_CLASSES,
    WORKS_FLAGS,
    WORKS_KINDS,
    WORKS_NUMBERS,
    WORKS_OPERATIONS,
)

# Condition key -> (works key, vocabulary) of the "value is one of" conditions.
_ONE_OF = {"operations": ("operation", WORKS_OPERATIONS), "destinations": ("kind", WORKS_KINDS),
           "road_access": ("road_access", ROAD_CLASSES), "locality_classes": ("locality_class",
                                                                               ("urban", "rural", "extravilan"))}
_NONE_OF = {"not_destinations": ("kind", WORKS_KINDS), "not_operations": ("operation", WORKS_OPERATIONS)}
_NUMBERS = ("min", "max", "any_min")


def conditions_problems(conditions: Any) -> list[str]:
    """What is wrong with a works rule's conditions (empty when they are valid)."""
    if not isinstance(conditions, dict):
        return ["Conditions must be a JSON object."]
    problems = []
    for key, value in conditions.items():
        if key in _ONE_OF or key in _NONE_OF or key in ("connections_any", "flags"):
            vocabulary = (CONNECTIONS if key == "connections_any" else WORKS_FLAGS if key == "flags"
                          else {**_ONE_OF, **_NONE_OF}[key][1])
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                problems.append(f"{key}: a non-empty list of values.")
            elif set(value) - set(vocabulary):
                problems.append(f"{key}: unknown values {sorted(set(value) - set(vocabulary))}.")
        elif key in _NUMBERS:
            if not isinstance(value, dict) or not value:
                problems.append(f"{key}: an object of numbers.")
            elif set(value) - set(WORKS_NUMBERS):
                problems.append(f"{key}: unknown numbers {sorted(set(value) - set(WORKS_NUMBERS))}.")
            elif not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()):
                problems.append(f"{key}: bounds must be numbers.")
        else:
            problems.append(f"Unknown condition {key!r}.")
    return problems


def matches(conditions: dict, works: dict) -> bool:
    """Whether the declared works (with their locality_class) satisfy every condition."""
    for key, (name, _) in _ONE_OF.items():
        if key in conditions and works.get(name) not in conditions[key]:
            return False
    for key, (name, _) in _NONE_OF.items():
        # An exemption needs a declared value: works of unknown destination are not shown to be outside it.
        if key in conditions and (not works.get(name) or works[name] in conditions[key]):
            return False
    if "connections_any" in conditions and not set(conditions["connections_any"]) & set(works.get("connections") or ()):
        return False
    if any(works.get(flag) is not True for flag in conditions.get("flags") or ()):
        return False
    for name, bound in (conditions.get("min") or {}).items():
        if works.get(name) is None or works[name] < bound:
            return False
    for name, bound in (conditions.get("max") or {}).items():
        if works.get(name) is None or works[name] > bound:
            return False
    any_min = conditions.get("any_min") or {}
    if any_min and not any(works.get(n) is not None and works[n] >= b for n, b in any_min.items()):
        return False
    return True


def lists_avize(works: dict) -> bool:
    """A CU for information only lists no avize, acts, studies or documents."""
    return works.get("purpose") not in INFORMATION_PURPOSES


def evaluate(works: dict, rules: list, *, locality_class: str) -> list[dict]:
    """The works rules the declared works trigger, as hits shaped like the spatial ones (rules.engine)."""
    if not works or not lists_avize(works):
        return []
    facts = {**works, "locality_class": locality_class}
    return [_hit(rule) for rule in sorted(rules, key=lambda r: r.sort_key) if matches(rule.conditions, facts)]


def _hit(rule) -> dict:
    aviz = rule.item in ("aviz", "act")
    return {
        "_sort": rule.sort_key, "rule": rule.code, "rule_version": rule.version, "title": rule.title,
        "effect": "requires_aviz" if aviz else "requires_item", "item": rule.item, "group": rule.group,
        "label": {"ro": rule.label_ro, "en": rule.label_en}, "institution_kinds": list(rule.institution_kinds),
        "layer": None, "theme": None, "layer_version": None, "feature_ids": [], "features": [],
        "distance_m": None, "overlap_m2": None, "trigger": "works", "message": {"ro": rule.message_ro, "en": rule.message_en},
        "legal_basis": rule.legal_basis, "confidence": rule.confidence, "default_value": rule.is_default,
    }


def ac_requirements(*, works_hits: list[dict], required_avize: list[dict], unresolved: list[dict],
                    kind_labels: dict[str, str]) -> list[dict]:
    """The F.6 list "the AC request must be accompanied by", one entry per item, in F.6 group order.

    Avize and acts come from required_avize (one line per institution and reason, so one operator of
    water and sewerage gives two lines); studies, documents and fees from the works hits."""
    labels = {h["rule"]: (h["label"], h["group"]) for h in works_hits}
    items: list[dict] = []
    for entry in required_avize:
        inst = entry["institution"]
        seen = set()
        for reason in entry["reasons"]:
            label, group = labels.get(reason["rule"], (None, None))
            if label is None:  # a spatial rule: the line names the institution's kind
                group = F6_GROUP_OF_KIND.get(reason.get("kind") or inst["kind"], "d3_specific")
                label = {"ro": f"Aviz {kind_labels.get(inst['kind'], inst['kind'])}", "en": f"Aviz ({inst['kind']})"}
            key = (group, label["ro"])
            if key in seen:
                _line(items, group, label, inst)["rules"].append(reason["rule"])
                continue
            seen.add(key)
            items.append({"group": group, "item": "aviz", "label": label, "institution": inst,
                          "rules": [reason["rule"]], "legal_basis": reason["legal_basis"],
                          "confidence": reason["confidence"]})
    for entry in unresolved:
        for reason in entry["reasons"]:
            label, group = labels.get(reason["rule"], (None, None))
            items.append({"group": group or F6_GROUP_OF_KIND.get(entry["kind"], "d3_specific"), "item": "aviz",
                          "label": label or {"ro": f"Aviz {kind_labels.get(entry['kind'], entry['kind'])}",
                                             "en": f"Aviz ({entry['kind']})"},
                          "institution": None, "institution_kind": entry["kind"], "rules": [reason["rule"]],
                          "legal_basis": reason["legal_basis"], "confidence": reason["confidence"]})
    for hit in works_hits:
        if hit["item"] in ("aviz", "act"):
            continue
        items.append({"group": hit["group"], "item": hit["item"], "label": hit["label"], "institution": None,
                      "rules": [hit["rule"]], "legal_basis": hit["legal_basis"], "confidence": hit["confidence"]})
    order = {code: i for i, code in enumerate(F6_GROUP_CODES)}
    return sorted(items, key=lambda i: (order.get(i["group"], 99), i["label"]["ro"]))


def _line(items: list[dict], group: str, label: dict, inst: dict) -> dict:
    return next(i for i in items if i["group"] == group and i["label"] == label and i["institution"] == inst)
