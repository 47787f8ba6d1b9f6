"""Layers: REST list and features, vector tiles and OGC API Features (this app owns these paths)."""
from django.urls import path, re_path

from layers import apis, tiles
from layers.ogc import views as ogc

app_name = "layers"

urlpatterns = [
    path("api/v1/layers/", apis.LayerListApi.as_view(), name="layer-list"),
    path("api/v1/layers/<slug:slug>/features/", apis.LayerFeaturesApi.as_view(), name="layer-features"),
    path("tiles/<slug:layer>/<int:z>/<int:x>/<int:y>.pbf", tiles.tile, name="tile"),
    re_path(r"^ogc/?$", ogc.landing, name="ogc-landing"),
    path("ogc/conformance", ogc.conformance, name="ogc-conformance"),
    path("ogc/api", ogc.api, name="ogc-api"),
    path("ogc/collections", ogc.collections, name="ogc-collections"),
    path("ogc/collections/<slug:collection_id>", ogc.collection, name="ogc-collection"),
    path("ogc/collections/<slug:collection_id>/queryables", ogc.queryables, name="ogc-queryables"),
    path("ogc/collections/<slug:collection_id>/items", ogc.items, name="ogc-items"),
    path("ogc/collections/<slug:collection_id>/items/<str:fid>", ogc.item, name="ogc-item"),
]
