"""Rate limits on every log-in path (the web form, the /admin/ log-in, the API token endpoint).

Counted before the view runs, so a limited attempt computes no password hash: per client address
(scope "login", THROTTLE_LOGIN: password spraying, many usernames from one address) and per username
(scope "login_user", THROTTLE_LOGIN_USER: one account guessed from many addresses). Both counters are
the shared ones in PostgreSQL (gis_portal.ratelimit), so they hold across workers. The lockout per
(username, address) pair (accounts.lockout) still applies behind them.
"""
from __future__ import annotations

import hashlib

from django.http import JsonResponse
from django.shortcuts import render

from gis_portal.api.jsoninput import JSONInputError, loads
from gis_portal.ratelimit import client_address, hit

LOGIN_VIEWS = {"web:login", "admin:login", "auth-token"}


def _username(request) -> str:
    if request.content_type == "application/json":
        try:
            data = loads(request.body)
        except JSONInputError:
            return ""
        value = data.get("username", "") if isinstance(data, dict) else ""
    else:
        value = request.POST.get("username", "")
    return str(value).strip().lower()[:150]


class LoginRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in LOGIN_VIEWS:
            return None
        retry = hit("login", f"a{client_address(request)}")
        username = _username(request)
        if retry is None and username:
            retry = hit("login_user", "n" + hashlib.sha256(username.encode()).hexdigest())
        if retry is None:
            return None
        if match.view_name == "auth-token":
            return JsonResponse({"detail": f"Too many log-in attempts; retry in {retry} s.", "errors": {}},
                                status=429, headers={"Retry-After": str(retry)})
        response = render(request, "web/too_many_logins.html", {"retry": retry}, status=429)
        response["Retry-After"] = str(retry)
        return response
