from __future__ import annotations

import json

from django.contrib.gis.geos import GEOSGeometry
from rest_framework import serializers

from gis_portal.api.geojson import geometry_dict
from parcels.models import Parcel
from rules.choices import CONNECTIONS, ROAD_CLASSES, WORKS_OPERATIONS
from rules.models import Analysis, Rule


def _geojson_in_srid(geom: GEOSGeometry, srid: int) -> str:
    """A stored geometry (EPSG:3844) as GeoJSON text in the response's CRS (right-hand rule, 7 decimals)."""
    return json.dumps(geometry_dict(geom, srid))


class WorksInputSerializer(serializers.Serializer):
    footprint = serializers.JSONField(required=False, help_text="GeoJSON Polygon/MultiPolygon, same CRS as the request")
    levels = serializers.IntegerField(required=False, min_value=0, max_value=200)
    height_m = serializers.FloatField(required=False, min_value=0, max_value=1000)
    gross_floor_area_m2 = serializers.FloatField(required=False, min_value=0, max_value=10_000_000)
    kind = serializers.CharField(required=False, max_length=60, help_text="e.g. house, fuel_station, wind_turbine")
    function = serializers.CharField(required=False, max_length=60)
    purpose = serializers.CharField(required=False, max_length=60, help_text="CU purpose; informare lists no avize")
    operation = serializers.ChoiceField(choices=WORKS_OPERATIONS, required=False)
    built_area_m2 = serializers.FloatField(required=False, min_value=0, max_value=10_000_000)
    occupants = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)
    connections = serializers.ListField(child=serializers.ChoiceField(choices=CONNECTIONS), required=False,
                                        max_length=len(CONNECTIONS))
    road_access = serializers.ChoiceField(choices=ROAD_CLASSES, required=False)
    window_facades = serializers.ListField(child=serializers.JSONField(), required=False, max_length=100,
                                           help_text="GeoJSON LineStrings of façades with view windows (R32)")


class AnalysisInputSerializer(serializers.Serializer):
    parcels = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, allow_empty=False,
                                    max_length=200)
    geometry = serializers.JSONField(required=False, help_text="GeoJSON Polygon or MultiPolygon")
    crs = serializers.CharField(required=False, help_text="EPSG code of the geometry: 4326 (default) or 3844")
    works = WorksInputSerializer(required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("crs"), int):
            data = {**data, "crs": str(data["crs"])}
        return super().to_internal_value(data)


class AnalysisOutputSerializer(serializers.ModelSerializer):
    geometry = serializers.SerializerMethodField()
    parcels: serializers.PrimaryKeyRelatedField[Parcel] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    # The stored result's keys are merged at the top level (contract in docs/architecture.md).
    uats = serializers.JSONField(read_only=True)
    issuer = serializers.JSONField(read_only=True)
    locality_class = serializers.CharField(read_only=True)
    zoning = serializers.JSONField(read_only=True)
    rule_hits = serializers.JSONField(read_only=True)
    required_avize = serializers.JSONField(read_only=True)
    works_rule_hits = serializers.JSONField(read_only=True, help_text="Rules on the declared works that fired")
    ac_requirements = serializers.JSONField(read_only=True, help_text="F.6: what the AC request must be "
                                            "accompanied by, one item per line, with its F.6 group")
    compliance = serializers.JSONField(read_only=True, allow_null=True)
    rasters = serializers.JSONField(read_only=True)
    no_data = serializers.JSONField(read_only=True)
    versions = serializers.JSONField(read_only=True)

    class Meta:
        model = Analysis
        fields = ["id", "created_at", "parcels", "works", "geometry", "uats", "issuer", "locality_class", "zoning",
                  "rule_hits", "works_rule_hits", "required_avize", "ac_requirements", "compliance", "rasters", "no_data",
                  "versions"]

    def get_geometry(self, obj: Analysis) -> dict:
        return json.loads(_geojson_in_srid(obj.geometry, self.context.get("srid", 4326)))

    def to_representation(self, instance):
        data = {"id": str(instance.pk), "created_at": serializers.DateTimeField().to_representation(instance.created_at),
                "parcels": getattr(instance, "parcel_ids", None) or list(instance.parcels.values_list("pk", flat=True)),
                "works": instance.works,
                "geometry": self.get_geometry(instance)}
        return {**data, **instance.result}


def analysis_json(stored: dict, *, srid: int) -> str:
    """The document AnalysisOutputSerializer gives, as JSON text, from rules.selectors.analysis_stored
    (or analysis_stored_now for the analysis just created): the works and result JSON texts are
    spliced in as they are, never decoded and re-encoded. The result's keys never clash with the
    head's (see analysis_compute)."""
    geom = _geojson_in_srid(stored["geometry"], srid)
    head = json.dumps({"id": str(stored["id"]), "created_at": serializers.DateTimeField().to_representation(
        stored["created_at"]), "parcels": stored["parcel_ids"]}, separators=(",", ":"))
    members = stored["result_json"].strip()[1:-1].strip()
    return f'{head[:-1]},"works":{stored["works_json"]},"geometry":{geom}{"," + members if members else ""}}}'


def analysis_stored_now(analysis: Analysis) -> dict:
    """rules.services.analysis_create's analysis in the shape of rules.selectors.analysis_stored."""
    return {"id": analysis.pk, "created_at": analysis.created_at, "geometry": analysis.geometry,
            "parcel_ids": analysis.parcel_ids, "works_json": analysis.works_json, "result_json": analysis.result_json}


class RuleOutputSerializer(serializers.ModelSerializer):
    is_default = serializers.BooleanField(read_only=True)

    class Meta:
        model = Rule
        fields = ["code", "title", "themes", "predicate", "distance_m", "distance_overrides", "locality_classes",
                  "works_kinds", "works_kinds_trigger", "feature_filter", "params", "no_protection_zone",
                  "min_overlap_m2", "effect", "institution_kinds", "message_ro", "message_en", "legal_basis",
                  "source_url", "confidence", "is_default", "notes", "active", "version"]
