"""Two-factor log-in and account security: the second-factor page after the password, the enrolment of an
authenticator app (QR code drawn here as SVG) with its recovery codes, and the "Securitate" page (sessions,
API token, app, recovery codes). The rules are in accounts.mfa / accounts.sessions; the middleware
(accounts.middleware.SecondFactorMiddleware) sends an unverified staff session here."""
from __future__ import annotations

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from rest_framework.authtoken.models import Token

from accounts import mfa
from accounts.audit import audit_record
from accounts.requests import signed_in
from accounts.sessions import session_revoke, sessions_of, sessions_revoke
from accounts.tokens import token_expires_at, tokens_revoke
from web.forms import SecondFactorForm


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """After the password: the code of the authenticator app, or a recovery code."""
    user = signed_in(request)
    if user.is_verified():  # type: ignore[attr-defined]  # installed by django-otp's middleware
        return redirect(_next(request))
    if not user_has_device(user):
        return redirect(f"{resolve_url('web:second-factor-enrol')}?{request.GET.urlencode()}")
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.second_factor_verify(user=user, token=form.cleaned_data["otp"])
        except mfa.TooManyAttempts as exc:
            form.add_error("otp", _("Prea multe coduri încercate; reîncercați peste %(seconds)s s.")
                           % {"seconds": exc.retry})
            status = 429
        else:
            if device is not None:
                django_otp.login(request, device)
                if isinstance(device, StaticDevice):
                    messages.warning(request, _("Ați folosit un cod de recuperare; vă mai rămân %(count)s. "
                                                "Generați altele din pagina Securitate.")
                                     % {"count": mfa.recovery_codes_left(user)})
                return redirect(_next(request))
            form.add_error("otp", _("Codul nu este corect sau a fost deja folosit. Încercați codul afișat acum "
                                    "în aplicație."))
            status = 400
    return render(request, "web/second_factor.html", {"form": form, "next": _next(request)}, status=status)


@never_cache
@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm one code; then the
    recovery codes are shown once. Someone with a device enrols a new one only from a verified session."""
    user = signed_in(request)
    if user_has_device(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(f"{resolve_url('web:second-factor')}?{request.GET.urlencode()}")
    device = mfa.totp_enrolment_start(user=user)
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.totp_enrolment_confirm(user=user, token=form.cleaned_data["otp"])
        except mfa.TooManyAttempts as exc:
            form.add_error("otp", _("Prea multe coduri încercate; reîncercați peste %(seconds)s s.")
                           % {"seconds": exc.retry})
            status = 429
        except ValidationError as exc:
            for message in exc.message_dict.get("otp", exc.messages):
                form.add_error("otp", message)
            status = 400
        else:
            django_otp.login(request, device)
            codes = mfa.recovery_codes_generate(user=user)
            audit_record(actor=user, action="second_factor_enrol", target=user, request=request)
            return render(request, "web/recovery_codes.html", {"codes": codes, "next": _next(request)})
    return render(request, "web/second_factor_enrol.html", {
        "form": form, "next": _next(request), "qr_svg": mfa.totp_qr_svg(device), "secret": mfa.totp_secret(device),
        "issuer": settings.OTP_TOTP_ISSUER, "required": mfa.second_factor_required(user)}, status=status)


def security_context(request: HttpRequest, user) -> dict:
    token = Token.objects.filter(user=user).first()
    return {
        "subject": user, "sessions": sessions_of(user), "current_key": request.session.session_key,
        "token": token, "token_expires": token_expires_at(token) if token else None,
        "totp": mfa.totp_device(user), "recovery_left": mfa.recovery_codes_left(user),
        "required": mfa.second_factor_required(user),
    }


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    return render(request, "web/security.html", security_context(request, signed_in(request)))


@require_POST
@login_required
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    if session_revoke(user=user, pk=pk):
        messages.success(request, _("Sesiunea a fost închisă."))
    return redirect("web:security")


@require_POST
@login_required
def sessions_end_all(request: HttpRequest) -> HttpResponse:
    """Every other session of the user ends (this one stays)."""
    count = sessions_revoke(user=signed_in(request), keep_key=request.session.session_key)
    messages.success(request, _("Sesiuni închise: %(count)s.") % {"count": count})
    return redirect("web:security")


@require_POST
@login_required
def token_revoke(request: HttpRequest) -> HttpResponse:
    tokens_revoke(user=signed_in(request))
    messages.success(request, _("Tokenul API a fost revocat."))
    return redirect("web:security")


@never_cache
@require_POST
@login_required
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if mfa.totp_device(user) is None:
        raise PermissionDenied
    codes = mfa.recovery_codes_generate(user=user)
    audit_record(actor=user, action="recovery_codes_renew", target=user, request=request)
    return render(request, "web/recovery_codes.html", {"codes": codes, "next": resolve_url("web:security")})


@require_POST
@login_required
def second_factor_off(request: HttpRequest) -> HttpResponse:
    """An investor turns the optional second factor off (staff cannot)."""
    user = signed_in(request)
    if mfa.second_factor_required(user):
        raise PermissionDenied
    mfa.second_factor_reset(user=user)
    audit_record(actor=user, action="second_factor_off", target=user, request=request)
    messages.success(request, _("Autentificarea în doi pași a fost dezactivată."))
    return redirect("web:security")
