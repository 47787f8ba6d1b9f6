"""Layers API: the list of layers and a layer's current features as GeoJSON (built in SQL)."""
from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from gis_portal.api.crs import check_bbox_in_romania, parse_srid
from layers import geojson, selectors
from layers.serializers import FeaturesQuery, LayerOutput


class LayerListApi(generics.ListAPIView):
    """Every layer the caller may see, with its current version, coverage bbox and versions."""

    serializer_class = LayerOutput
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.layers_visible(user=self.request.user)


class LayerFeaturesApi(APIView):
    """GeoJSON FeatureCollection of the current version of a layer, optionally inside a bbox."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[FeaturesQuery], responses={
        200: OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection"),
        400: OpenApiResponse(description="Bad bbox, crs, limit or offset"),
        404: OpenApiResponse(description="Unknown or non-public layer"),
    })
    def get(self, request, slug: str):
        layer = selectors.layer_get_visible(user=request.user, slug=slug)
        query = FeaturesQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        srid = parse_srid(query.validated_data.get("crs"), field="crs")
        bbox = geojson.parse_bbox(query.validated_data.get("bbox"), srid=srid)
        if bbox is not None:
            check_bbox_in_romania(bbox, srid)  # swapped axes or the wrong CRS: a 400, not an empty page
        limit, offset = query.validated_data["limit"], query.validated_data["offset"]
        version = selectors.layer_current_version(layer=layer)
        features, matched = ([], 0) if version is None else geojson.feature_collection(
            source=geojson.layer_source(version.pk), srid=srid, bbox=bbox, bbox_srid=srid, limit=limit, offset=offset)
        members = {"layer": layer.slug, "version": version.number if version else None,
                   "numberMatched": matched, "numberReturned": len(features)}
        if offset + len(features) < (matched or 0):
            params = request.query_params.copy()
            params["offset"] = str(offset + limit)
            members["next"] = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        body = geojson.collection_text(features, **members)
        response = HttpResponse(body, content_type="application/geo+json")
        response["Content-Crs"] = f"<http://www.opengis.net/def/crs/EPSG/0/{srid}>"
        return response
