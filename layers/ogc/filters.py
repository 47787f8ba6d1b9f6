"""OGC API Features Part 3 (queryables, CQL2 text and JSON filters) and Part 1's `datetime`.

A filter is parsed by pygeofilter, checked against the collection's queryables (an attribute that
is not one is a 400, so a filter can never reach other columns or relations) and translated by
pygeofilter's Django backend into a Q on the collection's model. The view runs the queryset's SQL,
with its bound parameters, as a subquery of ids: no filter text ever becomes SQL text.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from django.contrib.gis.geos import GEOSException, GEOSGeometry, Polygon
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from pygeofilter import ast, values
from pygeofilter.backends.django.evaluate import DjangoFilterEvaluator
from pygeofilter.backends.evaluator import handle
from pygeofilter.parsers.cql2_json import parse as parse_cql2_json
from pygeofilter.parsers.cql2_text import parse as parse_cql2_text

from layers.models import Feature
from parcels.models import Parcel

MAX_FILTER_CHARS = 20_000  # bounded before it is parsed
MAX_LAYER_QUERYABLES = 100
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,62}$")  # the CQL2 text grammar's identifiers, without ':' or '.'
GEOMETRY = "geometry"
# The items parameters of the standard: never a property parameter.
RESERVED = ("limit", "offset", "bbox", "datetime", "filter", "crs")
GEOMETRY_SCHEMA = {"format": "geometry-any", "title": "Geometry", "x-ogc-role": "primary-geometry"}


@dataclass(frozen=True)
class Queryable:
    name: str
    lookup: str  # the model field (or annotation) pygeofilter filters on
    schema: dict  # its JSON Schema
    expression: Any = None  # an annotation computing it (attributes of layer features)


PARCEL_QUERYABLES = {q.name: q for q in (
    Queryable("cadastral_number", "cadastral_number", {"type": "string", "title": "Număr cadastral"}),
    Queryable("uat_siruta", "uat__siruta", {"type": "integer", "title": "SIRUTA code of the UAT"}),
    Queryable("uat", "uat__name", {"type": "string", "title": "UAT"}),
    Queryable("measured_area_m2", "measured_area_m2", {"type": "number", "title": "Measured area (m²)"}),
    Queryable("use_category", "use_category", {"type": "string", "title": "Use category",
                                               "enum": [c for c, _ in Parcel.UseCategory.choices]}),
    Queryable(GEOMETRY, "geom", GEOMETRY_SCHEMA),
)}


@lru_cache(maxsize=64)
def _layer_queryables(version_id: int) -> tuple[Queryable, ...]:
    """The attributes of a published layer version (immutable, so cached per version): each key of
    `attrs` with its JSON type; a key holding several types is compared as text."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT a.key, array_agg(DISTINCT jsonb_typeof(a.value)) FILTER (WHERE jsonb_typeof(a.value) <> 'null')
            FROM layers_feature f, jsonb_each(f.attrs) a WHERE f.version_id = %s
            GROUP BY a.key ORDER BY a.key LIMIT %s""", [version_id, MAX_LAYER_QUERYABLES])
        rows = cursor.fetchall()
    found = [Queryable("name", "name", {"type": "string", "title": "Name"}),
             Queryable("source_id", "source_id", {"type": "string", "title": "Id in the source file"}),
             Queryable(GEOMETRY, "geom", GEOMETRY_SCHEMA)]
    for key, types in rows:
        if not NAME.match(key) or key in ("name", "source_id", GEOMETRY, *RESERVED):
            continue
        kinds = set(types or ())
        text = KeyTextTransform(key, "attrs")
        if kinds == {"number"}:
            found.append(Queryable(key, f"q_{key}", {"type": "number"}, Cast(text, FloatField())))
        elif kinds == {"boolean"}:
            found.append(Queryable(key, f"q_{key}", {"type": "boolean"}, Cast(text, BooleanField())))
        else:
            found.append(Queryable(key, f"q_{key}", {"type": "string"}, text))
    return tuple(found)


def queryables(collection) -> dict[str, Queryable]:
    if collection.version_id is None:
        return PARCEL_QUERYABLES
    return {q.name: q for q in _layer_queryables(collection.version_id)}


def queryables_document(collection, url: str) -> dict:
    """The collection's queryables as a JSON Schema (Part 3, /req/queryables/get-queryables-response)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": url, "type": "object",
        "title": collection.title, "additionalProperties": False,
        "properties": {q.name: q.schema for q in queryables(collection).values()},
    }


def _base_queryset(collection) -> QuerySet:
    if collection.version_id is None:
        return Parcel.objects.all()
    return Feature.objects.filter(version_id=collection.version_id)


