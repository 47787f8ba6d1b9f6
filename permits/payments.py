"""Online payment providers: a small interface and one real loopback test provider.

A provider creates a payment session (the payer is sent to `pay_url`) and later confirms the payment
by POSTing a signed callback to /api/v1/payments/callback/{provider}/. Callbacks are verified with
HMAC-SHA256 over the raw body and are idempotent: the same callback twice records one payment.
A payment becomes paid only through such a verified callback or a receipt recorded by the issuer's staff.

Only the providers named in PAYMENT_PROVIDERS exist; the loopback provider (which confirms its own
payments) can be named only in tests, DEBUG or DEMO_MODE (settings refuse it otherwise). Every URL is
built from SITE_URL, never from a request, and its call goes through gis_portal.outbound.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from gis_portal import outbound
from gis_portal.api.jsoninput import loads
from permits.models import Application, Payment

SIGNATURE_HEADER = "X-Payment-Signature"


@dataclass
class Session:
    reference: str
    pay_url: str


class Provider(Protocol):
    name: str

    def session_create(self, *, payment: Payment) -> Session: ...

    def callback_verify(self, *, body: bytes, headers) -> dict: ...


def _secret() -> bytes:
    configured = getattr(settings, "PAYMENT_LOOPBACK_SECRET", "")
    # Derived from SECRET_KEY when not configured, so every deployment has its own key.
    return (configured or hmac.new(settings.SECRET_KEY.encode(), b"permits-loopback-pay", hashlib.sha256)
            .hexdigest()).encode()


def sign(body: bytes) -> str:
    return hmac.new(_secret(), body, hashlib.sha256).hexdigest()


class LoopbackProvider:
    """A test provider living in this server: `pay_url` plays the bank page, which POSTs the signed
    callback back to us over real HTTP (loopback), exactly like an external provider would."""

    name = "loopback"

    def session_create(self, *, payment: Payment) -> Session:
        return Session(payment.reference, settings.SITE_URL + reverse("permits:loopback-pay", args=[payment.reference]))

    def callback_verify(self, *, body: bytes, headers) -> dict:
        given = headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(given, sign(body)):
            raise PermissionDenied("Bad payment callback signature.")
        try:
            data = loads(body)
            return {"reference": str(data["reference"]), "amount_ron": Decimal(str(data["amount_ron"])),
                    "status": str(data["status"])}
        except (ValueError, KeyError, TypeError, ArithmeticError):
            raise ValidationError({"body": ["Malformed payment callback."]}) from None

    def complete(self, *, payment: Payment, status: str = "paid") -> bool:
        """The 'bank' confirms: POST the signed callback to the portal's own callback URL (SITE_URL);
        True when it was accepted."""
        body = json.dumps({"reference": payment.reference, "amount_ron": str(payment.amount_ron),
                           "status": status}).encode()
        url = settings.SITE_URL + reverse("permits:payment-callback", args=[self.name])
        try:
            code = outbound.post(url, body=body, headers={"Content-Type": "application/json",
                                                          SIGNATURE_HEADER: sign(body)}, timeout=10, to_self=True)
        except (outbound.OutboundRefused, OSError, http.client.HTTPException):
            return False
        return code == 200


PROVIDERS: dict[str, Provider] = {"loopback": LoopbackProvider()}


def provider_get(name: str) -> Provider:
    enabled = [p for p in settings.PAYMENT_PROVIDERS if p in PROVIDERS]
    if name not in enabled:
        raise ValidationError({"provider": [_("Furnizor de plată necunoscut; unul dintre: %(providers)s.")
                                       % {"providers": ", ".join(enabled) or "—"}]})
    return PROVIDERS[name]


@transaction.atomic
def payment_session_create(*, application: Application, by, provider: str,
                           purpose: str = Payment.Purpose.FEE) -> tuple[Payment, Session]:
    impl = provider_get(provider)
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.owner_id != by.pk:
        raise PermissionDenied(_("Numai solicitantul plătește online."))
    if purpose == Payment.Purpose.REGULARISATION:  # the positive difference after the works (permits.works)
        from permits.works import regularisation_due_ron

        payment = Payment.objects.create(application=app, issuer_id=app.issuer_id, provider=impl.name,
                                         reference=uuid.uuid4().hex, amount_ron=regularisation_due_ron(app),
                                         purpose=purpose)
        return payment, impl.session_create(payment=payment)
    if purpose != Payment.Purpose.FEE:
        raise ValidationError({"purpose": [_("Scop de plată necunoscut.")]})
    if app.paid_at is not None:
        raise ValidationError({"application": [_("Taxa este deja plătită.")]})
    if not app.fee_ron:
        raise ValidationError({"application": [_("Nu există încă o taxă de plătit (completați datele cererii).")]})
    payment = Payment.objects.create(application=app, issuer_id=app.issuer_id, provider=impl.name,
                                     reference=uuid.uuid4().hex,
                                     amount_ron=app.fee_ron)
    return payment, impl.session_create(payment=payment)


@transaction.atomic
def payment_callback(*, provider: str, body: bytes, headers) -> Payment:
    from permits.services import _mark_paid

    impl = provider_get(provider)
    data = impl.callback_verify(body=body, headers=headers)
    payment = Payment.objects.select_for_update().filter(provider=impl.name, reference=data["reference"]).first()
    if payment is None:
        raise ValidationError({"reference": [_("Referință de plată necunoscută.")]})
    if data["status"] != "paid":
        if payment.state == Payment.State.PENDING:
            payment.state = Payment.State.FAILED
            payment.save(update_fields=["state"])
            audit_record(actor=None, action="payment_failed", target=payment,
                         changes={"state": [Payment.State.PENDING, Payment.State.FAILED]})
        return payment
    app = Application.objects.select_for_update().get(pk=payment.application_id)
    if payment.purpose == Payment.Purpose.REGULARISATION:
        from permits.works import regularisation_paid

        return regularisation_paid(app, payment=payment, amount_ron=data["amount_ron"])
    return _mark_paid(app, provider=impl.name, reference=payment.reference, amount_ron=data["amount_ron"])


def loopback_pay(*, reference: str, by, status: str = "paid") -> tuple[Payment, bool]:
    """The loopback provider's 'bank page' paid by the applicant (logged in, owner of the application):
    the provider calls the portal's signed callback over HTTP. Returns the payment as it is afterwards
    and whether the callback was accepted. Payment.DoesNotExist for anyone else, or when the provider
    is not enabled. No transaction is held open across the HTTP call (the callback locks the rows)."""
    provider = PROVIDERS["loopback"]
    assert isinstance(provider, LoopbackProvider)
    if "loopback" not in settings.PAYMENT_PROVIDERS or not getattr(by, "is_authenticated", False):
        raise Payment.DoesNotExist
    payment = Payment.objects.get(provider=provider.name, reference=reference, application__owner=by)
    accepted = provider.complete(payment=payment, status="failed" if status == "failed" else "paid")
    payment.refresh_from_db()
    return payment, accepted
