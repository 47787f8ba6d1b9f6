"""Output serializers of the layers API."""
from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from layers.models import Layer, LayerVersion


def _bbox(version: LayerVersion | None) -> list[float] | None:
    """[minlon, minlat, maxlon, maxlat] of the coverage; None means the whole territory."""
    text = getattr(version, "bbox_json", None)
    if not text:
        return None
    coords = [p for ring in json.loads(text)["coordinates"] for p in ring] if "Polygon" in text else []
    if not coords:
        point = json.loads(text)["coordinates"]
        return [point[0], point[1], point[0], point[1]]
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    return [min(xs), min(ys), max(xs), max(ys)]


class LayerVersionOutput(serializers.ModelSerializer):
    coverage_bbox = serializers.SerializerMethodField()

    class Meta:
        model = LayerVersion
        fields = ["number", "is_current", "created_at", "feature_count", "source_name", "source_srid",
                  "coverage_bbox", "raster_meta"]

    @extend_schema_field(serializers.ListField(child=serializers.FloatField(), allow_null=True))
    def get_coverage_bbox(self, obj) -> list[float] | None:
        return _bbox(obj)


class LayerOutput(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField()
    feature_count = serializers.SerializerMethodField()
    coverage_bbox = serializers.SerializerMethodField()
    versions = LayerVersionOutput(many=True, read_only=True)

    class Meta:
        model = Layer
        fields = ["slug", "name", "kind", "theme", "provenance", "current_version", "feature_count",
                  "coverage_bbox", "versions"]

    def _current(self, obj) -> LayerVersion | None:
        return next((v for v in obj.versions.all() if v.is_current), None)

    def get_current_version(self, obj) -> int | None:
        current = self._current(obj)
        return current.number if current else None

    def get_feature_count(self, obj) -> int:
        current = self._current(obj)
        return current.feature_count if current else 0

    @extend_schema_field(serializers.ListField(child=serializers.FloatField(), allow_null=True))
    def get_coverage_bbox(self, obj) -> list[float] | None:
        return _bbox(self._current(obj))


class FeaturesQuery(serializers.Serializer):
    bbox = serializers.CharField(required=False, help_text="minx,miny,maxx,maxy in `crs` (default longitude/latitude)")
    crs = serializers.CharField(required=False, help_text="EPSG code of bbox and output: 4326 (default) or 3844")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=100)
    offset = serializers.IntegerField(required=False, min_value=0, default=0)
