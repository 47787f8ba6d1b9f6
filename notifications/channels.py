"""The ways a notification leaves the portal: SMTP e-mail and signed webhooks.

Each sender either returns (the receiver accepted the message) or raises DeliveryError with a
short reason that goes into the delivery log. In-app notifications need no sender: the row is
the message.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.serializers.json import DjangoJSONEncoder

from gis_portal import outbound
from notifications.models import Notification
from notifications.rendering import render_message

log = logging.getLogger(__name__)


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
        "institution": notification.institution.code if notification.institution else None,
        "data": notification.context,
    }
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).encode()


# Per delivery thread: one SMTP connection and one keep-alive HTTP connection per webhook host,
# reused across messages (a TCP + SMTP handshake per message was a third of a delivery's CPU).
# Thread-local, so no state is shared between the worker's delivery threads.
_local = threading.local()


def _http_connection(address: str, url: urllib.parse.SplitResult,
                     timeout: float) -> tuple[http.client.HTTPConnection, bool]:
    """A kept-alive connection, or a new one through the outbound guard: the host is resolved and checked
    for each new connection and the connection pinned to the checked address (OutboundRefused)."""
    pool = _local.__dict__.setdefault("http", {})
    key = (url.scheme, url.netloc)
    if key in pool:
        return pool[key], True
    pool[key] = outbound.connection(address, timeout=timeout, https_only=True)
    return pool[key], False


def _drop_http(url: urllib.parse.SplitResult) -> None:
    conn = _local.__dict__.get("http", {}).pop((url.scheme, url.netloc), None)
    if conn is not None:
        conn.close()


def send_webhook(notification: Notification) -> None:
    """POST the JSON body; any 2xx is delivered, anything else (or no answer in time) is retried."""
    body = webhook_body(notification)
    secret = notification.institution.webhook_secret if notification.institution else ""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "gis-portal-notifications/1",
        "Idempotency-Key": str(notification.uuid),
        "X-Event": notification.event,
        "X-Signature": sign(secret=secret, timestamp=int(time.time()), body=body),
    }
    url = urllib.parse.urlsplit(notification.address)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    for _ in range(2):
        try:
            conn, reused = _http_connection(notification.address, url, settings.NOTIFICATIONS_WEBHOOK_TIMEOUT)
        except outbound.OutboundRefused as exc:
            raise DeliveryError(f"webhook URL refused by the outbound policy: {exc}") from None
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.will_close:
                _drop_http(url)
            break
        except (OSError, http.client.HTTPException) as exc:
            _drop_http(url)
            # A kept-alive connection the receiver closed while idle: try once on a fresh one (the
            # Idempotency-Key makes a repeat harmless). A fresh connection failing is a real failure.
            if reused and isinstance(exc, (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine)):
                continue
            # The delivery log is shown to people: one text for every way a connection fails, so it cannot
            # be used to tell closed ports from filtered ones or silent hosts (the cause goes to the server log).
            log.warning("webhook %s of notification %s: %s: %s", url.hostname, notification.pk,
                        type(exc).__name__, exc)
            raise DeliveryError("webhook unreachable (no valid HTTP answer)") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status} from {notification.address}")


def _smtp_connection():
    """The thread's open SMTP connection for the current settings (a changed setting opens a new one)."""
    key = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)
    current = getattr(_local, "smtp", None)
    if current is not None and current[0] == key:
        return current[1], True
    _drop_smtp()
    connection = get_connection(fail_silently=False)
    connection.open()
    _local.smtp = (key, connection)
    return connection, False


def _drop_smtp() -> None:
    current = getattr(_local, "smtp", None)
    _local.smtp = None
    if current is not None:
        try:
            current[1].close()
        except Exception:  # noqa: BLE001 (closing a broken connection: nothing more to learn)
            pass


def send_email(notification: Notification) -> None:
    """Send over SMTP with a Message-ID derived from the notification (stable across retries)."""
    subject, body = render_message(event=notification.event, language=notification.language,
                                   context=notification.context)
    message = EmailMessage(subject=subject, body=body, to=[notification.address],
                           headers={"Message-ID": notification.message_id,
                                    "X-Notification-Event": notification.event})
    for _ in range(2):
        reused = False
        try:
            connection, reused = _smtp_connection()
            sent = connection.send_messages([message])
            break
        except Exception as exc:  # smtplib errors subclass OSError, but any backend failure means "try again later"
            _drop_smtp()
            # A reused connection the server dropped while idle: once more on a fresh one. (The
            # Message-ID lets a receiver recognise the rare repeat of a message it did accept.)
            if reused and isinstance(exc, OSError):
                continue
            raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from None
    if sent != 1:
        _drop_smtp()
        raise DeliveryError("SMTP: message not accepted")


SENDERS: dict[str, Callable[[Notification], None]] = {
    Notification.Channel.EMAIL: send_email,
    Notification.Channel.WEBHOOK: send_webhook,
}
