"""The OpenAPI 3.0 document of the OGC API (served at /ogc/api; GDAL reads the limit bounds here)."""
from __future__ import annotations

from layers.ogc import collections as colls


def _param(name: str, description: str, schema: dict, *, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema,
            "style": "form", "explode": False} if where == "query" else \
        {"name": name, "in": where, "required": True, "description": description, "schema": schema}


def openapi_document(base: str) -> dict:
    from layers.ogc.views import DEFAULT_LIMIT, MAX_LIMIT

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
            "/collections/{collectionId}/items": {"get": {
                "summary": "Features of a collection", "operationId": "getFeatures",
                "parameters": [{"$ref": f"#/components/parameters/{p}"}
                               for p in ("collectionId", "limit", "offset", "bbox", "bbox-crs", "crs")],
                "responses": {"200": geojson_ok, "400": error, "404": error}}},
            "/collections/{collectionId}/items/{featureId}": {"get": {
                "summary": "One feature", "operationId": "getFeature",
                "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in ("collectionId", "featureId", "crs")],
                "responses": {"200": geojson_ok, "404": error}}},
        },
    }
