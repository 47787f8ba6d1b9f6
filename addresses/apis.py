"""Street register API: the address of a parcel today (or on a date), from the public nomenclatura stradală."""
from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from addresses.selectors import address_of
from parcels.models import Parcel


class ParcelAddressApi(APIView):
    """`{"address": {...}}` of the parcel in the street register, or `{"address": null}` when it has none."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("on", str, description="YYYY-MM-DD (default today)")],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        parcel = get_object_or_404(Parcel, pk=pk)
        on = None
        text = request.query_params.get("on", "")[:10]
        if text:
            try:
                on = date.fromisoformat(text)
            except ValueError:
                raise ValidationError({"on": ["A date YYYY-MM-DD."]}) from None
        address = address_of(parcel=parcel, on=on)
        if address is None:
            return Response({"parcel": parcel.pk, "address": None})
        return Response({"parcel": parcel.pk, "address": {
            "text": address.text, "street": address.street_name, "number": address.number,
            "street_code": address.street_code, "locality": address.locality,
            "locality_siruta": address.locality_siruta, "uat": address.uat, "uat_siruta": address.uat_siruta,
            "former_names": [{"name": f.name, "valid_from": f.valid_from.isoformat(), "valid_to": f.valid_to.isoformat(),
                              "decision": f.decision} for f in address.former_names]}})
