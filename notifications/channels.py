"""The ways a notification leaves the portal: SMTP e-mail and signed webhooks.

Each sender either returns (the receiver accepted the message) or raises DeliveryError with a
short reason that goes into the delivery log. In-app notifications need no sender: the row is
the message.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.serializers.json import DjangoJSONEncoder

from notifications.models import Notification
from notifications.rendering import render_message


class DeliveryError(Exception):
    """The receiver did not accept the message (temporarily or not): try again later."""


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The X-Signature header: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.

    The timestamp is signed with the body so a receiver can reject replays older than a few minutes.
    """
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(*, secret: str, header: str, body: bytes, tolerance: int = 300, now: int | None = None) -> bool:
    """What a receiver does (used by our tests, documented for institutions' developers)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now if now is not None else int(time.time())) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret=secret, timestamp=timestamp, body=body), header)


def webhook_body(notification: Notification) -> bytes:
    payload = {
        "id": str(notification.uuid),
        "event": notification.event,
        "created_at": notification.created_at,
        "institution": notification.institution.code if notification.institution_id else None,
        "data": notification.context,
    }
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).encode()


def send_webhook(notification: Notification) -> None:
    """POST the JSON body; any 2xx is delivered, anything else (or no answer in time) is retried."""
    body = webhook_body(notification)
    secret = notification.institution.webhook_secret if notification.institution_id else ""
    request = urllib.request.Request(notification.address, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "gis-portal-notifications/1",
        "Idempotency-Key": str(notification.uuid),
        "X-Event": notification.event,
        "X-Signature": sign(secret=secret, timestamp=int(time.time()), body=body),
    })
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFICATIONS_WEBHOOK_TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:  # non-2xx answers arrive as HTTPError
        raise DeliveryError(f"HTTP {exc.code} from {notification.address}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise DeliveryError(f"webhook unreachable: {getattr(exc, 'reason', exc)}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status} from {notification.address}")


def send_email(notification: Notification) -> None:
    """Send over SMTP with a Message-ID derived from the notification (stable across retries)."""
    subject, body = render_message(event=notification.event, language=notification.language,
                                   context=notification.context)
    message = EmailMessage(subject=subject, body=body, to=[notification.address],
                           headers={"Message-ID": notification.message_id,
                                    "X-Notification-Event": notification.event})
    try:
        # A fresh connection per message: no state shared between worker threads.
        with get_connection(fail_silently=False) as connection:
            sent = connection.send_messages([message])
    except Exception as exc:  # smtplib errors subclass OSError, but any backend failure means "try again later"
        raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from None
    if sent != 1:
        raise DeliveryError("SMTP: message not accepted")


SENDERS = {
    Notification.Channel.EMAIL: send_email,
    Notification.Channel.WEBHOOK: send_webhook,
}
