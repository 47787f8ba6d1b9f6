from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from accounts.lockout import login_is_locked
from gis_portal.ratelimit import SharedScopedRateThrottle, client_address


class ObtainTokenApi(ObtainAuthToken):
    """POST username + password, get an API token (throttled per client, locked after repeated failures)."""

    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=AuthTokenSerializer,
                   responses={200: AuthTokenSerializer, 400: OpenApiResponse(description="Wrong credentials"),
                              403: OpenApiResponse(description="Locked after too many failed log-ins")})
    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", "")) if hasattr(request.data, "get") else ""
        if username and login_is_locked(username=username, address=client_address(request)):
            return Response({"detail": "Too many failed log-ins: this account is locked for a while from "
                                       "your address. Try again later.", "errors": {}}, status=403)
        return super().post(request, *args, **kwargs)
