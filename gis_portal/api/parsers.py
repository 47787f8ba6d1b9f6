"""The API's JSON parser: DRF's, parsing through gis_portal.api.jsoninput (nesting depth bounded).

The body was bounded by RequestBodyLimitMiddleware before any parser runs; here it is read whole
(at most REQUEST_BODY_MAX_BYTES) and parsed once.
"""
from __future__ import annotations

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from gis_portal.api.jsoninput import JSONInputError, loads


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(settings.REQUEST_BODY_MAX_BYTES + 1) if stream is not None else b""
        if len(raw) > settings.REQUEST_BODY_MAX_BYTES:
            raise ParseError(f"JSON body larger than {settings.REQUEST_BODY_MAX_BYTES} bytes.")
        try:
            return loads(raw)
        except JSONInputError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
