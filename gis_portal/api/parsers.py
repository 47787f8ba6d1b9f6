"""The API's JSON parser: DRF's, plus a 400 for JSON nested deeper than Python's recursion limit.

DRF turns ValueError into a ParseError but not RecursionError, so `[[[[…]]]]` 5,000 levels deep
used to be a 500.
"""
from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
