"""Compliance of proposed works with the zoning regime and the Civil Code (R31, R32, R34, R35, R36).

Each check is {"check", "value", "limit", "unit", "status", "rule"} with status pass / fail /
warning / not_evaluated (and a reason when not evaluated). Checks come in a fixed order.
POT and CUT count the lot's existing buildings that stay (L350 Annex 2: all buildings of the lot);
a building the footprint covers by R34's replaced_min_share is the one replaced or extended and
is not counted. With existing buildings, the POT / CUT checks list what they counted.
With street axes covering the lot (rules.lot) the frontage is measured and the UTR's street,
side and rear setbacks are checked against the street front, side and rear boundaries apart;
without them one soft check compares the nearest boundary with the side/rear setbacks.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import reduce

from django.contrib.gis.geos import GEOSGeometry

from rules.lot import FrontageParams, Sides, Street, lot_sides
from rules.models import Rule
from rules.spatial import Building

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
               rules: dict[str, Rule], streets: list[Street] | None = None, streets_reason: str = "",
               buildings: Sequence[Building] = ()) -> dict | None:
    """Check the works against the dominant UTR's regime and the Civil Code; None without works.
    `streets` are the street axes near the lot (None when no street layer covers it: `streets_reason`),
    `buildings` the existing buildings of the lot."""
    if not works:
        return None
    lot_rule = rules.get("R35")
    lot_params = (lot_rule.params if lot_rule else {}) or {}
    sides = None if streets is None else lot_sides(lot, streets, FrontageParams.of(lot_params))
    lot_area = lot.area
    footprint: GEOSGeometry | None = works.get("footprint_geom")
    no_regime = "no zoning regime for this location"
    checks = []
    reg = regime or {}
    # The lot's buildings are read for a footprint only: without one, POT / CUT are the works' alone.
    kept, replaced = _kept_and_replaced(footprint, buildings, rules.get("R34")) if footprint is not None else ([], [])
    existing = {"existing_kept": [b.cadastral_id for b in kept], "replaced": replaced} if buildings else {}

    if footprint is not None:
        new_m2 = footprint.intersection(lot).area
        kept_geom = reduce(lambda a, b: a.union(b), [b.footprint for b in kept]).intersection(lot) if kept else None
        built_m2 = new_m2 if kept_geom is None else footprint.union(kept_geom).intersection(lot).area
        pot = built_m2 / lot_area * 100
        counted = {"built_m2": round(built_m2, 2), "footprint_m2": round(new_m2, 2),
                   "existing_kept_m2": round(kept_geom.area if kept_geom else 0.0, 2)} if buildings else {}
        checks.append({**_check("pot", pot, reg.get("pot_max"), unit="%", rule="R36",
                                ok=None if regime is None else pot <= reg["pot_max"] + 1e-9,
                                reason="" if regime else no_regime), **counted, **existing})
    gfa = works.get("gross_floor_area_m2")
    if gfa is not None:
        # parcels.Building records no floor area: a kept building's is its built area x levels (estimated).
        kept_gfa = sum(b.built_area_m2 * b.levels for b in kept)
        cut = (gfa + kept_gfa) / lot_area
        counted = {"gross_floor_area_m2": round(gfa + kept_gfa, 2), "works_gfa_m2": round(gfa, 2),
                   "existing_kept_gfa_m2": round(kept_gfa, 2), **({"existing_gfa_estimated": True} if kept else {})
                   } if buildings else {}
        checks.append({**_check("cut", cut, reg.get("cut_max"), unit="", rule="R36",
                                ok=None if regime is None else cut <= reg["cut_max"] + 1e-9,
                                reason="" if regime else no_regime), **counted, **existing})
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
        checks.extend(_setbacks(lot, footprint, works, reg, rules, sides))
        checks.append(_buildings(footprint, height, kept, replaced, rules.get("R34")))

    min_area = reg.get("min_lot_area_m2") or lot_params.get("min_area_m2")
    checks.append(_check("min_lot_area", lot_area, min_area, unit="m2", rule="R35",
                         ok=None if min_area is None else lot_area >= min_area - 1e-9))
    min_front = reg.get("min_frontage_m") or lot_params.get("min_frontage_m")
    if sides is None:
        checks.append(_check("min_frontage", None, min_front, unit="m", rule="R35", ok=None,
                             reason=streets_reason or "the street alignment is not known, so the frontage is not measured"))
    else:
        frontage = sides.frontage_m
        checks.append(_check("min_frontage", frontage, min_front, unit="m", rule="R35",
                             ok=None if min_front is None else frontage >= min_front - 1e-9,
                             reason="" if frontage else "no boundary of the lot faces a street axis"))
    statuses = {c["status"] for c in checks}
    return {"utr": utr_code, "lot_area_m2": round(lot_area, 2), "checks": checks,
            "passed": FAIL not in statuses, "warnings": WARNING in statuses}


def _setbacks(lot: GEOSGeometry, footprint: GEOSGeometry, works: dict, reg: dict, rules: dict[str, Rule],
              sides: Sides | None) -> list[dict]:
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
    if sides is not None and sides.front is not None:
        checks.extend(_rlu_setbacks(footprint, reg, sides, inside))
        return checks
    side = [v for v in (reg.get("setback_side_m"), reg.get("setback_rear_m")) if v is not None]
    if side:
        limit = min(side)
        checks.append(_check("setback_rlu", distance, limit, unit="m", rule="R36", ok=distance >= limit - 1e-9,
                             soft=True, reason="" if distance >= limit else
                             "the nearest boundary may be the street front; check the side/rear setback"))
    return checks


_SIDE_CHECKS = (("setback_street", "setback_street_m", "front", "the lot has no street front"),
                ("setback_side", "setback_side_m", "side", "the lot has no side boundary"),
                ("setback_rear", "setback_rear_m", "rear", "the lot has no rear boundary (corner or through lot)"))


def _rlu_setbacks(footprint: GEOSGeometry, reg: dict, sides: Sides, inside: bool) -> list[dict]:
    """The UTR's street, side and rear setbacks (minimums), each against its own boundaries."""
    checks = []
    for name, key, part, missing in _SIDE_CHECKS:
        limit, lines = reg.get(key), getattr(sides, part)
        if limit is None:
            continue
        if lines is None:
            checks.append(_check(name, None, limit, unit="m", rule="R36", ok=None, reason=missing))
            continue
        distance = footprint.distance(lines) if inside else 0.0
        checks.append(_check(name, distance, limit, unit="m", rule="R36", ok=distance >= limit - 1e-9))
    return checks


