"""Reads of the rules app, scoped to the caller."""
from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from rules.models import Analysis, Rule, WorksRule
from rules.spatial import RULES_KEY_SQL


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


_cache: dict[str, Any] = {"key": None, "rules": []}


def rules_key() -> tuple:
    """What changes whenever any rule (spatial or works) changes: every edit (admin, rule_update,
    seed) moves updated_at, the count or a version. The analysis reads it with its context
    (rules.spatial.context_for_parcels) instead of asking separately."""
    with connection.cursor() as cursor:
        cursor.execute(RULES_KEY_SQL)
        return tuple(cursor.fetchone())


def cached_active_rules() -> list[Rule]:
    """The active rules as last loaded by this process (empty before the first load), unchecked:
    the analysis plans its search with them and checks the key in the same statement."""
    return list(_cache["rules"])


def active_rules(*, key: tuple | None = None) -> list[Rule]:
    """Active rules in catalogue order, cached per process until `key` (rules_key()) changes."""
    key = rules_key() if key is None else tuple(key)
    if key != _cache["key"]:
        _cache["rules"] = sorted(Rule.objects.filter(active=True), key=lambda r: r.sort_key)
        _cache["key"] = key
    return list(_cache["rules"])


_works_cache: dict[str, Any] = {"key": None, "rules": []}


def active_works_rules(*, key: tuple | None = None) -> list[WorksRule]:
    """Active works rules in catalogue order, cached per process until `key` (rules_key()) changes."""
    key = rules_key() if key is None else tuple(key)
    if key != _works_cache["key"]:
        _works_cache["rules"] = sorted(WorksRule.objects.filter(active=True), key=lambda r: r.sort_key)
        _works_cache["key"] = key
    return list(_works_cache["rules"])
