"""Compliance of proposed works with the zoning regime and the Civil Code (R31, R32, R35, R36).

Each check is {"check", "value", "limit", "unit", "status", "rule"} with status pass / fail /
warning / not_evaluated (and a reason when not evaluated). Checks come in a fixed order.
"""
from __future__ import annotations

import re

from django.contrib.gis.geos import GEOSGeometry

from rules.models import Rule

PASS, FAIL, WARNING, NOT_EVALUATED = "pass", "fail", "warning", "not_evaluated"


def levels_count(regime: str) -> int | None:
    """Above-ground levels of a height regime: P+2E+M → 4 (P, two floors, attic); S/D not counted."""
    if not regime:
        return None
    total = 0
    for part in regime.upper().replace(" ", "").split("+"):
        match = re.fullmatch(r"(\d*)([A-Z]*)", part)
        if not match or not part:
            return None
        # A bare number ("P+1+2R") counts floors, like "1E".
        n, letter = int(match.group(1) or 1), match.group(2) or "E"
        if letter in ("S", "D", "SP"):
            continue
        if letter in ("P", "E", "M", "R", "ER", "ETAJ"):
            total += n
        else:
            return None
    return total or None


def _check(name: str, value, limit, *, unit: str, rule: str, ok: bool | None, soft: bool = False,
           reason: str = "") -> dict:
    if ok is None:
        status = NOT_EVALUATED
    else:
        status = PASS if ok else (WARNING if soft else FAIL)
    out = {"check": name, "value": None if value is None else round(float(value), 2),
           "limit": None if limit is None else round(float(limit), 2), "unit": unit, "status": status, "rule": rule}
    if reason:
        out["reason"] = reason
    return out


def compliance(*, lot: GEOSGeometry, works: dict, regime: dict | None, utr_code: str | None,
               rules: dict[str, Rule]) -> dict | None:
    """Check the works against the dominant UTR's regime and the Civil Code; None without works."""
    if not works:
        return None
    lot_area = lot.area
    footprint: GEOSGeometry | None = works.get("footprint_geom")
    no_regime = "no zoning regime for this location"
    checks = []
    reg = regime or {}

    if footprint is not None:
        pot = footprint.intersection(lot).area / lot_area * 100
        checks.append(_check("pot", pot, reg.get("pot_max"), unit="%", rule="R36",
                             ok=None if regime is None else pot <= reg["pot_max"] + 1e-9,
                             reason="" if regime else no_regime))
    gfa = works.get("gross_floor_area_m2")
    if gfa is not None:
        cut = gfa / lot_area
        checks.append(_check("cut", cut, reg.get("cut_max"), unit="", rule="R36",
                             ok=None if regime is None else cut <= reg["cut_max"] + 1e-9,
                             reason="" if regime else no_regime))
    height = works.get("height_m")
    if height is not None:
        limit = reg.get("height_max_m")
        checks.append(_check("height_m", height, limit, unit="m", rule="R36",
                             ok=None if limit is None else height <= limit + 1e-9,
                             reason="" if limit is not None else "no maximum height in the regime"))
    levels = works.get("levels")
    if levels is not None:
        limit = levels_count(reg.get("levels_max") or "")
        checks.append(_check("levels", levels, limit, unit="levels", rule="R36", ok=None if limit is None else levels <= limit,
                             reason="" if limit is not None else "no height regime (levels) in the regime"))

    if footprint is not None:
        checks.extend(_setbacks(lot, footprint, works, reg, rules))

    lot_rule = rules.get("R35")
    lot_params = (lot_rule.params if lot_rule else {}) or {}
    min_area = reg.get("min_lot_area_m2") or lot_params.get("min_area_m2")
    checks.append(_check("min_lot_area", lot_area, min_area, unit="m2", rule="R35",
                         ok=None if min_area is None else lot_area >= min_area - 1e-9))
    min_front = reg.get("min_frontage_m") or lot_params.get("min_frontage_m")
    checks.append(_check("min_frontage", None, min_front, unit="m", rule="R35", ok=None,
                         reason="the street alignment is not known, so the frontage is not measured"))
    statuses = {c["status"] for c in checks}
    return {"utr": utr_code, "lot_area_m2": round(lot_area, 2), "checks": checks,
            "passed": FAIL not in statuses, "warnings": WARNING in statuses}


def _setbacks(lot: GEOSGeometry, footprint: GEOSGeometry, works: dict, reg: dict, rules: dict[str, Rule]) -> list[dict]:
    checks = []
    inside = lot.buffer(0.01).contains(footprint)
    checks.append(_check("footprint_inside_lot", None, None, unit="", rule="R31", ok=inside,
                         reason="" if inside else "the footprint extends beyond the lot"))
    boundary = lot.boundary
    distance = footprint.distance(boundary) if inside else 0.0
    civil = rules.get("R31")
    civil_limit = float(civil.distance_m) if civil and civil.distance_m is not None else 0.6
    checks.append(_check("setback_civil_code", distance, civil_limit, unit="m", rule="R31",
                         ok=distance >= civil_limit - 1e-9))
    window_rule = rules.get("R32")
    window_limit = float(window_rule.distance_m) if window_rule and window_rule.distance_m is not None else 2.0
    facades = works.get("window_facades_geom") or []
    if facades:
        nearest = min(f.distance(boundary) for f in facades)
        checks.append(_check("setback_windows", nearest, window_limit, unit="m", rule="R32",
                             ok=nearest >= window_limit - 1e-9))
    else:
        # Without the window façades we cannot tell which side has windows: a warning, not a failure.
        checks.append(_check("setback_windows", distance, window_limit, unit="m", rule="R32",
                             ok=distance >= window_limit - 1e-9, soft=True,
                             reason="" if distance >= window_limit else
                             "applies if a façade with view windows faces this boundary"))
    side = [v for v in (reg.get("setback_side_m"), reg.get("setback_rear_m")) if v is not None]
    if side:
        limit = min(side)
        checks.append(_check("setback_rlu", distance, limit, unit="m", rule="R36", ok=distance >= limit - 1e-9,
                             soft=True, reason="" if distance >= limit else
                             "the nearest boundary may be the street front; check the side/rear setback"))
    return checks
