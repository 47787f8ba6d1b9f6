"""Parcel and UAT read API (public, GeoJSON), parcel search and footprint clipping; reads may come from a
replica (gis_portal.db_router)."""
from django.urls import path

from gis_portal.db_router import replica_reads
from parcels.api.search import FootprintClipView, ParcelSearchView
from parcels.api.views import ParcelAtView, ParcelDetailView, ParcelListView, UATDetailView, UATListView

app_name = "parcels"

urlpatterns = [
    path("api/v1/parcels/", replica_reads(ParcelListView.as_view()), name="parcel-list"),
    path("api/v1/parcels/search/", replica_reads(ParcelSearchView.as_view()), name="parcel-search"),
    path("api/v1/parcels/footprint-clip/", replica_reads(FootprintClipView.as_view()), name="footprint-clip"),
    path("api/v1/parcels/at/", replica_reads(ParcelAtView.as_view()), name="parcel-at"),
    path("api/v1/parcels/<int:pk>/", replica_reads(ParcelDetailView.as_view()), name="parcel-detail"),
    path("api/v1/uats/", replica_reads(UATListView.as_view()), name="uat-list"),
    path("api/v1/uats/<int:siruta>/", replica_reads(UATDetailView.as_view()), name="uat-detail"),
]
