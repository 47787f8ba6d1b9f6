"""The OpenAPI 3.0 document of the OGC API (served at /ogc/api; GDAL reads the limit bounds here)."""
from __future__ import annotations

from layers.ogc import collections as colls
from layers.ogc import filters


def _param(name: str, description: str, schema: dict, *, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema,
            "style": "form", "explode": False} if where == "query" else \
        {"name": name, "in": where, "required": True, "description": description, "schema": schema}


ITEMS_PARAMS = ("collectionId", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "filter", "filter-lang",
                "filter-crs", "f")


def _collection_items_path(collection: colls.Collection, geojson_ok: dict, error: dict) -> dict:
    """/collections/{id}/items of one collection: the standard parameters and its queryables as
    `name=value` parameters (GDAL's OAPIF driver sends filters only on the properties listed here)."""
    known = filters.queryables(collection)
    properties = [{"name": name, "in": "query", "required": False, "style": "form", "explode": False,
                   "description": f"Features whose {name} equals this value",
                   "schema": {k: v for k, v in known[name].schema.items() if k in ("type", "enum")}}
                  for name in filters.property_names(collection)]
    return {"get": {
        "summary": f"Features of {collection.title}", "operationId": f"getFeatures-{collection.id}",
        "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in ITEMS_PARAMS[1:]] + properties,
        "responses": {"200": geojson_ok, "400": error, "404": error}}}


def openapi_document(base: str) -> dict:
    from layers.ogc.views import DEFAULT_LIMIT, FILTER_LANGS, MAX_LIMIT

    json_ok = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    geojson_ok = {"description": "OK", "content": {"application/geo+json": {"schema": {"type": "object"}}},
                  "headers": {"Content-Crs": {"schema": {"type": "string"}, "description": "CRS of the coordinates"}}}
    error = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}}
    crs = {"type": "string", "format": "uri", "enum": colls.SUPPORTED_CRS, "default": colls.CRS84}
    return {
        "openapi": "3.0.3",
        "info": {"title": "GIS Portal — OGC API Features", "version": "1.0.0",
                 "description": "Parcels and urbanism layers; GeoJSON in CRS84 by default, EPSG:3844 on request."},
        "servers": [{"url": base}],
        "components": {
            "parameters": {
                "collectionId": _param("collectionId", "Collection id", {"type": "string"}, where="path"),
                "featureId": _param("featureId", "Feature id", {"type": "string"}, where="path"),
                "limit": _param("limit", "Page size", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                       "default": DEFAULT_LIMIT}),
                "offset": _param("offset", "Items to skip", {"type": "integer", "minimum": 0, "default": 0}),
                "bbox": _param("bbox", "minx,miny,maxx,maxy in bbox-crs", {"type": "array", "minItems": 4, "maxItems": 4,
                                                                          "items": {"type": "number"}}),
                "bbox-crs": _param("bbox-crs", "CRS of bbox", crs),
                "crs": _param("crs", "CRS of the output coordinates", crs),
                "datetime": _param("datetime", "RFC 3339 instant or interval (a/b, '..' open); parcels: last update, "
                                   "layer features: publication of their version", {"type": "string"}),
                "filter": _param("filter", "CQL2 filter on the collection's queryables", {"type": "string"}),
                "filter-lang": _param("filter-lang", "Language of filter",
                                      {"type": "string", "enum": list(FILTER_LANGS), "default": "cql2-text"}),
                "filter-crs": _param("filter-crs", "CRS of the geometries in filter", crs),
                "f": _param("f", "Format", {"type": "string", "enum": ["json", "geojson"], "default": "json"}),
            },
            "schemas": {"exception": {"type": "object", "required": ["code"],
                                      "properties": {"code": {"type": "string"}, "description": {"type": "string"}}}},
        },
        "paths": {
            "/": {"get": {"summary": "Landing page", "operationId": "getLandingPage", "responses": {"200": json_ok}}},
            "/conformance": {"get": {"summary": "Conformance classes", "operationId": "getConformance",
                                     "responses": {"200": json_ok}}},
            "/api": {"get": {"summary": "This document", "operationId": "getApi", "responses": {"200": json_ok}}},
            "/collections": {"get": {"summary": "Collections", "operationId": "getCollections",
                                     "responses": {"200": json_ok}}},
            "/collections/{collectionId}": {"get": {
                "summary": "A collection", "operationId": "describeCollection",
                "parameters": [{"$ref": "#/components/parameters/collectionId"}],
                "responses": {"200": json_ok, "404": error}}},
            "/collections/{collectionId}/queryables": {"get": {
                "summary": "Queryable properties (JSON Schema)", "operationId": "getQueryables",
                "parameters": [{"$ref": "#/components/parameters/collectionId"}],
                "responses": {"200": {"description": "OK", "content": {"application/schema+json": {
                    "schema": {"type": "object"}}}}, "404": error}}},
            "/collections/{collectionId}/items": {"get": {
                "summary": "Features of a collection", "operationId": "getFeatures",
                "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in ITEMS_PARAMS],
                "responses": {"200": geojson_ok, "400": error, "404": error}}},
            "/collections/{collectionId}/items/{featureId}": {"get": {
                "summary": "One feature", "operationId": "getFeature",
                "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in ("collectionId", "featureId", "crs", "f")],
                "responses": {"200": geojson_ok, "404": error}}},
            **{f"/collections/{c.id}/items": _collection_items_path(c, geojson_ok, error)
               for c in colls.collections_all()},
        },
    }
