"""Read API for parcels and UATs: GeoJSON built in PostGIS, public (anonymous) reads."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from parcels import selectors
from parcels.api import schema as s
from parcels.api.params import parse_bbox, parse_crs, parse_int, parse_page, parse_point

OGC_CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def _crs_uri(srid: int) -> str:
    return OGC_CRS84 if srid == 4326 else f"http://www.opengis.net/def/crs/EPSG/0/{srid}"


def _crs_member(srid: int) -> str:
    if srid == 4326:
        return ""
    return f',"crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::{srid}"}}}}'


def geojson_response(body: str, srid: int) -> HttpResponse:
    response = HttpResponse(body, content_type=s.GEOJSON)
    response["Content-Crs"] = f"<{_crs_uri(srid)}>"
    return response


def _collection_response(request, page: selectors.Page, srid: int, limit: int | None = None,
                         offset: int = 0) -> HttpResponse:
    links = []
    if limit is not None:
        base = request.build_absolute_uri(request.path)
        params = request.query_params.dict()
        if page.has_more:
            links.append({"rel": "next", "href": f"{base}?{urlencode({**params, 'offset': offset + limit})}"})
        if offset:
            links.append({"rel": "prev", "href": f"{base}?{urlencode({**params, 'offset': max(0, offset - limit)})}"})

    body = (f'{{"type":"FeatureCollection","features":{page.body},"numberReturned":{page.returned}'
            f'{_crs_member(srid)},"links":{json.dumps(links)}}}')
    return geojson_response(body, srid)


def _feature_response(feature: dict | None, srid: int) -> HttpResponse:
    """One Feature, or 404 when the selector found none; the same crs member as a collection outside EPSG:4326."""
    if feature is None:
        raise Http404
    if srid != 4326:
        feature["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{srid}"}}
    return geojson_response(json.dumps(feature, ensure_ascii=False), srid)


class PublicGeoView(APIView):
    """Parcels and UATs are public data: anyone may read, nobody writes through these views.

    Nothing here depends on who asks, so no authentication runs (no token or session lookup) and
    no throttle state is read: these are the hottest read endpoints (the map's click lookup).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []


class ParcelListView(PublicGeoView):
    @extend_schema(
        operation_id="parcels_list", tags=["parcels"],
        summary="Parcels as a GeoJSON FeatureCollection, filtered by bbox, UAT or cadastral number",
        parameters=[s.BBOX, s.BBOX_CRS, s.UAT, s.CADASTRAL, s.CRS, s.LIMIT, s.OFFSET],
        responses={(200, s.GEOJSON): s.FEATURE_COLLECTION, 400: OpenApiResponse(s.ERROR, description="Bad parameter")})
    def get(self, request):
        params = request.query_params
        srid = parse_crs(params)
        bbox_srid = parse_crs(params, "bbox-crs")
        limit, offset = parse_page(params)
        page = selectors.parcel_page(bbox=parse_bbox(params.get("bbox"), srid=bbox_srid), bbox_srid=bbox_srid,
                                     uat=parse_int(params, "uat"), cadastral_number=params.get("cadastral_number"),
                                     srid=srid, limit=limit, offset=offset)
        return _collection_response(request, page, srid, limit, offset)


class ParcelAtView(PublicGeoView):
    @extend_schema(
        operation_id="parcels_at", tags=["parcels"], summary="The parcels that contain a point",
        parameters=[s.LON, s.LAT, s.X, s.Y, s.CRS],
        responses={(200, s.GEOJSON): s.FEATURE_COLLECTION, 400: OpenApiResponse(s.ERROR, description="Bad point")})
    def get(self, request):
        x, y, point_srid = parse_point(request.query_params)
        page = selectors.parcels_at(x=x, y=y, point_srid=point_srid, srid=point_srid)
        return _collection_response(request, page, point_srid)


class ParcelDetailView(PublicGeoView):
    @extend_schema(
        operation_id="parcels_retrieve", tags=["parcels"],
        summary="One parcel: UAT, intravilan (derived from the current intravilan limit), areas, buildings",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH), s.CRS],
        responses={(200, s.GEOJSON): s.FEATURE, 400: OpenApiResponse(s.ERROR), 404: OpenApiResponse(description="Not found")})
    def get(self, request, pk: int):
        srid = parse_crs(request.query_params)
        return _feature_response(selectors.parcel_detail(parcel_id=pk, srid=srid), srid)


class UATListView(PublicGeoView):
    @extend_schema(
        operation_id="uats_list", tags=["uats"], summary="UATs with simplified boundaries (50 m tolerance)",
        parameters=[s.CRS, s.LIMIT, s.OFFSET],
        responses={(200, s.GEOJSON): s.FEATURE_COLLECTION, 400: OpenApiResponse(s.ERROR)})
    def get(self, request):
        srid = parse_crs(request.query_params)
        limit, offset = parse_page(request.query_params)
        return _collection_response(request, selectors.uat_page(srid=srid, limit=limit, offset=offset), srid,
                                    limit, offset)


class UATDetailView(PublicGeoView):
    @extend_schema(
        operation_id="uats_retrieve", tags=["uats"], summary="One UAT by SIRUTA code, with its exact boundary and issuer",
        parameters=[OpenApiParameter("siruta", int, OpenApiParameter.PATH), s.CRS],
        responses={(200, s.GEOJSON): s.FEATURE, 400: OpenApiResponse(s.ERROR), 404: OpenApiResponse(description="Not found")})
    def get(self, request, siruta: int):
        srid = parse_crs(request.query_params)
        return _feature_response(selectors.uat_detail(siruta=siruta, srid=srid), srid)
