"""Writes of the rules app: loading and editing rules, and creating (storing) an analysis."""
from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_portal.api.geometry import as_multipolygon, geometry_from_geojson
from institutions.models import Institution
from parcels.models import Parcel
from rules import engine, spatial
from rules import works as works_rules
from rules.choices import CONNECTIONS, ROAD_CLASSES, STREET_THEME, WORKS_FLAGS, WORKS_OPERATIONS
from rules.compliance import compliance
from rules.excavation import catalogue_for
from rules.issuer import competent_issuer
from rules.models import Analysis, Rule, RuleRevision, WorksRule
from rules.selectors import active_rules, active_works_rules, cached_active_rules

DEFAULT_CSV = Path(__file__).resolve().parent / "data" / "rules.csv"
MAX_PARCELS = 200
_LIST_FIELDS = ("themes", "locality_classes", "works_kinds", "works_kinds_trigger", "institution_kinds")
_JSON_FIELDS = {"distance_overrides": list, "feature_filter": dict, "params": dict}
_EDITABLE = ("title", "predicate", "distance_m", "min_overlap_m2", "no_protection_zone", "effect", "message_ro",
             "message_en", "legal_basis", "source_url", "confidence", "notes", "active", *_LIST_FIELDS, *_JSON_FIELDS)


def _row_values(row: dict[str, str], line: int) -> dict[str, Any]:
    def bad(field: str, reason: str) -> ValidationError:
        return ValidationError({field: [f"line {line}: {reason}"]})

    values: dict[str, Any] = {}
    for name in _EDITABLE:
        raw = (row.get(name) or "").strip()
        if name in _LIST_FIELDS:
            values[name] = [p.strip() for p in raw.split("|") if p.strip()]
        elif name in _JSON_FIELDS:
            try:
                values[name] = json.loads(raw) if raw else _JSON_FIELDS[name]()
            except ValueError:
                raise bad(name, "not valid JSON") from None
            if not isinstance(values[name], _JSON_FIELDS[name]):
                raise bad(name, f"must be a JSON {_JSON_FIELDS[name].__name__}")
        elif name in ("distance_m", "min_overlap_m2"):
            try:
                values[name] = float(raw) if raw else (None if name == "distance_m" else 1.0)
            except ValueError:
                raise bad(name, f"{raw!r} is not a number") from None
        elif name in ("no_protection_zone", "active"):
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no", ""):
                raise bad(name, f"{raw!r} is not a boolean")
            values[name] = raw.lower() in ("true", "1", "yes") or (raw == "" and name == "active")
        else:
            values[name] = raw
    bad_classes = set(values["locality_classes"]) - set(Rule.LOCALITY_CLASSES)
    if bad_classes:
        raise bad("locality_classes", f"unknown classes {sorted(bad_classes)}")
    return values


def rule_snapshot(rule: Rule | WorksRule) -> dict[str, Any]:
    """A rule's values as JSON (what a RuleRevision keeps)."""
    return {f.name: getattr(rule, f.name) for f in rule._meta.concrete_fields
            if f.name not in ("id", "updated_at")}


def revision_record(*, rule: Rule | WorksRule, by: Any = None) -> RuleRevision:
    """Keep this version of the rule (idempotent per catalogue, code and version)."""
    catalogue = RuleRevision.Catalogue.WORKS if isinstance(rule, WorksRule) else RuleRevision.Catalogue.SPATIAL
    revision, _created = RuleRevision.objects.get_or_create(
        catalogue=catalogue, code=rule.code, version=rule.version,
        defaults={"data": json.loads(json.dumps(rule_snapshot(rule), default=str)),
                  "created_by": by if getattr(by, "is_authenticated", False) else None})
    return revision


