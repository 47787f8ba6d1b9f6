"""OGC API – Features endpoints as small Django views (JSON / GeoJSON only).

Part 1 core + GeoJSON + OpenAPI 3.0 and Part 2 (CRS by reference): `crs` selects the output
CRS, `bbox-crs` the CRS of `bbox`, the `Content-Crs` header names the output CRS. Coordinates
follow the axis order of the CRS definition (latitude first for EPSG:4326, northing first for
EPSG:3844), as Part 2 requires; CRS84 stays longitude first. Part 3: `queryables` per collection
and CQL2 text/JSON `filter` (layers.ogc.filters). Every route answers GET and HEAD; a query
parameter the API definition does not declare is a 400 (/req/core/query-param-unknown).
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from gis_portal.api.crs import parse_srid
from layers import geojson
from layers.ogc import collections as colls
from layers.ogc import filters
from layers.ogc.openapi import openapi_document

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
]
# GDAL's OAPIF driver asks for no `limit`: the default page decides how many requests it makes.
DEFAULT_LIMIT, MAX_LIMIT = 1000, 10_000
FORMAT = ("f",)  # ?f=json, which some clients add
ITEMS_PARAMS = (*FORMAT, "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "filter", "filter-lang",
                "filter-crs")
ITEM_PARAMS = (*FORMAT, "crs")
# "cql-text" is the draft name GDAL 3.6's OAPIF driver looks for; its expressions are CQL2 text.
FILTER_LANGS = ("cql2-text", "cql2-json", "cql-text")
JSON, GEOJSON = "application/json", "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"


def _base(request) -> str:
    return request.build_absolute_uri("/ogc").rstrip("/")


def _json(doc: dict, content_type: str = JSON, status: int = 200) -> JsonResponse:
    return JsonResponse(doc, status=status, content_type=content_type, json_dumps_params={"ensure_ascii": False})


def _error(status: int, code: str, description: str) -> JsonResponse:
    return _json({"code": code, "description": description, "detail": description}, status=status)


def ogc_route(*allowed: str):
    """GET and HEAD (RFC 9110: HEAD wherever GET is), and a 400 for a query parameter outside `allowed`."""
    allowed_set = set(allowed or FORMAT)

    def wrap(view):
        @require_safe
        @wraps(view)
        def inner(request, *args, **kwargs):
            unknown = sorted(set(request.GET) - allowed_set)
            if unknown:
                return _error(400, "InvalidParameterValue",
                              f"Unknown query parameter(s): {', '.join(unknown)}; allowed: {', '.join(sorted(allowed_set))}.")
            if request.GET.get("f", "json") not in ("json", "geojson"):
                return _error(400, "InvalidParameterValue", "f: only json is offered.")
            return view(request, *args, **kwargs)
        return inner
    return wrap


def _crs_srid(value: str | None, *, field: str) -> tuple[int, bool, str]:
    """(EPSG code, flip axes?, CRS URI) for a `crs`/`bbox-crs` parameter; CRS84 when absent."""
    if value in (None, "", colls.CRS84):
        return 4326, False, colls.CRS84
    srid = parse_srid(value, field=field)
    uri = colls.EPSG.format(srid)
    if uri not in colls.SUPPORTED_CRS:
        raise ValidationError({field: [f"CRS {value} is not offered; use one of {', '.join(colls.SUPPORTED_CRS)}."]})
    return srid, srid in geojson.NORTH_FIRST, uri


@ogc_route()
def landing(request):
    base = _base(request)
    return _json({
        "title": "GIS Portal — OGC API Features",
        "description": "Cadastral parcels and the urbanism layers (zoning, constraints, reference) of the portal.",
        "links": [
            {"href": f"{base}/", "rel": "self", "type": JSON, "title": "This document"},
            {"href": f"{base}/api", "rel": "service-desc", "type": OPENAPI, "title": "The API definition"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": JSON, "title": "Conformance classes"},
            {"href": f"{base}/collections", "rel": "data", "type": JSON, "title": "The feature collections"},
        ],
    })


@ogc_route()
def conformance(request):
    return _json({"conformsTo": CONFORMANCE})


@ogc_route()
def api(request):
    return _json(openapi_document(_base(request)), content_type=OPENAPI)


def _collection_doc(base: str, collection: colls.Collection) -> dict:
    bbox = colls.extent_lonlat(collection)
    return {
        "id": collection.id, "title": collection.title, "description": collection.description,
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [bbox or [20.0, 43.4, 30.2, 48.4]], "crs": colls.CRS84}},
        "crs": colls.SUPPORTED_CRS, "storageCrs": colls.STORAGE_CRS,
        "links": [
            {"href": f"{base}/collections/{collection.id}", "rel": "self", "type": JSON, "title": collection.title},
            {"href": f"{base}/collections/{collection.id}/items", "rel": "items", "type": GEOJSON,
             "title": f"{collection.title} (GeoJSON)"},
            {"href": f"{base}/collections/{collection.id}/queryables", "type": SCHEMA,
             "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "title": "Queryable properties"},
        ],
    }


@ogc_route()
def collections(request):
    base = _base(request)
    return _json({
        "links": [{"href": f"{base}/collections", "rel": "self", "type": JSON, "title": "The collections"}],
        "crs": colls.SUPPORTED_CRS,
        "collections": [_collection_doc(base, c) for c in colls.collections_all()],
    })


@ogc_route()
def collection(request, collection_id: str):
    found = colls.collection_get(collection_id)
    if found is None:
        return _error(404, "NotFound", f"No collection {collection_id!r}.")
    return _json(_collection_doc(_base(request), found))


def _int_param(request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [f"{name} must be an integer."]}) from None
    if not lo <= value <= hi:
        raise ValidationError({name: [f"{name} must be between {lo} and {hi}."]})
    return value


def _geojson_response(body: str, crs_uri: str) -> HttpResponse:
    response = HttpResponse(body, content_type=GEOJSON)
    response["Content-Crs"] = f"<{crs_uri}>"
    return response


def _filter_ids(request, found: colls.Collection) -> tuple[str, list] | None:
    """The ids passing `filter` (Part 3) and `datetime` (Part 1), as an SQL subquery, or None."""
    lang = request.GET.get("filter-lang") or "cql2-text"
    if lang not in FILTER_LANGS:
        raise ValidationError({"filter-lang": [f"Use one of {', '.join(FILTER_LANGS)}."]})
    filter_srid, filter_flip, _ = _crs_srid(request.GET.get("filter-crs"), field="filter-crs")
    names = filters.property_names(found)
    return filters.filtered_ids(found, text=request.GET.get("filter"), lang=lang, srid=filter_srid,
                                flip=filter_flip, when=request.GET.get("datetime"),
                                properties={n: request.GET[n] for n in names if n in request.GET})


@require_safe
def items(request, collection_id: str):
    found = colls.collection_get(collection_id)
    if found is None:
        return _error(404, "NotFound", f"No collection {collection_id!r}.")
    return ogc_route(*ITEMS_PARAMS, *filters.property_names(found))(_items)(request, found)


def _items(request, found: colls.Collection):
    try:
        limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _int_param(request, "offset", 0, 0, 10**9)
        srid, flip, crs_uri = _crs_srid(request.GET.get("crs"), field="crs")
        bbox_srid, bbox_flip, _ = _crs_srid(request.GET.get("bbox-crs"), field="bbox-crs")
        bbox = geojson.parse_bbox(request.GET.get("bbox"), srid=bbox_srid)
        if bbox is not None and bbox_flip:  # the client sent it in the CRS's own axis order
            bbox = (bbox[1], bbox[0], bbox[3], bbox[2])
        ids = _filter_ids(request, found)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        return _error(400, "InvalidParameterValue", f"{field}: {messages[0]}")
    features, matched = geojson.feature_collection(source=found.source, srid=srid, bbox=bbox, bbox_srid=bbox_srid,
                                                   limit=limit, offset=offset, flip=flip, ids=ids)
    base = f"{_base(request)}/collections/{found.id}/items"
    params = {k: v for k, v in request.GET.items()}
    links = [{"href": f"{base}?{urlencode(params)}" if params else base, "rel": "self", "type": GEOJSON,
              "title": "This page"}]
    if offset + len(features) < (matched or 0):
        # The next page is at least a default page: clients that start small (GDAL 3.6 asks 10) and
        # follow `next` read a large collection in few requests; every answer keeps to its own limit.
        links.append({"href": f"{base}?{urlencode({**params, 'offset': offset + limit, 'limit': max(limit, DEFAULT_LIMIT)})}",
                      "rel": "next", "type": GEOJSON, "title": "Next page"})
    if offset > 0:
        links.append({"href": f"{base}?{urlencode({**params, 'offset': max(offset - limit, 0), 'limit': limit})}",
                      "rel": "prev", "type": GEOJSON, "title": "Previous page"})
    body = geojson.collection_text(features, numberMatched=matched, numberReturned=len(features),
                                   timeStamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), links=links)
    return _geojson_response(body, crs_uri)


@ogc_route()
def queryables(request, collection_id: str):
    found = colls.collection_get(collection_id)
    if found is None:
        return _error(404, "NotFound", f"No collection {collection_id!r}.")
    url = f"{_base(request)}/collections/{found.id}/queryables"
    return _json(filters.queryables_document(found, url), content_type=SCHEMA)


@ogc_route(*ITEM_PARAMS)
def item(request, collection_id: str, fid: str):
    found = colls.collection_get(collection_id)
    if found is None:
        return _error(404, "NotFound", f"No collection {collection_id!r}.")
    if not fid.isdigit() or int(fid) > 2**62:
        return _error(404, "NotFound", f"No feature {fid!r} in {collection_id}.")
    try:
        srid, flip, crs_uri = _crs_srid(request.GET.get("crs"), field="crs")
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        return _error(400, "InvalidParameterValue", f"{field}: {messages[0]}")
    features, _ = geojson.feature_collection(source=found.source, srid=srid, limit=1, flip=flip, fid=int(fid))
    if not features:
        return _error(404, "NotFound", f"No feature {fid!r} in {collection_id}.")
    doc = json.loads(features[0])
    base = f"{_base(request)}/collections/{found.id}"
    doc["links"] = [{"href": f"{base}/items/{fid}", "rel": "self", "type": GEOJSON, "title": "This feature"},
                    {"href": base, "rel": "collection", "type": JSON, "title": found.title}]
    return _geojson_response(json.dumps(doc, ensure_ascii=False), crs_uri)
