"""The one place request JSON is parsed: the API's parser, JSON strings inside fields (a geometry sent
as a string) and provider callbacks all go through `loads`.

The nesting depth is measured on the raw text before `json.loads` sees it (brackets outside strings,
counted with numpy in one pass), so `[[[[…]]]]` thousands of levels deep is a clear error, never a
RecursionError or a stack exhausted in the parser. Sizes are bounded before: the request body by
gis_portal.security.RequestBodyLimitMiddleware, geometry strings by GEOMETRY_MAX_BYTES.
"""
from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
from django.conf import settings

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")


class JSONInputError(ValueError):
    """Not JSON, or nested deeper than JSON_MAX_DEPTH; the message is safe to show."""


def depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings are skipped)."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", raw))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number (no NaN or Infinity)")


def loads(raw: bytes | str) -> Any:
    data = raw.encode() if isinstance(raw, str) else raw
    limit = settings.JSON_MAX_DEPTH
    if depth(data) > limit:
        raise JSONInputError(f"JSON nested deeper than {limit} levels.")
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise JSONInputError(f"Not valid JSON ({str(exc)[:120]}).") from None
