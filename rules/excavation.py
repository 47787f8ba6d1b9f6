"""The analysis of an excavation in the public domain: its own catalogue of rules, and the moratorium.

An excavation (works kind "excavation") is analysed with the X-series only: the spatial rules whose
`works_kinds` name "excavation" (the road and its administrator, the networks the dug area crosses)
and the works rules whose conditions name it as destination (the traffic police when the roadway is
closed). Every other analysis leaves the X-series out. The rules stay data (rules/data/*.csv).

The moratorium ("dig once"): a street rehabilitated less than N years ago (N per issuer) is not dug
again; the current layers of theme `street_rehabilitation` carry the segments and their
`rehabilitated_on` date.
"""
from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

from rules.choices import EXCAVATION_KIND, STREET_REHAB_THEME

R = TypeVar("R")


def is_excavation(works: dict | None) -> bool:
    return bool(works) and works.get("kind") == EXCAVATION_KIND  # type: ignore[union-attr]


def _for_excavation(rule: Any) -> bool:
    if hasattr(rule, "works_kinds"):  # a spatial Rule
        return EXCAVATION_KIND in (rule.works_kinds or ())
    return EXCAVATION_KIND in ((rule.conditions or {}).get("destinations") or ())  # a WorksRule


def catalogue_for(rules: list[R], works: dict | None) -> list[R]:
    """The rules that apply to these works: the X-series for an excavation, the others otherwise."""
    wanted = is_excavation(works)
    return [r for r in rules if _for_excavation(r) is wanted]


MORATORIUM_SQL = f"""
    SELECT f.id, f.source_id, f.name, f.attrs->>'rehabilitated_on', l.slug
    FROM layers_feature f
    JOIN layers_layerversion v ON v.id = f.version_id AND v.is_current
    JOIN layers_layer l ON l.id = v.layer_id AND l.theme = '{STREET_REHAB_THEME}'
    WHERE ST_DWithin(f.geom, ST_GeomFromEWKB(%(geom)s), %(buffer)s)
    ORDER BY f.id
"""


def moratorium_hits(*, geom: GEOSGeometry, years: int, on: date, buffer_m: float = 1.0) -> list[dict]:
    """The rehabilitated street segments the dug area touches whose moratorium of `years` still runs on `on`."""
    if years <= 0:
        return []
    try:
        since = on.replace(year=on.year - years)
    except ValueError:  # 29 February
        since = on.replace(year=on.year - years, day=28)
    with connection.cursor() as cursor:
        cursor.execute(MORATORIUM_SQL, {"geom": bytes(geom.ewkb), "buffer": buffer_m})
        rows = cursor.fetchall()
    hits = []
    for pk, source_id, name, rehabilitated, slug in rows:
        try:
            when = date.fromisoformat(rehabilitated or "")
        except ValueError:  # an undated segment is reported: a missing date never hides a moratorium
            when = None
        if when is None or when > since:
            hits.append({"kind": "moratorium", "feature_id": pk, "source_id": source_id, "street": name,
                         "layer": slug, "rehabilitated_on": when.isoformat() if when else None,
                         "moratorium_years": years,
                         "until": when.replace(year=when.year + years).isoformat() if when and
                         not (when.month == 2 and when.day == 29) else None})
    return hits