@transaction.atomic
def rule_update(*, rule: Rule | WorksRule, by: Any = None, **fields: Any) -> Rule | WorksRule:
    """Change a rule (spatial or works); when anything actually changed its version grows by one and
    both the old and the new version are kept as revisions."""
    changed = [name for name, value in fields.items() if getattr(rule, name) != value]
    if changed:
        revision_record(rule=type(rule).objects.get(pk=rule.pk), by=by)
    for name in changed:
        setattr(rule, name, fields[name])
    if changed:
        rule.version += 1
        rule.full_clean()
        rule.save(update_fields=[*changed, "version", "updated_at"])
        revision_record(rule=rule, by=by)
    return rule


def _catalogue_rows(path: Path | str) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(line number, code, row) of each row of a rules catalogue CSV; a row without a code is refused."""
    with open(path, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code = (row.get("code") or "").strip()
            if not code:
                raise ValidationError({"code": [f"line {line}: missing rule code"]})
            yield line, code, row


_Row = TypeVar("_Row", Rule, WorksRule)


def _new_row(rule: _Row, line: int) -> _Row:
    """A new catalogue row, validated; its errors name the CSV line."""
    try:
        rule.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise ValidationError({f"line {line}": exc.messages}) from None
    return rule


@transaction.atomic
def rules_load_csv(*, path: Path | str = DEFAULT_CSV) -> dict[str, int]:
    """Upsert rules by code from a structured CSV (see rules/data/rules.csv). All or nothing."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {r.code: r for r in Rule.objects.all()}
    new: list[Rule] = []
    for line, code, row in _catalogue_rows(path):
        values = _row_values(row, line)
        rule = existing.get(code)
        if rule is None:
            rule = _new_row(Rule(code=code, **values), line)
            new.append(rule)
            existing[code] = rule
        else:
            before = rule.version
            rule_update(rule=rule, **values)
            counts["updated" if rule.version != before else "unchanged"] += 1
    Rule.objects.bulk_create(new)
    counts["created"] = len(new)
    return counts


WORKS_CSV = Path(__file__).resolve().parent / "data" / "works_rules.csv"
_WORKS_EDITABLE = ("title", "item", "group", "label_ro", "label_en", "message_ro", "message_en", "legal_basis",
                   "source_url", "confidence", "notes")


