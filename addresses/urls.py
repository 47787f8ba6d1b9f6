"""Paths of the addresses app (full paths; the root urlconf includes them)."""
from django.urls import path

from addresses import apis

app_name = "addresses"
urlpatterns = [
    path("api/v1/parcels/<int:pk>/address/", apis.ParcelAddressApi.as_view(), name="parcel-address"),
]
