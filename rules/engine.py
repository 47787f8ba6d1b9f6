"""Apply the rules to a geometry: rule hits, required avize, zoning, locality class, no-data themes.

Pure orchestration over rules.spatial (SQL) and the Rule rows; no writes. The result is plain
JSON with a deterministic order (rules by catalogue number, layers by slug, features by id).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import GEOSGeometry

from institutions.selectors import active_institutions, institutions_covering
from layers.models import LayerVersion
from layers.rasters import sample_file
from rules import spatial
from rules.choices import (
    ENGINE_EFFECTS,
    INTRAVILAN_THEME,
    PROTECTION_ZONE_THEMES,
    RASTER_THEMES,
    STREET_THEME,
    ZONING_THEME,
)
from rules.lot import FrontageParams, Street, as_shapely, street_width
from rules.models import Rule

EPS = 1e-6


@dataclass
class Site:
    """What the engine analyses: the geometry (EPSG:3844), its UATs and the proposed works."""

    geom: GEOSGeometry
    area_m2: float
    uats: list[dict]
    works: dict
    # Candidate features per layer version, from the single candidates statement (gather()).
    found: dict[int, list[spatial.Candidate]] = field(default_factory=dict)


def r2(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def rule_applies(rule: Rule, *, locality_class: str, works_kind: str | None) -> bool:
    """The rule's conditions that do not depend on features: locality class and works kind."""
    if rule.locality_classes and locality_class not in rule.locality_classes:
        return False
    if rule.works_kinds and rule.predicate != Rule.Predicate.ATTRIBUTE:
        return works_kind in rule.works_kinds
    return True


def feature_passes(rule: Rule, attrs: dict) -> tuple[bool, list[str]]:
    """Apply the rule's attribute filter; a missing attribute never hides a constraint (reported)."""
    missing = []
    for key, accepted in (rule.feature_filter or {}).items():
        values = accepted if isinstance(accepted, list) else [accepted]
        if key not in attrs or attrs[key] in (None, ""):
            missing.append(key)
        elif attrs[key] not in values and str(attrs[key]) not in [str(v) for v in values]:
            return False, []
    return True, missing


def distance_for(rule: Rule, theme: str, attrs: dict) -> float:
    """The rule's distance for this feature: the first matching override, else distance_m."""
    for override in rule.distance_overrides or []:
        if "theme" in override and override["theme"] != theme:
            continue
        wanted = override.get("attrs") or {}
        if all(attrs.get(k) == v or str(attrs.get(k)).lower() == str(v).lower() for k, v in wanted.items()) \
                and _in_range(attrs, override):
            return float(override["distance_m"])
    return float(rule.distance_m or 0.0)


def _in_range(attrs: dict, override: dict) -> bool:
    """An override's numeric bounds ({"min_attrs": {"heads": 51}, "max_attrs": {"heads": 200}}): a feature
    lacking the number does not match a bounded override (it gets the unbounded, largest one after it)."""
    for key, op in (("min_attrs", float.__ge__), ("max_attrs", float.__le__)):
        for name, bound in (override.get(key) or {}).items():
            try:
                value = float(attrs.get(name, ""))
            except (TypeError, ValueError):
                return False
            if not op(value, float(bound)):
                return False
    return True


def search_distance(rule: Rule) -> float:
    values = [float(rule.distance_m or 0.0)] + [float(o["distance_m"]) for o in rule.distance_overrides or []]
    return max(values)


def is_hit(rule: Rule, cand: spatial.Candidate, distance: float, site_area: float) -> bool:
    """Decide the predicate. Distance 0 means "intersects": polygons must overlap by at least
    min_overlap_m2, so a parcel sharing only an edge with a constraint polygon is not a hit."""
    predicate = rule.predicate
    if predicate == Rule.Predicate.WITHIN:
        return cand.dimension == 2 and cand.overlap >= site_area - max(rule.min_overlap_m2, site_area * 1e-4)
    if predicate == Rule.Predicate.INTERSECTS or distance <= 0:
        if cand.dimension == 2:
            return cand.overlap >= rule.min_overlap_m2
        return cand.distance <= EPS
    return cand.distance <= distance + EPS


