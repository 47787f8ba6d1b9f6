"""Reads of the rules app, scoped to the caller."""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from gis_portal.api.geojson import features_geojson
from gis_portal.generations import GenerationCache
from rules.models import Analysis, Rule, WorksRule


def analyses_visible_to(user) -> QuerySet[Analysis]:
    """Who may read an analysis:
    - its creator;
    - portal admins: all;
    - clerks and chief architects: analyses touching their issuer's UAT (a county council
      issuer: its county);
    - anyone holding the id of an anonymous analysis (the id is a random UUID, not enumerable).
    """
    anonymous = Q(created_by__isnull=True)
    if user is None or not user.is_authenticated:
        return Analysis.objects.filter(anonymous)
    if user.is_portal_admin:
        return Analysis.objects.all()
    visible = anonymous | Q(created_by=user)
    if user.is_issuer_staff and user.issuer_id:
        issuer = user.issuer
        visible |= Q(uats=issuer.uat_id) if issuer.uat_id else Q(uats__county=issuer.county)
    return Analysis.objects.filter(visible).distinct()


# Plain SQL annotations: compiling Cast and ArraySubquery expressions costs more than the query.
_STORED = {
    "parcel_ids": RawSQL('ARRAY(SELECT parcel_id FROM rules_analysis_parcels t WHERE t.analysis_id = "rules_analysis"."id"'
                         " ORDER BY parcel_id)", ()),
    "works_json": RawSQL('"rules_analysis"."works"::text', ()),
    "result_json": RawSQL('"rules_analysis"."result"::text', ()),
}


def analysis_stored(*, user, analysis_id) -> dict:
    """A visible analysis as stored, for serving it again: created_at, geometry, parcel ids, and its
    works and result as their JSON text (rules.serializers.analysis_json splices them, no decoding)."""
    rows = analyses_visible_to(user).annotate(**_STORED).values("id", "created_at", "geometry", *_STORED)
    # get(), not first(): first() adds an ORDER BY, whose compilation costs more than this one-row query.
    try:
        return rows.get(pk=analysis_id)
    except Analysis.DoesNotExist:
        raise Http404("No such analysis.") from None


def rule_list(*, active_only: bool = False) -> list[Rule]:
    """Rules in catalogue order (R2 before R10)."""
    rules = Rule.objects.filter(active=True) if active_only else Rule.objects.all()
    return sorted(rules, key=lambda r: r.sort_key)


def _load_active() -> list[Rule]:
    return sorted(Rule.objects.filter(active=True), key=lambda r: r.sort_key)


_active = GenerationCache("rules", _load_active)  # migration 0004: rules_generation


def cached_active_rules() -> list[Rule]:
    """The active rules as last loaded by this process (empty before the first load), unchecked:
    the analysis plans its search with them and checks the generation in the same statement."""
    return list(_active.last() or [])


def active_rules(*, generation: int | None = None) -> list[Rule]:
    """Active rules in catalogue order, kept per process (gis_portal.generations) while `generation`
    (rules_generation, read by the analysis' context statement) is the one they were loaded at."""
    return list(_active.get(generation=generation))


def _load_active_works() -> list[WorksRule]:
    return sorted(WorksRule.objects.filter(active=True), key=lambda r: r.sort_key)


_active_works = GenerationCache("rules", _load_active_works)  # the same rules_generation (migration 0004)


def active_works_rules(*, generation: int | None = None) -> list[WorksRule]:
    """Active works rules in catalogue order, kept per process like active_rules."""
    return list(_active_works.get(generation=generation))


# At most this many hit features get a distance label on the map (the nearest first).
MAX_HIT_MARKS = 50


def hit_marks_geojson(analysis_id) -> dict[str, Any]:
    """Where the map labels each feature an analysis hit: the shortest line from the feature to the
    analysed geometry (its first point lies on the feature), or a point of their overlap when they
    touch. Only features of public layers (the ones the map draws), nearest first."""
    sql = (
        "SELECT CASE WHEN ST_Intersects(f.geom, a.geometry)"
        " THEN ST_PointOnSurface(ST_Intersection(f.geom, a.geometry))"
        " ELSE ST_ShortestLine(f.geom, a.geometry) END AS geom,"
        " json_build_object('feature_id', f.id, 'layer', l.slug) AS props"
        " FROM rules_analysis a"
        " JOIN layers_feature f ON f.id IN (SELECT (jsonb_array_elements(h -> 'feature_ids'))::int"
        "  FROM jsonb_array_elements(a.result -> 'rule_hits') h)"
        " JOIN layers_layerversion v ON v.id = f.version_id"
        " JOIN layers_layer l ON l.id = v.layer_id AND l.public"
        " WHERE a.id = %s ORDER BY ST_Distance(f.geom, a.geometry), f.id LIMIT %s"
    )
    return features_geojson(sql, [analysis_id, MAX_HIT_MARKS])
