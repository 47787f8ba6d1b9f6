"""Staff invitations: an issuer's administrator (its chief architect, or a portal admin for any issuer)
invites a clerk or chief architect by e-mail; the one-time link lets them choose a username and password.

The invited account exists from the invitation on, inactive and without a usable password, already
bound to its role and issuer. The link carries Django's password-reset token, which is derived from
the password hash and the last log-in: it stops working once used (and after PASSWORD_RESET_TIMEOUT).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.audit import audit_record
from accounts.models import User

INVITABLE_ROLES = (User.Role.CLERK, User.Role.CHIEF_ARCHITECT)


def issuers_managed_by(user: User):
    """The issuers whose staff the user may invite: all for a portal admin, their own for a chief architect."""
    from parcels.models import Issuer

    if user.is_portal_admin:
        return Issuer.objects.all()
    if user.role == User.Role.CHIEF_ARCHITECT and user.issuer_id:
        return Issuer.objects.filter(pk=user.issuer_id)
    return Issuer.objects.none()


def invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("web:invitation-accept", args=[uid, token])


@transaction.atomic
def staff_invite(*, by: User, email: str, role: str, issuer, first_name: str = "", last_name: str = "",
                 language: str = "ro") -> User:
    """Create the invited (inactive) account and defer the e-mail of its one-time link (same transaction)."""
    if not issuers_managed_by(by).filter(pk=issuer.pk).exists():
        raise PermissionDenied("You may invite staff only for your own issuer.")
    if role not in INVITABLE_ROLES:
        raise ValidationError({"role": [f"One of {', '.join(INVITABLE_ROLES)}."]})
    email = (email or "").strip().lower()
    if not email or User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ["An account with this e-mail address already exists."]})
    user = User(username=f"invited-{email}"[:150], email=email, role=role, issuer=issuer, is_active=False,
                first_name=first_name.strip()[:150], last_name=last_name.strip()[:150],
                preferred_language=language if language in ("ro", "en") else "ro")
    user.set_unusable_password()
    user.save()
    audit_record(actor=by, action="staff_invite", target=user, issuer_id=issuer.pk, changes={
        "email": [None, email], "role": [None, role], "issuer": [None, issuer.name]})
    # The e-mail is a job recorded in this transaction: it exists if and only if the invitation does, and
    # the worker retries it while the mail server refuses it (accounts.tasks.staff_invitation_send).
    from accounts.tasks import staff_invitation_send

    staff_invitation_send.defer(user_id=user.pk, invited_by_id=by.pk)
    return user


def invitation_message(user: User, by: User | None, issuer) -> tuple[str, str]:
    """Subject and body of the invitation, in the invited person's language, with a fresh one-time link."""
    with override(user.preferred_language):
        subject = _("Invitație în portalul de urbanism — %(issuer)s") % {"issuer": issuer.name}
        body = _("Bună ziua,\n\n%(who)s vă invită în portalul de urbanism ca %(role)s pentru %(issuer)s.\n\n"
                 "Alegeți numele de utilizator și parola aici (linkul se poate folosi o singură dată):\n%(link)s\n\n"
                 "Acest mesaj a fost trimis automat de portalul de urbanism.\n") % {
            "who": (by.get_full_name() or by.username) if by else issuer.name, "role": user.get_role_display(),
            "issuer": issuer.name, "link": invitation_link(user)}
    return subject, body


def invitation_send(*, user_id: int, invited_by_id: int | None) -> bool:
    """Send the invitation of a still pending account (False when it was accepted or removed meanwhile).
    A refused delivery raises, so the worker tries again later."""
    user = User.objects.filter(pk=user_id, is_active=False).select_related("issuer").first()
    if user is None or user.has_usable_password() or user.issuer is None:
        return False
    by = User.objects.filter(pk=invited_by_id).first() if invited_by_id is not None else None
    subject, body = invitation_message(user, by, user.issuer)
    send_mail(subject, body, None, [user.email])
    return True


def invited_user(*, uidb64: str, token: str) -> User | None:
    """The invited account the link is for, if the link is still valid (not used, not expired)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64[:64])))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=False, role__in=INVITABLE_ROLES).first()
    if user is None or user.has_usable_password() or not default_token_generator.check_token(user, token[:100]):
        return None
    return user


@transaction.atomic
def invitation_accept(*, user: User, username: str, password: str) -> User:
    """Activate the invited account with the chosen username and password (the link stops working)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active or user.has_usable_password():
        raise ValidationError({"username": ["This invitation was already used."]})
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        raise ValidationError({"username": ["This username is taken."]})
    user.username, user.is_active = username, True
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
