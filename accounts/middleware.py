"""Log-in middleware: rate limits on every log-in path, the registry of sessions, the second factor.

Rate limits on every log-in path (the web form, the /admin/ log-in, the API token endpoint).

Counted before the view runs, so a limited attempt computes no password hash: per client address
(scope "login", THROTTLE_LOGIN: password spraying, many usernames from one address) and per username
(scope "login_user", THROTTLE_LOGIN_USER: one account guessed from many addresses). Both counters are
the shared ones in PostgreSQL (gis_portal.ratelimit), so they hold across workers. The lockout per
(username, address) pair (accounts.lockout) still applies behind them.
"""
from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from accounts.mfa import second_factor_expected
from accounts.sessions import session_rekey, session_touch
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


class SessionRegistryMiddleware:
    """A signed-in web session is honoured only while its row in accounts.UserSession exists: revoking
    it (the security page, an administrator) ends it at the next request. Keeps last_seen current."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        key = request.session.session_key if hasattr(request, "session") else None
        if key and user is not None and user.is_authenticated and not session_touch(session_key=key, user_id=user.pk):
            # Not logout(): its signal would also revoke the user's API token (accounts.apps).
            request.session.flush()
            request.user = AnonymousUser()
            key = None
        response = self.get_response(request)
        if key and hasattr(request, "session") and request.session.session_key not in (None, key):
            # The view cycled the session key (e.g. a password change keeps its own session): follow it.
            session_rekey(old_key=key, new_key=request.session.session_key)
        return response


# Views an unverified staff session may open: the second-factor pages, log-out, the language switch.
SECOND_FACTOR_OPEN = {"web:second-factor", "web:second-factor-enrol", "web:logout", "web:jsi18n", "set_language",
                      "healthz"}


class SecondFactorMiddleware:
    """After the password, a user who must pass a second factor (accounts.mfa) can open only the
    second-factor pages (enrolment first when they have no device) until a code is checked: pages
    redirect there, the API and the admin answer 403/redirect. Token-authenticated API calls carry no
    session: their token was given only after the code (accounts.apis)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_OPEN:
            return None
        if not second_factor_expected(user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Confirmați mai întâi autentificarea în doi pași (codul din aplicație)."),
                                 "errors": {}}, status=403)
        target = "web:second-factor" if user_has_device(user) else "web:second-factor-enrol"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
