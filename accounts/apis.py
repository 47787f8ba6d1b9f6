from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from accounts.lockout import login_is_locked
from accounts.mfa import TooManyAttempts, second_factor_expected, second_factor_verify
from accounts.tokens import token_expires_at, token_rotate
from gis_portal.ratelimit import client_address


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField(help_text="After this the token is refused (API_TOKEN_LIFETIME_SECONDS).")


class TokenInput(AuthTokenSerializer):
    otp = serializers.CharField(required=False, max_length=32, help_text=(
        "The second factor: the 6-digit code of the authenticator app, or an unused recovery code. "
        "Required for staff and institution reviewers, and for investors who enrolled one."))


class ObtainTokenApi(ObtainAuthToken):
    """POST username + password, get a new API token (the previous one stops working). Rate-limited per
    address and per username by accounts.middleware, like every log-in path; locked after repeated
    failures; the token dies at its lifetime, at a web log-out and at a password change. Accounts with a
    second factor (accounts.mfa) also send `otp`; its attempts are limited per account."""

    @extend_schema(request=TokenInput,
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
        user = serializer.validated_data["user"]
        if second_factor_expected(user):
            refused = self._second_factor_refused(user, request)
            if refused is not None:
                return refused
        token = token_rotate(user=user)
        return Response(TokenOutput({"token": token.key, "expires_at": token_expires_at(token)}).data)

    @staticmethod
    def _second_factor_refused(user, request) -> Response | None:
        code = str(request.data.get("otp", "") or "") if hasattr(request.data, "get") else ""
        if not code.strip():
            return Response({"detail": _("Acest cont folosește autentificarea în doi pași: trimiteți și codul "
                                         "din aplicație în câmpul otp."),
                             "errors": {"otp": [_("Codul din aplicația de autentificare este obligatoriu.")]}},
                            status=400)
        try:
            device = second_factor_verify(user=user, token=code)
        except TooManyAttempts as exc:
            return Response({"detail": _("Prea multe coduri încercate; reîncercați peste %(seconds)s s.")
                             % {"seconds": exc.retry}, "errors": {}}, status=429,
                            headers={"Retry-After": str(exc.retry)})
        if device is None:
            return Response({"detail": _("Codul de autentificare nu este corect sau a fost deja folosit."),
                             "errors": {"otp": [_("Codul de autentificare nu este corect sau a fost deja folosit.")]}},
                            status=400)
        return None