def _flip(coords: Any) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [coords[1], coords[0], *coords[2:]]
    return [_flip(c) for c in coords]


class _Evaluator(DjangoFilterEvaluator):
    """pygeofilter's Django evaluator with the geometries in the request's filter-crs (and its axis
    order), and BBOX as an envelope polygon tested like any other geometry."""

    def __init__(self, field_mapping: dict[str, str], srid: int, flip: bool):
        super().__init__(field_mapping, None)
        self.srid, self.flip = srid, flip

    def _envelope(self, minx, miny, maxx, maxy) -> GEOSGeometry:
        if self.flip:
            minx, miny, maxx, maxy = miny, minx, maxy, maxx
        box = Polygon.from_bbox((minx, miny, maxx, maxy))
        box.srid = self.srid
        return box

    @handle(values.Geometry)
    def geometry(self, node):
        geo = dict(node.__geo_interface__)
        geo.pop("crs", None)
        if self.flip:
            geo["coordinates"] = _flip(geo["coordinates"])
        geom = GEOSGeometry(json.dumps(geo))
        geom.srid = self.srid
        return geom

    @handle(values.Envelope)
    def envelope(self, node):
        return self._envelope(node.x1, node.y1, node.x2, node.y2)

    @handle(ast.Function)
    def function(self, node, *arguments):
        if node.name.lower() == "bbox" and len(arguments) in (4, 6) and all(
                isinstance(getattr(a, "value", a), (int, float)) for a in arguments):
            numbers = [float(getattr(a, "value", a)) for a in arguments]
            half = len(numbers) // 2
            return self._envelope(numbers[0], numbers[1], numbers[half], numbers[half + 1])
        raise ValueError(f"Function {node.name} is not supported.")


# Predicates outside the declared conformance classes (basic CQL2, advanced comparisons, spatial
# functions): a 400 before pygeofilter's backend could build a query PostGIS would refuse.
UNSUPPORTED = (ast.TemporalPredicate, ast.ArrayPredicate, ast.SpatialDistancePredicate, ast.Relate, ast.Exists,
               ast.Arithmetic)


def _unsupported(node: Any) -> str | None:
    if isinstance(node, UNSUPPORTED):
        return type(node).__name__
    subs = node.get_sub_nodes() if isinstance(node, ast.Node) else node if isinstance(node, (list, tuple)) else ()
    return next((found for sub in subs if (found := _unsupported(sub))), None)


_TYPES = {"string": (str,), "number": (int, float), "integer": (int,), "boolean": (bool,)}


def _type_problem(node: Any, known: dict[str, Queryable]) -> str | None:
    """A literal compared with a property of another type ('abc' with a number), which PostgreSQL
    would refuse while running the query."""
    if isinstance(node, (ast.Comparison, ast.Between, ast.In, ast.Like)):
        subs = node.get_sub_nodes()
        names = [s.name for s in subs if isinstance(s, ast.Attribute)]
        literals = [getattr(node, "pattern", None)] if isinstance(node, ast.Like) else \
            [s for s in subs if not isinstance(s, (ast.Attribute, ast.Node))]
        for name in names:
            expected = _TYPES.get(known[name].schema.get("type", ""), ())
            for value in literals:
                if expected and (not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected)):
                    return f"{name} is a {known[name].schema['type']}; {value!r} is not."
    subs = node.get_sub_nodes() if isinstance(node, ast.Node) else ()
    return next((found for sub in subs if (found := _type_problem(sub, known))), None)


def _attributes(node: Any):
    if isinstance(node, ast.Attribute):
        yield node.name
    elif isinstance(node, ast.Node):
        for sub in node.get_sub_nodes():
            yield from _attributes(sub)
    elif isinstance(node, (list, tuple)):
        for sub in node:
            yield from _attributes(sub)


def _parse(text: str, lang: str):
    if len(text) > MAX_FILTER_CHARS:
        raise ValidationError({"filter": [f"filter is longer than {MAX_FILTER_CHARS} characters."]})
    try:
        return parse_cql2_json(json.loads(text)) if lang == "cql2-json" else parse_cql2_text(text)
    except Exception as exc:  # lark's and pygeofilter's parse errors have no common base class
        raise ValidationError({"filter": [f"Not a valid {lang} expression: {str(exc).splitlines()[0][:200]}"]}) from None


