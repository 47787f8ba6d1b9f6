"""The two parcel tools of the map and the request wizard: search by cadastral number or address,
and clipping a drawn works footprint to the chosen parcels (GEOS in Stereo 70, so the footprint sent
to the permits API never leaves the parcels and the area shown is the one the server computes)."""
from __future__ import annotations

from django.contrib.gis.db.models import Union
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.api.geojson import features_geojson, geometry_dict
from gis_portal.api.geometry import geometry_from_geojson
from parcels.models import Parcel
from parcels.search import parcel_search_sql

MAX_PARCELS = 20


class SearchInput(serializers.Serializer):
    q = serializers.CharField(min_length=1, max_length=120, trim_whitespace=True,
                              help_text="A cadastral number (exact) or part of an address.")


class ParcelSearchView(APIView):
    """The map's search box: a cadastral number first (indexed, exact), else part of an address.

    Returns at most 20 parcels as a small GeoJSON FeatureCollection in EPSG:4326; the address match
    uses the trigram index on parcels' addresses (parcels.search.parcel_search_sql).
    """

    permission_classes = [AllowAny]

    @extend_schema(operation_id="parcels_search", parameters=[SearchInput], responses={200: OpenApiTypes.OBJECT},
                   tags=["parcels"], summary="Find parcels by cadastral number or address")
    def get(self, request):
        data = SearchInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        collection = features_geojson(*parcel_search_sql(data.validated_data["q"]))
        for feature in collection["features"]:
            feature["id"] = feature["properties"]["id"]
        return Response(collection)


class ClipInput(serializers.Serializer):
    footprint = serializers.JSONField(help_text="GeoJSON Polygon or MultiPolygon in EPSG:4326.")
    parcels = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1,
                                    max_length=MAX_PARCELS)


class ClipOutput(serializers.Serializer):
    footprint = serializers.JSONField(help_text="The footprint inside the parcels, GeoJSON in EPSG:4326.")
    area_m2 = serializers.FloatField()
    clipped = serializers.BooleanField(help_text="True when part of the drawing lay outside the parcels.")


class FootprintClipView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # pure computation on public parcels: no session, no CSRF

    @extend_schema(operation_id="parcels_footprint_clip", request=ClipInput, responses={200: ClipOutput},
                   tags=["parcels"], summary="Clip a drawn works footprint to the union of its parcels")
    def post(self, request):
        data = ClipInput(data=request.data)
        data.is_valid(raise_exception=True)
        drawn = geometry_from_geojson(data.validated_data["footprint"], field="footprint")
        ids = data.validated_data["parcels"]
        found = Parcel.objects.filter(pk__in=ids)
        if found.count() != len(set(ids)):
            raise ValidationError({"parcels": ["Unknown parcel id."]})
        parcels = found.aggregate(u=Union("geom"))["u"]
        inside = drawn.intersection(parcels)
        if inside.empty or inside.area < 0.01:
            raise ValidationError({"footprint": ["The footprint does not overlap the chosen parcels."]})
        clipped = abs(inside.area - drawn.area) > 0.01
        return Response({"footprint": geometry_dict(inside, 4326), "area_m2": round(inside.area, 2), "clipped": clipped})
