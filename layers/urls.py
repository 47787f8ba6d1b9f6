"""Layers: REST list and features, vector tiles and OGC API Features (this app owns these paths);
all of them read public or slowly changing data, so they may read from a replica (gis_portal.db_router)."""
from django.urls import path, re_path

from gis_portal.db_router import replica_reads
from layers import apis, tiles
from layers.ogc import views as ogc

app_name = "layers"

urlpatterns = [
    path("api/v1/layers/", replica_reads(apis.LayerListApi.as_view()), name="layer-list"),
    path("api/v1/layers/<slug:slug>/features/", replica_reads(apis.LayerFeaturesApi.as_view()), name="layer-features"),
    path("tiles/<slug:layer>/<int:z>/<int:x>/<int:y>.pbf", replica_reads(tiles.tile), name="tile"),
    re_path(r"^ogc/?$", replica_reads(ogc.landing), name="ogc-landing"),
    path("ogc/conformance", replica_reads(ogc.conformance), name="ogc-conformance"),
    path("ogc/api", replica_reads(ogc.api), name="ogc-api"),
    path("ogc/collections", replica_reads(ogc.collections), name="ogc-collections"),
    path("ogc/collections/<slug:collection_id>", replica_reads(ogc.collection), name="ogc-collection"),
    path("ogc/collections/<slug:collection_id>/items", replica_reads(ogc.items), name="ogc-items"),
    path("ogc/collections/<slug:collection_id>/items/<str:fid>", replica_reads(ogc.item), name="ogc-item"),
]
