"""Paths of the archive app (full paths; the root urlconf includes them). Its pages are in `web`."""
from django.urls import path

from archive import apis

app_name = "archive"

urlpatterns = [
    path("api/v1/parcels/<int:pk>/acts/", apis.ParcelHistory.as_view(), name="parcel-history"),
    path("api/v1/archive/files/<int:pk>/", apis.FileDownload.as_view(), name="file"),
]
