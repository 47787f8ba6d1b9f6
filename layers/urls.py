"""Layers: REST list and features, vector tiles and OGC API Features (this app owns these paths);
all of them read public or slowly changing data, so they may read from a replica (gis_portal.db_router)."""
from django.urls import path, re_path

from gis_portal.db_router import replica_reads
from gis_portal.httpcache import public_cache
from layers import apis, tiles
from layers.ogc import views as ogc

app_name = "layers"


def ogc_view(view):
    """OGC API Features answers are public: replica reads, and cached by ETag for OGC_CACHE_SECONDS."""
    return replica_reads(public_cache("OGC_CACHE_SECONDS")(view))


urlpatterns = [
    path("api/v1/layers/", replica_reads(apis.LayerListApi.as_view()), name="layer-list"),
    path("api/v1/layers/<slug:slug>/features/", replica_reads(apis.LayerFeaturesApi.as_view()), name="layer-features"),
    path("tiles/<slug:layer>/<int:z>/<int:x>/<int:y>.pbf", replica_reads(tiles.tile), name="tile"),
    re_path(r"^ogc/?$", ogc_view(ogc.landing), name="ogc-landing"),
    path("ogc/conformance", ogc_view(ogc.conformance), name="ogc-conformance"),
    path("ogc/api", ogc_view(ogc.api), name="ogc-api"),
    path("ogc/collections", ogc_view(ogc.collections), name="ogc-collections"),
    path("ogc/collections/<slug:collection_id>", ogc_view(ogc.collection), name="ogc-collection"),
    path("ogc/collections/<slug:collection_id>/queryables", ogc_view(ogc.queryables), name="ogc-queryables"),
    path("ogc/collections/<slug:collection_id>/items", ogc_view(ogc.items), name="ogc-items"),
    path("ogc/collections/<slug:collection_id>/items/<str:fid>", ogc_view(ogc.item), name="ogc-item"),
]
