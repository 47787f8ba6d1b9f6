"""Analyses (run and read back) and the public list of rules."""
from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.api.crs import parse_srid
from gis_portal.ratelimit import SharedScopedRateThrottle
from rules.selectors import analyses_visible_to, analysis_stored, hit_marks_geojson, rule_list
from rules.serializers import (
    AnalysisInputSerializer,
    AnalysisOutputSerializer,
    RuleOutputSerializer,
    analysis_json,
    analysis_stored_now,
)
from rules.services import analysis_create

CRS_PARAM = OpenApiParameter("crs", OpenApiTypes.STR, description="CRS of the returned geometry: 4326 (default) or 3844")


def _document(request, body: str, status_code: int = status.HTTP_200_OK):
    """An analysis document as it is: the 6 kB result is not decoded and re-encoded for JSON."""
    if request.accepted_renderer.format != "json":  # the browsable API renders it as it likes
        return Response(json.loads(body), status=status_code)
    return HttpResponse(body, status=status_code, content_type="application/json")


class AnalysisCreateApi(APIView):
    """Anyone may run an analysis (the public "what does the zoning allow" lookup)."""

    permission_classes = [AllowAny]
    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "analysis"

    @extend_schema(tags=["analyses"], summary="Analyse parcels or a drawn geometry against layers and rules",
                   request=AnalysisInputSerializer, responses={201: AnalysisOutputSerializer}, parameters=[CRS_PARAM])
    def post(self, request):
        serializer = AnalysisInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        analysis = analysis_create(parcels=data.get("parcels"), geometry=data.get("geometry"),
                                   works=dict(data["works"]) if "works" in data else None,
                                   crs=data.get("crs"), by=request.user)
        srid = parse_srid(request.query_params.get("crs"), default=4326)
        return _document(request, analysis_json(analysis_stored_now(analysis), srid=srid), status.HTTP_201_CREATED)


class AnalysisDetailApi(APIView):
    """Its creator, staff of the issuer concerned and admins read an analysis; anonymous ones by id."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["analyses"], summary="Read a stored analysis", responses=AnalysisOutputSerializer,
                   parameters=[CRS_PARAM])
    def get(self, request, analysis_id):
        srid = parse_srid(request.query_params.get("crs"), default=4326)
        return _document(request, analysis_json(analysis_stored(user=request.user, analysis_id=analysis_id), srid=srid))


class RuleListApi(APIView):
    """The rules catalogue is public: the legal bases of every requirement must be transparent."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["rules"], summary="List the spatial rules (R1…R37) with confidence tags",
                   responses=RuleOutputSerializer(many=True))
    def get(self, request):
        return Response(RuleOutputSerializer(rule_list(), many=True).data)


class AnalysisHitMarksApi(APIView):
    """Where the map writes each hit constraint's distance: for every feature of a public layer the
    analysis hit, the shortest line from the feature to the analysed geometry (GeoJSON, EPSG:4326).
    Readable by whoever may read the analysis (rules.selectors.analyses_visible_to)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["analyses"],
                   summary="Anchor points of an analysis's hit features, for the map's distance labels")
    def get(self, request, analysis_id):
        if not analyses_visible_to(request.user).filter(pk=analysis_id).exists():
            raise Http404("No such analysis.")
        collection = hit_marks_geojson(analysis_id)
        for feature in collection["features"]:
            feature["id"] = feature["properties"]["feature_id"]
        return Response(collection)
