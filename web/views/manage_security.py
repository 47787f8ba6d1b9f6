"""Administration of accounts' security (portal admins): find a user, end their sessions and API token,
reset their second factor; and the audit trail (scoped: a chief architect sees their issuer's entries, an
institution's administrator their institution's). Every action is written to the audit trail."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import mfa
from accounts.audit import audit_entries_visible_to, audit_record
from accounts.models import User
from accounts.requests import signed_in
from accounts.sessions import session_revoke, sessions_revoke
from accounts.tokens import tokens_revoke
from web.views.security import security_context

USERS_SHOWN = 100


def _admin(request: HttpRequest) -> User:
    user = signed_in(request)
    if not user.is_portal_admin:
        raise PermissionDenied
    return user


@never_cache
@login_required
def users(request: HttpRequest) -> HttpResponse:
    _admin(request)
    query = request.GET.get("q", "").strip()[:100]
    people = User.objects.select_related("issuer", "institution").order_by("username")
    if query:
        people = people.filter(Q(username__icontains=query) | Q(email__icontains=query)
                               | Q(last_name__icontains=query) | Q(first_name__icontains=query))
    return render(request, "web/manage_users.html", {"people": people[:USERS_SHOWN], "q": query})


@never_cache
@login_required
def user_security(request: HttpRequest, pk: int) -> HttpResponse:
    admin = _admin(request)
    subject = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "end_sessions":
            count = sessions_revoke(user=subject, keep_key=request.session.session_key)
            audit_record(actor=admin, action="sessions_revoke", target=subject, changes={"sessions": [count, 0]},
                         request=request)
            messages.success(request, _("Sesiuni închise: %(count)s.") % {"count": count})
        elif action == "end_session":
            if session_revoke(user=subject, pk=_int(request.POST.get("session"))):
                audit_record(actor=admin, action="session_revoke", target=subject, request=request)
                messages.success(request, _("Sesiunea a fost închisă."))
        elif action == "revoke_token":
            count = tokens_revoke(user=subject)
            audit_record(actor=admin, action="token_revoke", target=subject, changes={"tokens": [count, 0]},
                         request=request)
            messages.success(request, _("Tokenul API a fost revocat."))
        elif action == "reset_second_factor":
            count = mfa.second_factor_reset(user=subject)
            audit_record(actor=admin, action="second_factor_reset", target=subject, changes={"devices": [count, 0]},
                         request=request)
            messages.success(request, _("Autentificarea în doi pași a fost resetată: la următoarea intrare "
                                        "persoana înrolează din nou aplicația."))
        return redirect("web:manage-user-security", pk=subject.pk)
    return render(request, "web/manage_user_security.html", security_context(request, subject))


@never_cache
@login_required
def audit(request: HttpRequest) -> HttpResponse:
    entries = audit_entries_visible_to(signed_in(request))
    user = signed_in(request)
    if not (user.is_portal_admin or user.role == User.Role.CHIEF_ARCHITECT or user.is_institution_admin):
        raise PermissionDenied
    action = request.GET.get("action", "").strip()[:40]
    if action:
        entries = entries.filter(action=action)
    page = Paginator(entries.select_related("issuer", "institution"), 50).get_page(request.GET.get("page"))
    return render(request, "web/audit.html", {"page": page, "action": action})


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
