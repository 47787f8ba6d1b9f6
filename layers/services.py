"""Writes on layers: creating versions, subdividing features, switching the current version."""
from __future__ import annotations

from django.db import connection, transaction

from layers.models import Layer, LayerVersion

# Vertices per subdivided part: small enough for cheap predicates, large enough to keep few rows.
SUBDIVIDE_MAX_VERTICES = 128


def layer_version_start(*, layer: Layer, source_name: str = "", source_sha256: str = "",
                        source_srid: int | None = None) -> LayerVersion:
    """Create the next (not yet current) version of a layer."""
    last = layer.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return LayerVersion.objects.create(layer=layer, number=last + 1, source_name=source_name,
                                       source_sha256=source_sha256, source_srid=source_srid)


@transaction.atomic
def layer_version_publish(*, version: LayerVersion) -> LayerVersion:
    """Subdivide the version's features into FeatureParts, count them and make it current."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM layers_featurepart WHERE version_id = %s", [version.pk])
        cursor.execute(
            """
            INSERT INTO layers_featurepart (feature_id, version_id, geom)
            SELECT f.id, f.version_id, ST_Subdivide(f.geom, %s)
            FROM layers_feature f WHERE f.version_id = %s
            """,
            [SUBDIVIDE_MAX_VERTICES, version.pk],
        )
    version.feature_count = version.features.count()
    LayerVersion.objects.filter(layer=version.layer, is_current=True).exclude(pk=version.pk).update(is_current=False)
    version.is_current = True
    version.save(update_fields=["feature_count", "is_current"])
    return version
