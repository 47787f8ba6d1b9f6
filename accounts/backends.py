"""The authentication backend: Django's model backend behind the account lockout (accounts.lockout).

Every log-in path (the web form, the API token endpoint, the admin) goes through
`django.contrib.auth.authenticate`, so the lockout is enforced here once for all of them.
"""
from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts.lockout import login_failure_record, login_is_locked, login_success_record
from gis_portal.ratelimit import client_address


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        address = client_address(request)
        if login_is_locked(username=username, address=address):
            # PermissionDenied stops authenticate() from trying other backends: the right password
            # does not open a locked account either.
            raise PermissionDenied("Account temporarily locked after too many failed log-ins.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username, address=address)
        else:
            login_success_record(username=username, address=address)
        return user