def _cql2_q(collection, *, text: str, lang: str, srid: int, flip: bool) -> tuple[Q, dict[str, Any]]:
    """The Q of a CQL2 filter and the annotations it needs."""
    tree = _parse(text, lang)
    unsupported = _unsupported(tree)
    if unsupported:
        raise ValidationError({"filter": [f"{unsupported} is not supported; see /conformance for the CQL2 classes."]})
    known = queryables(collection)
    used = set(_attributes(tree))
    unknown = sorted(used - known.keys())
    if unknown:
        raise ValidationError({"filter": [f"Not queryable: {', '.join(unknown)}; see the collection's queryables."]})
    problem = _type_problem(tree, known)
    if problem:
        raise ValidationError({"filter": [problem]})
    mapping = {name: known[name].lookup for name in used}
    try:
        q = _Evaluator(mapping, srid, flip).evaluate(tree)
    except (ValueError, TypeError, KeyError, AssertionError, NotImplementedError, GEOSException,
            RecursionError) as exc:
        raise ValidationError({"filter": [f"Unsupported filter: {exc}"]}) from None
    if not isinstance(q, Q):
        raise ValidationError({"filter": ["The filter must be a condition."]})
    return q, {known[n].lookup: known[n].expression for n in used if known[n].expression is not None}


def _instant(text: str, *, field: str, end: bool) -> datetime | None:
    if text in ("", ".."):
        return None
    moment = parse_datetime(text) if "T" in text.upper() else None
    if moment is None and "T" not in text.upper():
        day = parse_date(text)
        if day is not None:
            moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    if moment is None:
        raise ValidationError({field: [f"{text!r} is not an RFC 3339 date or date-time."]})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def datetime_q(value: str, lookup: str) -> Q:
    """Part 1 `datetime`: an instant (a date means that whole day) or an interval a/b, open with '..'."""
    field = "datetime"
    if "/" in value:
        start_text, _, end_text = value.partition("/")
        start = _instant(start_text, field=field, end=False)
        end = _instant(end_text, field=field, end=True)
        if start is None and end is None:
            raise ValidationError({field: ["An interval needs at least one end."]})
        if start and end and start > end:
            raise ValidationError({field: ["The interval ends before it starts."]})
        q = Q()
        if start:
            q &= Q(**{f"{lookup}__gte": start})
        if end:
            q &= Q(**{f"{lookup}__lt" if "T" not in end_text.upper() else f"{lookup}__lte": end})
        return q
    if "T" not in value.upper() and parse_date(value) is not None:
        return Q(**{f"{lookup}__gte": _instant(value, field=field, end=False),
                    f"{lookup}__lt": _instant(value, field=field, end=True)})
    return Q(**{lookup: _instant(value, field=field, end=False)})


def temporal_lookup(collection) -> str:
    """The temporal property `datetime` tests: when a parcel was last updated; for a layer's
    features, when their version was published."""
    return "updated_at" if collection.version_id is None else "version__created_at"


def property_names(collection) -> list[str]:
    """Queryables a client may also test for equality as query parameters (Part 1, `name=value`)."""
    return [name for name in queryables(collection) if name != GEOMETRY]


def _property_q(collection, properties: dict[str, str]) -> tuple[Q, dict[str, Any]]:
    known, q, annotations = queryables(collection), Q(), {}
    for name, raw in properties.items():
        queryable = known[name]
        kind = str(queryable.schema.get("type", "string"))
        try:
            value: Any = {"integer": int, "number": float}.get(kind, str)(raw)
        except ValueError:
            raise ValidationError({name: [f"{name} must be a {kind}."]}) from None
        if kind == "boolean":
            value = raw.lower() == "true"
        q &= Q(**{queryable.lookup: value})
        if queryable.expression is not None:
            annotations[queryable.lookup] = queryable.expression
    return q, annotations


def filtered_ids(collection, *, text: str | None, lang: str, srid: int, flip: bool,
                 when: str | None, properties: dict[str, str]) -> tuple[str, list] | None:
    """SQL (and bound parameters) selecting the ids that pass the filter, datetime and property
    parameters, or None when there is none."""
    if not text and not when and not properties:
        return None
    queryset = _base_queryset(collection)
    if properties:
        q, annotations = _property_q(collection, properties)
        queryset = queryset.annotate(**annotations).filter(q)
    if when:
        queryset = queryset.filter(datetime_q(when, temporal_lookup(collection)))
    if text:
        q, annotations = _cql2_q(collection, text=text, lang=lang, srid=srid, flip=flip)
        try:  # values of the wrong type for a property ('abc' for a number) fail here, not in PostgreSQL
            queryset = queryset.annotate(**annotations).filter(q)
            sql, params = queryset.values("id").query.sql_with_params()
        except (ValueError, TypeError, ValidationError, GEOSException, RecursionError) as exc:
            raise ValidationError({"filter": [f"A value does not fit its property: {exc}"]}) from None
        return sql, list(params)
    sql, params = queryset.values("id").query.sql_with_params()
    return sql, list(params)