def meteo_exempt(rule: Rule, cand: spatial.Candidate, works: dict) -> bool:
    """R29: beyond the no-build radius a low enough building needs no aviz (H ≤ (d − 30) / 6)."""
    params = rule.params or {}
    height = works.get("height_m")
    if "no_build_m" not in params or "height_ratio" not in params or height is None:
        return False
    return cand.distance > params["no_build_m"] and height <= (cand.distance - params["no_build_m"]) / params["height_ratio"]


def street_search_m(rules: list[Rule]) -> float:
    """How far around the lot street axes are read (R35's params): for proposed works."""
    lot_rule = next((r for r in rules if r.code == "R35"), None)
    return FrontageParams.of(lot_rule.params if lot_rule else None).search_m


def search_plan(rules: list[Rule], *, street_search: float | None = None) -> spatial.SearchPlan:
    """Per theme the largest distance any rule needs (the intravilan and UTRs at distance 0: what
    overlaps the site), and the themes of the no-protection-zone rules (monuments); with
    `street_search` also the street axes within it, with their parts (the lot's street front)."""
    distances = {INTRAVILAN_THEME: 0.0, ZONING_THEME: 0.0}
    for rule in rules:
        if rule.predicate == Rule.Predicate.ATTRIBUTE:
            continue
        distance = search_distance(rule)
        for theme in rule.themes:
            distances[theme] = max(distances.get(theme, 0.0), distance)
    monuments = sorted({t for r in rules if r.no_protection_zone for t in r.themes})
    if street_search is not None:
        distances[STREET_THEME] = max(distances.get(STREET_THEME, 0.0), street_search)
    return spatial.SearchPlan(tuple(sorted(distances.items())), tuple(monuments),
                              (STREET_THEME,) if street_search is not None else ())


def analysis_plan(rules: list[Rule], *, works: bool) -> spatial.SearchPlan:
    """The search of an analysis with these active rules: search_plan of the engine rules, with
    proposed works also the street axes within R35's street_search_m."""
    return search_plan([r for r in rules if r.effect in ENGINE_EFFECTS],
                       street_search=street_search_m(rules) if works else None)


def gather(site: Site, candidates: list[spatial.Candidate]) -> None:
    """The candidates of search_plan(rules) around the site, per layer version, on site.found."""
    site.found = defaultdict(list)
    for cand in candidates:
        site.found[cand.version_id].append(cand)


def evaluate_rules(site: Site, rules: list[Rule], versions: list[spatial.VersionInfo]) -> list[dict]:
    """Return the rule hits, one per (rule, layer version), plus works-kind triggers."""
    works_kind = site.works.get("kind")
    by_theme: dict[str, list[spatial.VersionInfo]] = defaultdict(list)
    for v in versions:
        by_theme[v.theme].append(v)
    per_version = site.found
    zoned = _zoned_monuments(rules, by_theme, per_version)
    version_of = {v.version_id: v for v in versions}

    hits = []
    for rule in rules:
        if rule.predicate == Rule.Predicate.ATTRIBUTE or (works_kind and works_kind in rule.works_kinds_trigger):
            if works_kind and (works_kind in rule.works_kinds or works_kind in rule.works_kinds_trigger):
                hits.append(_hit(rule, None, [], trigger=f"works kind {works_kind}"))
            if rule.predicate == Rule.Predicate.ATTRIBUTE:
                continue
        for theme in rule.themes:
            for v in by_theme.get(theme, []):
                matched = []
                for cand in per_version.get(v.version_id, []):
                    ok, missing = feature_passes(rule, cand.attrs)
                    if not ok:
                        continue
                    if rule.no_protection_zone and (cand.attrs.get("protection_zone_delimited") or cand.feature_id in zoned):
                        continue
                    distance = distance_for(rule, theme, cand.attrs)
                    if is_hit(rule, cand, distance, site.area_m2) and not meteo_exempt(rule, cand, site.works):
                        matched.append((cand, distance, missing))
                if matched:
                    hits.append(_hit(rule, version_of[v.version_id], matched))
    return sorted(hits, key=lambda h: (h["_sort"], h["layer"] or ""))


