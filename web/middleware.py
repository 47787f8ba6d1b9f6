"""Language selection for the whole site: Romanian unless the person chose another language.

Django's LocaleMiddleware falls back to the browser's Accept-Language, so an English browser got
English pages. The portal is a Romanian public service: its documents, legal terms and register
entries are Romanian, so Romanian is the default for everyone and English is only a choice made
explicitly through /i18n/setlang/ (which stores it in the language cookie).
"""
from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


def language_chosen(request) -> str:
    """The language stored by /i18n/setlang/ if it is one we serve, else the default (Romanian)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    supported = {code for code, _ in settings.LANGUAGES}
    if chosen in supported:
        return chosen
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware without the Accept-Language fallback (the site has no language URL prefixes)."""

    def process_request(self, request) -> None:
        language = language_chosen(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The content depends on the language cookie, never on Accept-Language: say so to caches.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