@transaction.atomic
def works_rules_load_csv(*, path: Path | str = WORKS_CSV) -> dict[str, int]:
    """Upsert the works rules by code from their CSV (rules/data/works_rules.csv). All or nothing;
    a changed row gets a new version and both versions are kept as revisions."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {r.code: r for r in WorksRule.objects.all()}
    for line, code, row in _catalogue_rows(path):
        values: dict[str, Any] = {name: (row.get(name) or "").strip() for name in _WORKS_EDITABLE}
        try:
            values["conditions"] = json.loads(row.get("conditions") or "{}")
        except ValueError:
            raise ValidationError({"conditions": [f"line {line}: not valid JSON"]}) from None
        values["institution_kinds"] = [k.strip() for k in (row.get("institution_kinds") or "").split("|") if k.strip()]
        values["active"] = (row.get("active") or "true").strip().lower() in ("true", "1", "yes")
        rule = existing.get(code)
        if rule is None:
            rule = _new_row(WorksRule(code=code, **values), line)
            rule.save()
            revision_record(rule=rule)
            counts["created"] += 1
        else:
            before = rule.version
            rule_update(rule=rule, **values)
            counts["updated" if rule.version != before else "unchanged"] += 1
    return counts


# --- analysis -------------------------------------------------------------------------------

def _clean_works(works: dict | None, *, srid: Any) -> dict:
    """Validate the proposed works; geometries go through geometry_from_geojson like any input."""
    if not works:
        return {}
    if not isinstance(works, dict):
        raise ValidationError({"works": [_("Descrierea lucrărilor lipsește sau este greșită.")]})
    clean: dict[str, Any] = {}
    for name, low, high in (("levels", 0, 200), ("height_m", 0, 1000), ("gross_floor_area_m2", 0, 10_000_000)):
        value = works.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValidationError({f"works.{name}": [_("Introduceți un număr între %(low)s și %(high)s.")
                                                       % {"low": low, "high": high}]})
        clean[name] = value
    for name, low, high in (("built_area_m2", 0, 10_000_000), ("occupants", 0, 1_000_000)):
        value = works.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValidationError({f"works.{name}": [_("Introduceți un număr între %(low)s și %(high)s.")
                                                       % {"low": low, "high": high}]})
        clean[name] = value
    for name in ("kind", "function", "purpose"):
        if works.get(name) not in (None, ""):
            if not isinstance(works[name], str) or len(works[name]) > 60:
                raise ValidationError({f"works.{name}": [_("Introduceți un text scurt (cel mult 60 de caractere).")]})
            clean[name] = works[name]
    for name, vocabulary in (("operation", WORKS_OPERATIONS), ("road_access", ROAD_CLASSES)):
        if works.get(name) not in (None, ""):
            if works[name] not in vocabulary:
                raise ValidationError({f"works.{name}": [f"One of {', '.join(vocabulary)}."]})
            clean[name] = works[name]
    for flag in WORKS_FLAGS:
        if works.get(flag) is not None:
            if not isinstance(works[flag], bool):
                raise ValidationError({f"works.{flag}": ["Must be true or false."]})
            clean[flag] = works[flag]
    connections = works.get("connections")
    if connections:
        if not isinstance(connections, (list, tuple)) or len(connections) > len(CONNECTIONS) \
                or any(c not in CONNECTIONS for c in connections):
            raise ValidationError({"works.connections": [f"A list of: {', '.join(CONNECTIONS)}."]})
        clean["connections"] = [c for c in CONNECTIONS if c in connections]
    if works.get("footprint") is not None:
        geom = works["footprint"]
        clean["footprint_geom"] = geom if isinstance(geom, GEOSGeometry) else geometry_from_geojson(
            geom, field="works.footprint", srid=srid)
        # Stored in EPSG:3844 whatever the request's CRS, like every other geometry.
        clean["footprint"] = {**json.loads(clean["footprint_geom"].json), "crs": "EPSG:3844"}
    facades = works.get("window_facades")
    if facades is not None:
        if not isinstance(facades, list) or len(facades) > 100:
            raise ValidationError({"works.window_facades": ["Expected a list of up to 100 LineStrings."]})
        clean["window_facades"] = facades
        clean["window_facades_geom"] = [geometry_from_geojson(f, field="works.window_facades", srid=srid,
                                                              allowed_types=("LineString",)) for f in facades]
    return clean


def _site(parcels: Iterable[Any] | None, geometry: Any, srid: Any, plan: spatial.SearchPlan | None,
          buildings: bool) -> tuple[GEOSGeometry, spatial.Context]:
    """The site's geometry (EPSG:3844) and the analysis context (parcels, UATs, rules key, versions,
    the candidates of `plan` when the site is known before the statement, and with `buildings`
    the existing buildings of the lot)."""
    if parcels and geometry is not None:
        raise ValidationError({"parcels": ["Send either parcels or a geometry, not both."]})
    if parcels:
        ids = [p.pk if isinstance(p, Parcel) else p for p in parcels]
        if len(ids) > MAX_PARCELS:
            raise ValidationError({"parcels": [f"At most {MAX_PARCELS} parcels per analysis."]})
        if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
            raise ValidationError({"parcels": ["Parcel ids must be integers."]})
        ctx = spatial.context_for_parcels(ids, plan, buildings=buildings)
        missing = sorted(set(ids) - {p.pk for p in ctx.parcels})
        if missing:
            raise ValidationError({"parcels": [f"Unknown parcel ids: {missing}."]})
        geom = ctx.parcels[0].geom.clone()
        for parcel in ctx.parcels[1:]:
            geom = geom.union(parcel.geom)
        ctx.uats = _parcel_uats(ctx.parcels)
        return as_multipolygon(geom), ctx
    if geometry is None:
        raise ValidationError({"geometry": ["Send parcels (a list of ids) or a geometry (GeoJSON)."]})
    geom = as_multipolygon(geometry if isinstance(geometry, GEOSGeometry) else geometry_from_geojson(geometry, srid=srid))
    return geom, spatial.context_for_geometry(geom, plan, buildings=buildings)


def _issuer(uats: list[dict], parcels: list[spatial.SiteParcel], locality_class: str) -> dict:
    # A parcel's mayor came with it (one query fewer).
    known = next((p.issuer for p in parcels if p.uat["id"] == uats[0]["id"]), None)
    return competent_issuer(uats, locality_class=locality_class, known=known)


def _parcel_uats(parcels: list[spatial.SiteParcel]) -> list[dict]:
    """A parcel's UAT is the cadastre's answer; no need to intersect UAT boundaries again."""
    uats: dict[int, dict] = {}
    for parcel in parcels:
        entry = uats.setdefault(parcel.uat["id"], {**parcel.uat, "overlap_m2": 0.0})
        entry["overlap_m2"] += parcel.geom.area
    return sorted(uats.values(), key=lambda u: (-u["overlap_m2"], u["siruta"]))


def analysis_compute(*, geom: GEOSGeometry, works: dict, ctx: spatial.Context) -> dict:
    """Run every step of the analysis on a geometry in EPSG:3844 and return the result JSON."""
    uats = ctx.uats
    if not uats:
        raise ValidationError({"geometry": ["The geometry is outside the covered territory: "
                                            "it lies in no UAT known to this portal."]})
    site = engine.Site(geom=geom, area_m2=geom.area, uats=uats, works=works)
    all_rules = active_rules(generation=ctx.rules_generation)
    by_code = {r.code: r for r in all_rules}
    rules = catalogue_for(all_rules, works)
    engine_rules = [r for r in rules if r.effect in engine.ENGINE_EFFECTS]
    # Street axes only matter to the compliance of proposed works (frontage, street setback).
    street_themes = {STREET_THEME} if works else set()
    themes = sorted({t for r in engine_rules for t in r.themes} | set(engine.ALL_EXTRA_THEMES) | street_themes)
    versions = spatial.current_versions(ctx, themes, geom)
    plan = engine.analysis_plan(rules, works=bool(works))
    # The context searched with the rules cached before it ran: valid unless they changed the plan.
    found = ctx.candidates if ctx.plan == plan else spatial.candidates(geom, plan, [u["id"] for u in uats])
    engine.gather(site, found)
    loc = engine.locality(site, versions, by_code.get("R37"))
    applicable = [r for r in engine_rules
                  if engine.rule_applies(r, locality_class=loc["class"], works_kind=works.get("kind"))]
    hits = engine.evaluate_rules(site, applicable, versions)
    wrules = catalogue_for(active_works_rules(generation=ctx.rules_generation), works)
    works_hits = works_rules.evaluate(works, wrules, locality_class=loc["class"])
    if works_rules.lists_avize(works):
        avize, unresolved = engine.required_avize(site, hits + works_hits,
                                                  institutions_generation=ctx.institutions_generation)
    else:  # a CU for information only: the regime, no avize
        avize, unresolved = [], []
    requirements = works_rules.ac_requirements(works_hits=works_hits, required_avize=avize, unresolved=unresolved,
                                               kind_labels=dict(Institution.Kind.choices))
    zones = engine.zoning(site, versions)
    dominant = zones[0] if zones else None
    used_rules = applicable + [r for r in rules if r.effect not in engine.ENGINE_EFFECTS]
    total = sum(u["overlap_m2"] for u in uats)
    streets, streets_reason = engine.streets(site, versions) if works else (None, "")
    return {
        "area_m2": round(site.area_m2, 2),
        "uats": [{**u, "overlap_m2": round(u["overlap_m2"], 2), "share": round(u["overlap_m2"] / total, 4)} for u in uats],
        "issuer": _issuer(uats, ctx.parcels, loc["class"]),
        "locality_class": loc["class"],
        "locality": loc,
        "zoning": zones,
        "rule_hits": [{k: v for k, v in h.items() if k != "_sort"} for h in hits],
        "works_rule_hits": [{k: v for k, v in h.items() if k != "_sort"} for h in works_hits],
        "required_avize": avize,
        "unresolved_avize": unresolved,
        "ac_requirements": requirements,
        "prohibitions": [h["rule"] for h in hits if h["effect"] == Rule.Effect.FORBIDS],
        "warnings": [h["rule"] for h in hits if h["effect"] == Rule.Effect.WARNS],
        "compliance": compliance(lot=geom, works=works, regime=dominant["regime"] if dominant else None,
                                 utr_code=dominant["utr_code"] if dominant else None, rules=by_code,
                                 streets=streets, streets_reason=streets_reason, buildings=ctx.buildings),
        "rasters": engine.rasters(site, versions),
        "no_data": engine.no_data(themes, versions),
        "versions": {
            "layers": [{"theme": v.theme, "layer": v.slug, "version": v.number, "version_id": v.version_id}
                       for v in sorted(versions, key=lambda v: (v.theme, v.slug))],
            "rules": [{"code": r.code, "version": r.version} for r in sorted(used_rules, key=lambda r: r.sort_key)],
            "works_rules": [{"code": r.code, "version": r.version} for r in sorted(wrules, key=lambda r: r.sort_key)],
        },
    }


# One statement stores the analysis and its through-table rows (atomic on its own, no transaction
# round trips); foreign keys are checked at its end, when the analysis row exists.
INSERT_SQL = """
    WITH a AS (INSERT INTO rules_analysis (id, created_by_id, created_at, geometry, works, result)
               VALUES (%(id)s, %(by)s, %(at)s, %(geom)s::geometry, %(works)s::jsonb, %(result)s::jsonb)),
    p AS (INSERT INTO rules_analysis_parcels (analysis_id, parcel_id) SELECT %(id)s, unnest(%(parcels)s::int[])),
    u AS (INSERT INTO rules_analysis_uats (analysis_id, uat_id) SELECT %(id)s, unnest(%(uats)s::int[]))
    SELECT 1
