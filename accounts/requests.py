"""The signed-in user of a request, typed: for views behind `login_required` or DRF's `IsAuthenticated`,
whose `request.user` is a portal User (the type checker only knows `User | AnonymousUser`)."""
from __future__ import annotations

from typing import Any, cast

from accounts.models import User


def signed_in(request: Any) -> User:
    return cast(User, request.user)
