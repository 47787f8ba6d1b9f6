"""Parcel and UAT read API (public, GeoJSON)."""
from django.urls import path

from parcels.api.views import ParcelAtView, ParcelDetailView, ParcelListView, UATDetailView, UATListView

app_name = "parcels"

urlpatterns = [
    path("api/v1/parcels/", ParcelListView.as_view(), name="parcel-list"),
    path("api/v1/parcels/at/", ParcelAtView.as_view(), name="parcel-at"),
    path("api/v1/parcels/<int:pk>/", ParcelDetailView.as_view(), name="parcel-detail"),
    path("api/v1/uats/", UATListView.as_view(), name="uat-list"),
    path("api/v1/uats/<int:siruta>/", UATDetailView.as_view(), name="uat-detail"),
]
