"""The default pagination of list endpoints: limit/offset with a ceiling.

DRF's LimitOffsetPagination has no max_limit by default, so `?limit=10**23` reached PostgreSQL as an
out-of-range bigint (a 500); a huge offset likewise. Here both are capped before the query is built.
"""
from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

MAX_OFFSET = 2**31 - 1


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 1000

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_OFFSET)
