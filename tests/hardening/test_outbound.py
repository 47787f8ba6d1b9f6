"""Issue 14 item 4: one guard for every outbound HTTP call (gis_portal.outbound).

Internal destinations are refused when a webhook URL is saved and again when it is called; the
connection goes to the address that was checked (no second DNS lookup to rebind); the delivery log
says the same thing for every way a connection fails.
"""
from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gis_portal import outbound
from notifications.models import Notification
from notifications.services import RetryLater, notification_deliver, notify
from tests.notifications.conftest import SECRET, wire_institution
from tests.notifications.receivers import WebhookReceiver, free_port

pytestmark = pytest.mark.django_db

FORBIDDEN = ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
             "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
             "fd00:ec2::254", "fc00::5", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
             "64:ff9b::7f00:1", "2002:7f00:1::1", "2001:db8::1"]
PUBLIC = ["8.8.8.8", "193.231.20.1", "2a00:1450:4001:80b::200e"]


@pytest.mark.parametrize("address", FORBIDDEN)
def test_internal_addresses_are_forbidden(address):
    assert outbound.address_forbidden(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert not outbound.address_forbidden(address)


@pytest.mark.parametrize("url", ["https://localhost/hook", "https://127.0.0.1/hook", "https://[::1]:5432/",
                                 "https://169.254.169.254/latest/meta-data/", "https://[::ffff:127.0.0.1]/",
                                 "https://10.0.0.7/hook", "https://[fd00:ec2::254]/"])
def test_a_webhook_url_to_an_internal_address_is_refused_when_saved_in_both_languages(cast, settings, url):
    settings.OUTBOUND_ALLOWED_HOSTS = []
    institution = cast["culture"]
    institution.webhook_url = url
    with translation.override("ro"):
        with pytest.raises(ValidationError) as ro:
            institution.full_clean()
        # The messages are lazy: read them while the language is still the one under test.
        assert "rețea internă" in str(ro.value.message_dict["webhook_url"])
    with translation.override("en"):
        with pytest.raises(ValidationError) as en:
            institution.full_clean()
        assert "internal network" in str(en.value.message_dict["webhook_url"])


def test_a_webhook_url_must_be_https_unless_the_setting_names_its_host(cast, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = []
    institution = cast["culture"]
    institution.webhook_url = "http://hooks.example.ro/portal"
    with translation.override("ro"):
        with pytest.raises(ValidationError) as refused:
            institution.full_clean()
        assert "https://" in str(refused.value.message_dict["webhook_url"])
    settings.OUTBOUND_ALLOWED_HOSTS = ["localhost"]
    institution.webhook_url = "http://localhost:8443/portal"
    institution.full_clean()  # named by the setting: allowed, even over plain http


def test_localhost_is_refused_at_delivery_when_the_setting_does_not_name_it(cast, settings):
    """The row was written around the save-time check (or DNS changed since): the call checks again."""
    receiver = WebhookReceiver(secret=SECRET).start()
    try:
        url = f"http://localhost:{receiver.server.server_address[1]}/hooks/portal"
        settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]  # the address is allowed, the name "localhost" is not
        culture = wire_institution(cast["culture"], webhook_url=url)
        [hook] = notify(event="aviz_requested", institution=culture, context={}, idempotency_key="guard:1")
        with pytest.raises(RetryLater):
            notification_deliver(notification_id=hook.pk)
        assert receiver.requests == []
        assert "outbound policy" in Notification.objects.get(pk=hook.pk).last_error
        settings.OUTBOUND_ALLOWED_HOSTS = ["localhost"]
        assert notification_deliver(notification_id=hook.pk) == "delivered"
        assert len(receiver.requests) == 1
    finally:
        receiver.stop()


def test_the_connection_goes_to_the_checked_address_not_to_a_second_dns_answer(cast, settings, monkeypatch):
    """DNS rebinding: the first answer (checked) is where the request goes; a later, different answer
    is never asked for nor used."""
    receiver = WebhookReceiver(secret=SECRET).start()
    port = receiver.server.server_address[1]
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1", "10.66.66.66", "10.66.66.66"])
    looked_up = []

    def rebinding(host, *args, **kwargs):
        if host != "hooks.rebind.test":
            return real(host, *args, **kwargs)
        address = next(answers)
        looked_up.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    settings.OUTBOUND_ALLOWED_HOSTS = ["hooks.rebind.test"]
    try:
        culture = wire_institution(cast["culture"], webhook_url=f"http://hooks.rebind.test:{port}/hooks/portal")
        [hook] = notify(event="aviz_requested", institution=culture, context={}, idempotency_key="rebind:1")
        assert notification_deliver(notification_id=hook.pk) == "delivered"
    finally:
        receiver.stop()
    assert looked_up == ["127.0.0.1"] and len(receiver.requests) == 1


def test_the_delivery_log_says_the_same_for_a_closed_port_and_a_port_that_hangs_up(cast, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    errors = []
    try:
        for key, port in (("closed", free_port()), ("hangs-up", listener.getsockname()[1])):
            culture = wire_institution(cast["culture"], webhook_url=f"http://127.0.0.1:{port}/x")
            [hook] = notify(event="aviz_requested", institution=culture, context={}, idempotency_key=key)
            if key == "hangs-up":
                # Accept and close at once, as a non-HTTP service would.
                import threading

                threading.Thread(target=lambda: listener.accept()[0].close(), daemon=True).start()
            with pytest.raises(RetryLater):
                notification_deliver(notification_id=hook.pk)
            errors.append(Notification.objects.get(pk=hook.pk).last_error)
    finally:
        listener.close()
    assert errors[0] == errors[1] == "webhook unreachable (no valid HTTP answer)"
