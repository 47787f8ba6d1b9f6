"""The excavation wizard's live check: the dug area, its fee and guarantee, the avize it needs and the
dig-once overlaps, before anything is saved (the same functions submission uses)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.api.geojson import geometry_dict
from gis_portal.ratelimit import SharedScopedRateThrottle
from permits import excavations
from permits.models import Application


class CheckInput(serializers.Serializer):
    geometry = serializers.JSONField()
    width_m = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    roadway_closed = serializers.BooleanField(required=False, default=False)
    crs = serializers.CharField(required=False, allow_blank=True)


class ExcavationCheck(APIView):
    """POST the drawn trench or area with its dates: area, fee, guarantee, required avize, overlaps."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "analysis"  # each check runs one analysis

    @extend_schema(request=CheckInput, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        data = CheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d["ends_on"] < d["starts_on"]:
            raise ValidationError({"excavation.ends_on": ["Data de terminare este după data de începere."]})
        app = Application(kind="excavation", owner=request.user, applicant_type="company")
        exc = excavations.excavation_apply(app=app, srid=d.get("crs") or None, data={
            "geometry": d["geometry"], "width_m": d.get("width_m"), "street": "-", "starts_on": d["starts_on"],
            "ends_on": d["ends_on"], "roadway_closed": d["roadway_closed"]})
        app.uat = excavations.uat_of(exc)
        if app.uat is None:
            raise ValidationError({"excavation.geometry": ["Săpătura este în afara teritoriului acoperit de portal."]})
        app.excavation = exc
        analysis_id, result = excavations.analysis_run(application=app, by=request.user)
        issuer = (result.get("issuer") or {}).get("id")
        fee, breakdown, guarantee = excavations.fee_and_guarantee(app)
        conflicts = excavations.conflicts_for(geom=exc.geom, starts_on=exc.starts_on, ends_on=exc.ends_on,
                                              issuer_id=issuer)
        return Response({"area_m2": str(exc.area_m2), "geometry": geometry_dict(exc.geom), "analysis": analysis_id,
                         "fee_ron": str(fee), "guarantee_ron": str(guarantee), "fee_breakdown": breakdown,
                         "required_avize": result.get("required_avize") or [],
                         "unresolved_avize": result.get("unresolved_avize") or [],
                         "uat": app.uat.name, "conflicts": conflicts})