"""


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def analysis_create(*, parcels: Iterable[Any] | None = None, geometry: Any = None, works: dict | None = None,
                    by: Any = None, crs: Any = None) -> Analysis:
    """Analyse parcels (ids or Parcel objects) or a geometry (GEOS, or GeoJSON in `crs`, default
    EPSG:4326) with optional proposed works, and store the result. Raises ValidationError."""
    clean = _clean_works(works, srid=crs)
    cached = cached_active_rules()
    plan = engine.analysis_plan(catalogue_for(cached, clean), works=bool(clean)) if cached else None
    geom, ctx = _site(parcels, geometry, crs, plan, buildings="footprint_geom" in clean)
    result = analysis_compute(geom=geom, works=clean, ctx=ctx)
    analysis = Analysis(id=uuid.uuid4(), created_by=by if getattr(by, "is_authenticated", False) else None,
                        created_at=timezone.now(), geometry=cast(MultiPolygon, geom),
                        works={k: v for k, v in clean.items() if not k.endswith("_geom")}, result=result)
    analysis.parcel_ids = [p.pk for p in ctx.parcels]  # spares the serializer a query
    # Encoded once: stored, and spliced as it is into the response (rules.serializers.analysis_json).
    analysis.works_json, analysis.result_json = _json(analysis.works), _json(result)
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, {"id": analysis.pk, "by": analysis.created_by_id, "at": analysis.created_at,
                                    "geom": geom.hexewkb.decode(), "works": analysis.works_json,
                                    "result": analysis.result_json, "parcels": analysis.parcel_ids,
                                    "uats": [u["id"] for u in result["uats"]]})
    analysis._state.adding = False
    analysis._state.db = connection.alias
    return analysis
