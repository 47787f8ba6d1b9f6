"""Two-factor authentication with django-otp: a TOTP device (an authenticator app) and single-use
recovery codes (django-otp's static device).

Mandatory for staff (clerks, chief architects, admins) and institution reviewers: after the password
their session can open only the second-factor pages until a code is checked
(accounts.middleware.SecondFactorMiddleware), and the token API asks them for `otp`. Optional for
investors, then required once they enrolled. Attempts are counted per account in the shared rate-limit
table (scope "otp", THROTTLE_OTP) and each device waits longer after each wrong code (django-otp's
throttling, OTP_THROTTLE_FACTOR).
"""
from __future__ import annotations

import io
from base64 import b32encode
from binascii import hexlify

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from gis_portal import ratelimit

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Aplicație de autentificare"
RECOVERY_NAME = "Coduri de recuperare"
# The demo accounts' shared TOTP secret (README, `make run`): only in DEMO_MODE or tests.
DEMO_TOTP_SECRET = b32encode(b"portal-demo-2fa-2026").decode()


class TooManyAttempts(Exception):
    def __init__(self, retry: int):
        super().__init__(retry)
        self.retry = retry


def second_factor_required(user) -> bool:
    """Staff and reviewers must have a second factor (investors may choose one)."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.role != User.Role.INVESTOR or user.is_staff or user.is_superuser)


def second_factor_expected(user) -> bool:
    """Whether a log-in of this user must pass a second factor: required, or enrolled."""
    return second_factor_required(user) or (getattr(user, "is_authenticated", False) and user_has_device(user))


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in (base32, in groups of four)."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code (the otpauth:// URL) as inline SVG, drawn here: nothing is fetched."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]  # without the XML declaration, to sit inside the page


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (the same one until confirmed, so a reload shows the same QR)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: User, token: str) -> TOTPDevice:
    """Confirm the device being enrolled with a code from the app; it replaces any earlier one."""
    _count_attempt(user)
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        raise ValidationError({"otp": [_("Începeți din nou înrolarea: codul QR a expirat.")]})
    if not device.verify_token(_digits(token)):
        raise ValidationError({"otp": [_("Codul nu este corect. Scrieți codul de 6 cifre afișat acum în aplicație.")]})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """New single-use recovery codes (the old ones stop working); shown to the user once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(*, user: User, token: str) -> Device | None:
    """The device that accepts this code (a TOTP code or an unused recovery code, which is then spent),
    or None. Raises TooManyAttempts over the per-account limit."""
    _count_attempt(user)
    token = (token or "").strip()[:32]
    digits = _digits(token)
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if isinstance(device, TOTPDevice) and digits and device.verify_token(digits):
                return device
            if isinstance(device, StaticDevice) and device.verify_token(_recovery(token)):
                return device
    return None


@transaction.atomic
def second_factor_reset(*, user: User) -> int:
    """Remove every device (an administrator's reset, e.g. a lost phone): the next log-in enrols again."""
    count = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        count += 1
    return count


def demo_totp_device(*, user: User) -> TOTPDevice:
    """The known TOTP device of a demo staff account (README). Refused outside DEMO_MODE and tests."""
    if not (settings.DEMO_MODE or settings.TESTING):
        raise ImproperlyConfigured("The demo TOTP secret exists only in DEMO_MODE.")
    from base64 import b32decode

    key = hexlify(b32decode(DEMO_TOTP_SECRET)).decode()
    device, _ = TOTPDevice.objects.update_or_create(user=user, name=TOTP_NAME,
                                                    defaults={"key": key, "confirmed": True})
    return device


def _count_attempt(user: User) -> None:
    retry = ratelimit.hit("otp", f"u{user.pk}")
    if retry is not None:
        raise TooManyAttempts(retry)


def _digits(token: str) -> str:
    value = "".join((token or "").split())[:12]
    return value if value.isdigit() else ""


def _recovery(token: str) -> str:
    return "".join(ch for ch in (token or "").lower() if ch.isalnum())[:16]
