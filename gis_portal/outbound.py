"""The one guard for every HTTP request the server makes (institution webhooks, payment providers).

A URL may only reach a public address: loopback, private (RFC 1918, ULA), link-local (and so the
cloud metadata service 169.254.169.254 / fd00:ec2::254), CGNAT, multicast, reserved and unspecified
addresses are refused, also when hidden in an IPv4-mapped, 6to4 or NAT64 IPv6 address, unless
OUTBOUND_ALLOWED_HOSTS names the URL's host exactly (e.g. an intranet receiver, or 127.0.0.1 in tests).

The check runs twice: when a URL is saved (`url_validate`, a ValidationError in the user's language)
and when it is called (`connection`): the host is resolved again, every address checked, and the
connection goes to the checked address itself, so a DNS answer that changes in between (rebinding)
cannot move it to an internal one. TLS still verifies the certificate against the host name.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.parse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(Exception):
    """The destination is not allowed (or cannot be resolved); the message is safe to show."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_forbidden(address: str) -> bool:
    """True for every address that is not a public unicast one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and address_forbidden(str(inner)):
            return True
    return ip.is_multicast or ip.is_unspecified or ip.is_reserved or not ip.is_global


def _allowed_host(host: str, *, to_self: bool = False) -> bool:
    allowed = set(settings.OUTBOUND_ALLOWED_HOSTS)
    if to_self:  # the portal calling its own SITE_URL (the loopback test payment provider)
        allowed.add(urllib.parse.urlsplit(settings.SITE_URL).hostname or "")
    return host.lower().rstrip(".") in {h.lower().rstrip(".") for h in allowed if h}


def _parts(url: str, *, https_only: bool) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    # Plain http only to a host the setting names (a receiver on the intranet, or loopback in tests).
    schemes = ("https",) if https_only and not _allowed_host(parts.hostname or "") else ("http", "https")
    if parts.scheme not in schemes or not parts.hostname:
        raise OutboundRefused(_("Adresa trebuie să fie un URL https://.") if https_only
                              else _("Adresa trebuie să fie un URL http:// sau https://."))
    if parts.username or parts.password:
        raise OutboundRefused(_("Adresa nu poate conține nume de utilizator sau parolă."))
    try:
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        raise OutboundRefused(_("Portul adresei nu este valid.")) from None
    return parts


def resolve(host: str, port: int, *, to_self: bool = False) -> str:
    """The address to connect to for host:port; OutboundRefused when any address it resolves to is
    not public (a name resolving to both is refused: the resolver of the moment would choose)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundRefused(_("Numele serverului nu poate fi rezolvat.")) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise OutboundRefused(_("Numele serverului nu poate fi rezolvat."))
    if not _allowed_host(host, to_self=to_self) and any(address_forbidden(a) for a in addresses):
        raise OutboundRefused(_("Adresa indică o rețea internă (loopback, privată sau link-local); "
                                "nu este permisă."))
    return addresses[0]


def url_check(url: str, *, https_only: bool = False, to_self: bool = False) -> tuple[urllib.parse.SplitResult, str]:
    """The URL's parts and the checked address to connect to; OutboundRefused when not allowed.
    `to_self`: a call to the portal's own SITE_URL, whose host is then allowed (nothing else is)."""
    if to_self and not url.startswith(settings.SITE_URL + "/"):
        raise OutboundRefused(_("Adresa nu este a portalului (SITE_URL)."))
    parts = _parts(url, https_only=https_only)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts, resolve(parts.hostname or "", port, to_self=to_self)


def url_validate(url: str, *, https_only: bool = False) -> None:
    """Save-time check (forms, serializers, model validators): a ValidationError with the reason."""
    try:
        url_check(url, https_only=https_only)
    except OutboundRefused as exc:
        raise ValidationError(exc.args[0], code="outbound_refused") from None


def webhook_url_validator(url: str) -> None:
    """Model field validator of institution webhook URLs: https, public address (or an allowed host)."""
    if url:
        url_validate(url, https_only=True)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int | None, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int | None, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]  # set by HTTPSConnection.__init__, private in typeshed


def connection(url: str, *, timeout: float, https_only: bool = False,
               to_self: bool = False) -> http.client.HTTPConnection:
    """An HTTP(S) connection to the URL's host, checked now and pinned to the checked address."""
    parts, address = url_check(url, https_only=https_only, to_self=to_self)
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    return cls(parts.hostname or "", parts.port, address=address, timeout=timeout)


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float, to_self: bool = False) -> int:
    """One POST through the guard; returns the HTTP status (OSError/HTTPException when unanswered)."""
    parts = urllib.parse.urlsplit(url)
    conn = connection(url, timeout=timeout, to_self=to_self)
    try:
        conn.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body=body,
                     headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()
