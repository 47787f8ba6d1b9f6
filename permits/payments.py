"""Online payment providers: a small interface and one real loopback test provider.

A provider creates a payment session (the payer is sent to `pay_url`) and later confirms the payment
by POSTing a signed callback to /api/v1/payments/callback/{provider}/. Callbacks are verified with
HMAC-SHA256 over the raw body and are idempotent: the same callback twice records one payment.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from permits.models import Application, Payment

SIGNATURE_HEADER = "X-Payment-Signature"


@dataclass
class Session:
    reference: str
    pay_url: str


class Provider(Protocol):
    name: str

    def session_create(self, *, payment: Payment, base_url: str) -> Session: ...

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

    def session_create(self, *, payment: Payment, base_url: str) -> Session:
        return Session(payment.reference, base_url + reverse("permits:loopback-pay", args=[payment.reference]))

    def callback_verify(self, *, body: bytes, headers) -> dict:
        given = headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(given, sign(body)):
            raise PermissionDenied("Bad payment callback signature.")
        try:
            data = json.loads(body)
            return {"reference": str(data["reference"]), "amount_ron": Decimal(str(data["amount_ron"])),
                    "status": str(data["status"])}
        except (ValueError, KeyError, ArithmeticError):
            raise ValidationError({"body": ["Malformed payment callback."]}) from None

    def complete(self, *, reference: str, base_url: str, status: str = "paid") -> int:
        """The 'bank' confirms: POST the signed callback to our callback URL; return its HTTP status."""
        payment = Payment.objects.get(provider=self.name, reference=reference)
        body = json.dumps({"reference": reference, "amount_ron": str(payment.amount_ron), "status": status}).encode()
        response = requests.post(base_url + reverse("permits:payment-callback", args=[self.name]), data=body,
                                 headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)},
                                 timeout=10)
        return response.status_code


PROVIDERS: dict[str, Provider] = {"loopback": LoopbackProvider()}


def provider_get(name: str) -> Provider:
    if name not in PROVIDERS:
        raise ValidationError({"provider": [f"Unknown payment provider {name!r}; one of {', '.join(PROVIDERS)}."]})
    return PROVIDERS[name]


@transaction.atomic
def payment_session_create(*, application: Application, by, provider: str, base_url: str) -> tuple[Payment, Session]:
    impl = provider_get(provider)
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.owner_id != by.pk:
        raise PermissionDenied("Only the applicant pays online.")
    if app.paid_at is not None:
        raise ValidationError({"application": ["The fee is already paid."]})
    if not app.fee_ron:
        raise ValidationError({"application": ["There is no fee to pay yet (complete the application data)."]})
    payment = Payment.objects.create(application=app, provider=impl.name, reference=uuid.uuid4().hex,
                                     amount_ron=app.fee_ron)
    return payment, impl.session_create(payment=payment, base_url=base_url)


@transaction.atomic
def payment_callback(*, provider: str, body: bytes, headers) -> Payment:
    from permits.services import _mark_paid

    impl = provider_get(provider)
    data = impl.callback_verify(body=body, headers=headers)
    payment = Payment.objects.select_for_update().filter(provider=impl.name, reference=data["reference"]).first()
    if payment is None:
        raise ValidationError({"reference": ["Unknown payment reference."]})
    if data["status"] != "paid":
        if payment.state == Payment.State.PENDING:
            payment.state = Payment.State.FAILED
            payment.save(update_fields=["state"])
        return payment
    app = Application.objects.select_for_update().get(pk=payment.application_id)
    return _mark_paid(app, provider=impl.name, reference=payment.reference, amount_ron=data["amount_ron"])