def _zoned_monuments(rules, by_theme, per_version) -> set[int]:
    """Monuments of no-protection-zone rules inside a delimited protection zone (asked by gather)."""
    if not any(r.no_protection_zone for r in rules):
        return set()
    return {c.feature_id for r in rules if r.no_protection_zone for t in r.themes
            for v in by_theme.get(t, []) for c in per_version.get(v.version_id, []) if c.zoned}


def _hit(rule: Rule, version: spatial.VersionInfo | None, matched: list, trigger: str = "") -> dict:
    features = [{"id": c.feature_id, "name": c.name, "source_id": c.source_id, "distance_m": r2(c.distance),
                 "overlap_m2": r2(c.overlap), "rule_distance_m": r2(d),
                 **({"missing_attributes": missing} if missing else {}),
                 **({"institution_code": c.attrs["institution_code"]} if c.attrs.get("institution_code") else {})}
                for c, d, missing in sorted(matched, key=lambda m: m[0].feature_id)]
    return {
        "_sort": rule.sort_key, "rule": rule.code, "rule_version": rule.version, "title": rule.title,
        "effect": rule.effect, "institution_kinds": institution_kinds_for(rule, [c.attrs for c, _, _ in matched]),
        "layer": version.slug if version else None, "theme": version.theme if version else None,
        "layer_version": version.number if version else None,
        "feature_ids": [f["id"] for f in features], "features": features,
        "distance_m": min((f["distance_m"] for f in features), default=None),
        "overlap_m2": r2(sum(f["overlap_m2"] for f in features)) if features else None,
        "trigger": trigger or rule.predicate, "message": {"ro": rule.message_ro, "en": rule.message_en},
        "legal_basis": rule.legal_basis, "confidence": rule.confidence, "default_value": rule.is_default,
    }


def institution_kinds_for(rule: Rule, attrs: list[dict]) -> list[str]:
    """Who the hit's features need: with params {"institution_kind_by": {"attr": …, "map": {value: kind}}}
    each feature's attribute picks the kind (R8: the road administrator by road class); a feature
    without a mapped value falls back to the rule's kinds (a missing attribute never hides one)."""
    by = (rule.params or {}).get("institution_kind_by")
    if not by or not attrs:
        return list(rule.institution_kinds)
    kinds: set[str] = set()
    for a in attrs:
        kind = by["map"].get(str(a.get(by["attr"])))
        kinds |= {kind} if kind else set(rule.institution_kinds)
    return sorted(kinds)


# Effects whose hits name institutions: an aviz, or a prohibition lifted only with an administrator's consent (R8).
AVIZ_EFFECTS = (Rule.Effect.REQUIRES_AVIZ, Rule.Effect.FORBIDS)