def _kept_and_replaced(footprint: GEOSGeometry, buildings: Sequence[Building], rule: Rule | None
                       ) -> tuple[list[Building], list[str]]:
    """The lot's buildings that stay, and the cadastral ids of those the works replace or extend:
    the footprint covers at least R34's replaced_min_share of their area."""
    params = (rule.params if rule else {}) or {}
    replaced_share = float(params.get("replaced_min_share", 0.5))
    kept, replaced = [], []
    for b in buildings:
        area = b.footprint.area
        if area > 0 and footprint.intersection(b.footprint).area / area >= replaced_share:
            replaced.append(b.cadastral_id)
        else:
            kept.append(b)
    return kept, replaced


def _buildings(footprint: GEOSGeometry, height: float | None, others: list[Building], replaced: list[str],
               rule: Rule | None) -> dict:
    """R34: distance to each existing building of the lot that stays (`others`) >= max(factor x H,
    minimum), H the taller of the two (RLU Timișoara: half the taller building's height, at least
    3 m; an S-tagged, editable default). The buildings being replaced or extended are listed as
    such and skipped. An existing building of unknown height is taken as levels x level_height_m
    (marked estimated)."""
    params = (rule.params if rule else {}) or {}
    minimum = float(rule.distance_m) if rule and rule.distance_m is not None else 3.0
    factor, level_m = float(params.get("height_factor", 0.5)), float(params.get("level_height_m", 3.0))
    extra = {"replaced": replaced} if replaced else {}
    if not others:
        reason = ("the works replace or extend the lot's only building(s)" if replaced
                  else "no other building is registered on the lot")
        return {**_check("building_distance", None, None, unit="m", rule="R34", ok=True, reason=reason), **extra}
    if height is None:
        return {**_check("building_distance", None, None, unit="m", rule="R34", ok=None,
                         reason="the height of the proposed building is needed (max(H/2, 3 m))"), **extra}
    measured = []
    for b in others:
        existing = b.height_m if b.height_m is not None else b.levels * level_m
        measured.append((footprint.distance(b.footprint), max(factor * max(height, existing), minimum), existing, b))
    # The building with the least margin decides (usually the nearest one).
    distance, limit, _, nearest = min(measured, key=lambda m: (m[0] - m[1], m[0]))
    rows = [{"cadastral_id": b.cadastral_id, "distance_m": round(d, 2), "height_m": round(h, 2), "limit_m": round(lim, 2),
             **({"height_estimated": True} if b.height_m is None else {})} for d, lim, h, b in measured]
    out = _check("building_distance", distance, limit, unit="m", rule="R34", ok=distance >= limit - 1e-9)
    return {**out, "building": nearest.cadastral_id, "buildings": rows, **extra}
