"""API tokens: a lifetime (API_TOKEN_LIFETIME_SECONDS), a new token at each token log-in (the old one
dies), and no token survives a web log-out or a password change (receivers in accounts.apps)."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expires_at(token: Token) -> datetime:
    return token.created + timedelta(seconds=settings.API_TOKEN_LIFETIME_SECONDS)


@transaction.atomic
def token_rotate(*, user) -> Token:
    """The user's only token from now on: any older one stops working."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def tokens_revoke(*, user) -> int:
    return Token.objects.filter(user=user).delete()[0]


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing (and deleting) a token older than its lifetime.

    A program calling with a token gets its messages in the account's language (`preferred_language`);
    a browser's language cookie, when sent, still wins (web.middleware.ChosenLanguageMiddleware)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(result[0].preferred_language or settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
        return result

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires_at(token) <= timezone.now():
            token.delete()
            raise AuthenticationFailed("The token has expired; log in again for a new one.")
        return user, token