def required_avize(site: Site, hits: list[dict], *, institutions_generation: int | None = None
                   ) -> tuple[list[dict], list[dict]]:
    """One entry per institution with all its reasons; kinds with no institution found go apart.
    `institutions_generation` (from the context statement) lets the institutions come from memory."""
    kinds = sorted({k for h in hits if h["effect"] in AVIZ_EFFECTS for k in h["institution_kinds"]})
    if not kinds:
        return [], []
    covering = institutions_covering(kinds=kinds, geometry=site.geom, uat_ids=[u["id"] for u in site.uats],
                                     counties=sorted({u["county"] for u in site.uats}),
                                     generation=institutions_generation)
    wanted_codes = {f["institution_code"] for h in hits for f in h["features"] if "institution_code" in f}
    by_code = {i.code: i for i in active_institutions(generation=institutions_generation)
               if i.code in wanted_codes} if wanted_codes else {}
    entries: dict[int, dict] = {}
    unresolved: dict[str, list] = defaultdict(list)
    for hit in hits:
        if hit["effect"] not in AVIZ_EFFECTS:
            continue
        reason = {"rule": hit["rule"], "layer": hit["layer"], "feature_ids": hit["feature_ids"],
                  "distance_m": hit["distance_m"], "overlap_m2": hit["overlap_m2"], "message": hit["message"],
                  "legal_basis": hit["legal_basis"], "confidence": hit["confidence"]}
        targets = [by_code[f["institution_code"]] for f in hit["features"] if f.get("institution_code") in by_code]
        for kind in hit["institution_kinds"]:
            chosen = [t for t in targets if kind in t.kinds] or covering.get(kind, [])[:1]
            if not chosen:
                unresolved[kind].append(reason)
            for inst in chosen:
                entry = entries.setdefault(inst.pk, {
                    "institution": {"id": inst.pk, "code": inst.code, "name": inst.name, "kind": inst.kind},
                    "response_days": inst.response_days, "response_working_days": inst.response_working_days,
                    "tacit_approval": inst.tacit_approval, "reasons": []})
                if reason not in entry["reasons"]:
                    entry["reasons"].append(reason)
    ordered = sorted(entries.values(), key=lambda e: e["institution"]["code"])
    return ordered, [{"kind": k, "reasons": unresolved[k]} for k in sorted(unresolved)]


def streets(site: Site, versions: list[spatial.VersionInfo]) -> tuple[list[Street] | None, str]:
    """The street axes near the site from the street layers whose coverage includes it, or None
    and why (no street layer, or none covers the whole site): then the street front is unknown."""
    layers = [v for v in versions if v.theme == STREET_THEME]
    covering = [v for v in layers if v.covered]
    if not covering:
        where = "no street_axis layer" if not layers else "the street_axis layer does not cover the whole lot"
        return None, f"{where}: the street front is not known, so the frontage is not measured"
    return [Street(c.geom, street_width(c.attrs)) for v in covering for c in site.found.get(v.version_id, [])
            if c.geom is not None], ""


def locality(site: Site, versions: list[spatial.VersionInfo], rule: Rule | None) -> dict:
    """urban / rural (inside the intravilan, by the UAT's kind) or extravilan (R37)."""
    main = site.uats[0]
    urban_uat = main["kind"] in ("municipiu", "oras")
    intravilan = [v for v in versions if v.theme == INTRAVILAN_THEME and v.covered]
    if not intravilan:
        # Without an intravilan limit the UAT's kind is the best evidence; say so.
        return {"class": "urban" if urban_uat else "rural", "source": "uat_kind", "intravilan_share": None}
    share = sum(c.overlap for v in intravilan for c in site.found.get(v.version_id, [])) / site.area_m2
    min_share = float((rule.params or {}).get("min_share", 0.5)) if rule else 0.5
    klass = ("urban" if urban_uat else "rural") if share >= min_share else "extravilan"
    return {"class": klass, "source": INTRAVILAN_THEME, "intravilan_share": round(share, 4)}


