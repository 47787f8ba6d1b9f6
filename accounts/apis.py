from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from accounts.lockout import login_is_locked
from accounts.tokens import token_expires_at, token_rotate
from gis_portal.ratelimit import client_address


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField(help_text="After this the token is refused (API_TOKEN_LIFETIME_SECONDS).")


class ObtainTokenApi(ObtainAuthToken):
    """POST username + password, get a new API token (the previous one stops working). Rate-limited per
    address and per username by accounts.middleware, like every log-in path; locked after repeated
    failures; the token dies at its lifetime, at a web log-out and at a password change."""

    @extend_schema(request=AuthTokenSerializer,
                   responses={200: TokenOutput, 400: OpenApiResponse(description="Wrong credentials"),
                              429: OpenApiResponse(description="Too many log-in attempts"),
                              403: OpenApiResponse(description="Locked after too many failed log-ins")})
    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", "")) if hasattr(request.data, "get") else ""
        if username and login_is_locked(username=username, address=client_address(request)):
            return Response({"detail": "Too many failed log-ins: this account is locked for a while from "
                                       "your address. Try again later.", "errors": {}}, status=403)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = token_rotate(user=serializer.validated_data["user"])
        return Response(TokenOutput({"token": token.key, "expires_at": token_expires_at(token)}).data)
