"""Issue 14 items 1 and 3: nobody pays their own fee with the test provider, and no callback URL comes
from a request (the Host header cannot aim the server at another port)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from rest_framework.authtoken.models import Token

from permits.models import Application, Payment

REPO = Path(__file__).resolve().parents[2]


def _settings_in_production(**extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TESTING", "DEMO_MODE", "PAYMENT_PROVIDERS")}
    env.update({"DEBUG": "0", "DEMO_MODE": "0", "SECRET_KEY": "k" * 60, "DJANGO_SETTINGS_MODULE": "gis_portal.settings",
                **extra})
    code = "import django; django.setup(); from django.conf import settings as s; print(s.PAYMENT_PROVIDERS)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO)


def test_production_has_no_loopback_provider_and_refuses_to_start_with_it():
    assert _settings_in_production().stdout.strip() == "[]"
    refused = _settings_in_production(PAYMENT_PROVIDERS="loopback")
    assert refused.returncode != 0
    assert "loopback" in refused.stderr and "DEMO_MODE" in refused.stderr


@pytest.mark.django_db
def test_without_the_provider_enabled_no_session_starts_and_the_pay_url_is_404(cu_draft, cast, api, settings):
    settings.DEBUG, settings.DEMO_MODE, settings.PAYMENT_PROVIDERS = False, False, []
    client, pk = cu_draft(docs=False)
    started = client.post(f"/api/v1/applications/{pk}/payments/", {"provider": "loopback"}, format="json")
    assert started.status_code == 400 and "provider" in started.json()["errors"]
    # A payment row left by an earlier configuration cannot be paid either.
    app = Application.objects.get(pk=pk)
    Payment.objects.create(application=app, provider="loopback", reference="old-session", amount_ron=app.fee_ron)
    assert client.post("/api/v1/payments/loopback/old-session/pay/").status_code == 404
    assert Application.objects.get(pk=pk).paid_at is None


class _Listener:
    """A TCP port that records whether anyone connected (the target of a forged Host header)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.mark.django_db(transaction=True)
def test_only_the_applicant_pays_and_the_callback_goes_to_site_url_whatever_the_host_header(
        live_server, cu_draft, cast, settings):
    settings.SITE_URL = live_server.url
    _, pk = cu_draft(docs=False)
    alice = {"Authorization": f"Token {Token.objects.get_or_create(user=cast['alice'])[0].key}"}
    bob = {"Authorization": f"Token {Token.objects.get_or_create(user=cast['bob'])[0].key}"}
    session = requests.post(f"{live_server.url}/api/v1/applications/{pk}/payments/", json={"provider": "loopback"},
                            headers={**alice, "Host": "127.0.0.1:1"}, timeout=10)
    assert session.status_code == 201, session.text
    pay_url = session.json()["pay_url"]
    assert pay_url.startswith(live_server.url + "/")  # from SITE_URL, not from the Host header

    anonymous = requests.post(pay_url, timeout=20)
    assert anonymous.status_code in (401, 403)
    assert requests.post(pay_url, headers=bob, timeout=20).status_code == 404
    assert Application.objects.get(pk=pk).paid_at is None
    assert Payment.objects.get(application_id=pk).state == "pending"

    listener = _Listener()
    try:
        paid = requests.post(pay_url, headers={**alice, "Host": f"127.0.0.1:{listener.port}"}, timeout=20)
    finally:
        listener.close()
    assert paid.status_code == 200, paid.text
    assert "callback_status" not in paid.json()
    assert listener.connections == 0  # the forged Host was never called
    assert paid.json()["state"] == "paid"
    assert Application.objects.get(pk=pk).paid_at is not None


@pytest.mark.django_db
def test_receipt_numbers_are_unique_per_issuer_and_the_refusal_names_no_other_issuer(submitted_cu, api, cast,
                                                                                    parcel_factory, territory):
    from tests.conftest import BACAU_E, BACAU_N

    _, bacau_pk = submitted_cu()
    hemeius_parcel = parcel_factory(uat=territory["uat_b"], e=BACAU_E - 4000, n=BACAU_N)
    _, hemeius_pk = submitted_cu(parcels=[hemeius_parcel])
    _, bacau_other_pk = submitted_cu()
    bacau, hemeius = Application.objects.get(pk=bacau_pk), Application.objects.get(pk=hemeius_pk)
    assert (bacau.issuer_id, hemeius.issuer_id) == (territory["issuer_a"].pk, territory["issuer_b"].pk)

    def receipt(clerk, app, reference="R1"):
        return api(cast[clerk]).post(f"/api/v1/applications/{app.pk}/payments/",
                                     {"amount_ron": str(app.fee_ron), "reference": reference}, format="json")

    assert receipt("dave", hemeius).status_code == 201
    assert receipt("carol", bacau).status_code == 201  # Bacău's own "R1": not Hemeiuș's business
    again = receipt("carol", Application.objects.get(pk=bacau_other_pk))
    assert again.status_code == 400
    text = again.content.decode()
    assert "Hemeiu" not in text and str(hemeius.pk) not in text
    assert Payment.objects.filter(reference="R1").count() == 2
    assert Application.objects.get(pk=bacau_other_pk).paid_at is None
