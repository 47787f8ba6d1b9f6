"""The archive's read API (a parcel's history of acts) and the download of a scan (staff only)."""
from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from archive import selectors
from parcels.models import Parcel


class ParcelHistory(APIView):
    """The acts on a parcel, old and new: everything to its issuer's staff, the public AC / AD to others."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        parcel = get_object_or_404(Parcel.objects.only("pk", "uat_id"), pk=pk)
        return Response({"parcel": parcel.pk, "full": selectors.sees_full_history(request.user, parcel),
                         "results": selectors.parcel_history(parcel, request.user)})


class FileDownload(APIView):
    """A scan's bytes, only to the staff of the act's issuer."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: int):
        stored = selectors.files_visible_to(request.user).filter(pk=pk).first()
        if stored is None:
            raise Http404
        response = FileResponse(stored.file.open("rb"), content_type=stored.content_type,
                                as_attachment=True, filename=stored.original_name)
        response["X-Content-Type-Options"] = "nosniff"
        return response