def zoning(site: Site, versions: list[spatial.VersionInfo]) -> list[dict]:
    """Each UTR the geometry overlaps, with its share of the geometry and its full regime."""
    utr = {v.version_id: v for v in versions if v.theme == ZONING_THEME}
    rows: list[dict[str, Any]] = [{"feature_id": c.feature_id, "version_id": vid, "overlap_m2": c.overlap, "name": c.name,
             "utr_code": c.attrs.get("utr_code"), "siruta": c.attrs.get("siruta")}
            for vid in utr for c in site.found.get(vid, []) if c.overlap >= spatial.SLIVER_M2]
    by_siruta = {str(u["siruta"]): u["id"] for u in site.uats}
    unplaced = [r["feature_id"] for r in rows if str(r["siruta"]) not in by_siruta]
    # A UTR belongs to the UAT named by its siruta attribute, else to the single UAT of the site,
    # else to the UAT containing a point of it.
    placed = (spatial.feature_uats(unplaced, [u["id"] for u in site.uats])
              if unplaced and len(site.uats) > 1 else {})
    for r in rows:
        r["uat_id"] = by_siruta.get(str(r["siruta"])) or placed.get(r["feature_id"]) or (
            site.uats[0]["id"] if len(site.uats) == 1 else None)
    # The zoning units of the site's UATs with each UTR's code came with the candidates.
    units = {(z["uat_id"], z["code"]): z for vid in utr for c in site.found.get(vid, []) for z in c.units}
    out = []
    for r in rows:
        unit = units.get((r["uat_id"], r["utr_code"]))
        v = utr[r["version_id"]]
        out.append({"utr_code": r["utr_code"], "name": unit["name"] if unit else r["name"], "feature_id": r["feature_id"],
                    "layer": v.slug, "layer_version": v.number, "uat_id": r["uat_id"],
                    "overlap_m2": r2(r["overlap_m2"]), "share": round(r["overlap_m2"] / site.area_m2, 4),
                    "regime": _regime(unit) if unit else None})
    return sorted(out, key=lambda z: (-z["share"], z["utr_code"] or "", z["feature_id"]))


_REGIME = ("id", "uat_siruta", "allowed_functions", "conditioned_functions", "forbidden_functions", "pot_max",
           "cut_max", "height_max_m", "levels_max", "setback_street_m", "setback_side_m", "setback_rear_m",
           "min_lot_area_m2", "min_frontage_m", "plan")


def _regime(unit: dict) -> dict:
    return {name: unit[name] for name in _REGIME}


def no_data(themes: list[str], versions: list[spatial.VersionInfo]) -> list[dict]:
    """Themes with no current layer, or whose coverage does not include the geometry."""
    by_theme: dict[str, list[spatial.VersionInfo]] = defaultdict(list)
    for v in versions:
        by_theme[v.theme].append(v)
    out: list[dict[str, Any]] = []
    for theme in sorted(set(themes)):
        layers = by_theme.get(theme)
        if not layers:
            out.append({"theme": theme, "layer": None, "reason": "no_layer"})
            continue
        for v in layers:
            if not v.covered:
                out.append({"theme": theme, "layer": v.slug, "layer_version": v.number,
                            "reason": "partial_coverage" if v.touched else "outside_coverage"})
    return out


def rasters(site: Site, versions: list[spatial.VersionInfo]) -> dict:
    """Slope and elevation from the current DEM and flood depth, via layers.rasters.sample."""
    out: dict = {"available": True}
    wanted = [v for v in versions if v.theme in RASTER_THEMES and v.raster and v.covered]
    # The file name and theme came with the versions query: no LayerVersion round trip here.
    storage = LayerVersion._meta.get_field("raster_file").storage
    polygon = as_shapely(site.geom) if wanted else None  # converted once for every raster
    memo: dict = {}  # the pixels under the site, per grid: a DEM and a flood map often share one
    for v in wanted:
        try:
            values = sample_file(version_id=v.version_id, storage=storage, name=v.raster_file,
                                 theme=v.raster_theme or v.theme, slug=v.slug, number=v.number, geom=polygon,
                                 memo=memo)
        except (OSError, ValueError) as exc:  # an unreadable file must not fail the whole analysis
            values = {"error": str(exc)}
        out.setdefault(v.theme, {"layer": v.slug, "layer_version": v.number, **values})
    return out


ALL_EXTRA_THEMES = (ZONING_THEME, INTRAVILAN_THEME, *RASTER_THEMES, *PROTECTION_ZONE_THEMES)
__all__ = ["Site", "evaluate_rules", "required_avize", "locality", "zoning", "no_data", "rasters",
           "rule_applies", "ENGINE_EFFECTS", "ALL_EXTRA_THEMES"]
