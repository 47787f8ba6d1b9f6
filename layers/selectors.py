"""Reads on layers, scoped to what the caller may see: public layers for everyone, all for admins."""
from __future__ import annotations

from django.contrib.gis.db.models.functions import AsGeoJSON, Envelope, Transform
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from layers.models import Layer, LayerVersion

# Vector kinds served as tiles and OGC collections (rasters have no features).
VECTOR_KINDS = (Layer.Kind.ZONING, Layer.Kind.CONSTRAINT, Layer.Kind.REFERENCE)


def _may_see_private(user) -> bool:
    return bool(user is not None and user.is_authenticated and getattr(user, "is_portal_admin", False))


def layers_visible(*, user=None) -> QuerySet[Layer]:
    """Layers the caller may see, each with its versions (newest first) and their WGS 84 bbox."""
    versions = (LayerVersion.objects.defer("coverage")
                .annotate(bbox_json=AsGeoJSON(Envelope(Transform("coverage", 4326)), precision=6))
                .order_by("-number"))
    qs = Layer.objects.prefetch_related(Prefetch("versions", queryset=versions)).order_by("slug")
    return qs if _may_see_private(user) else qs.filter(public=True)


def layer_get_visible(*, user=None, slug: str) -> Layer:
    layer = layers_visible(user=user).filter(slug=slug).first()
    if layer is None:
        raise Http404(f"No layer {slug!r}.")
    return layer


def layer_current_version(*, layer: Layer) -> LayerVersion | None:
    return next((v for v in layer.versions.all() if v.is_current), None)


def current_version_id(*, slug: str, kinds=VECTOR_KINDS, user=None) -> tuple[int, bool] | None:
    """(id of the current version, whether the layer is public) of a vector layer the user may see, or
    None (one small query, for tiles)."""
    qs = LayerVersion.objects.filter(layer__slug=slug, is_current=True, layer__kind__in=kinds)
    if not _may_see_private(user):
        qs = qs.filter(layer__public=True)
    return qs.values_list("id", "layer__public").first()
