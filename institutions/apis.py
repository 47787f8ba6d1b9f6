"""Public list of partner institutions."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from institutions.selectors import institution_list
from institutions.serializers import InstitutionOutputSerializer


@extend_schema(tags=["institutions"], summary="List the partner institutions (public, no secrets)")
class InstitutionListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = InstitutionOutputSerializer

    def get_queryset(self):
        return institution_list()
