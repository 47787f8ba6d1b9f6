"""Issue 15 point 6: an institution administrator sets its webhook URL (https, public address) and
rotates its signing secret in the web app; the secret is shown once; every change is audited."""
from __future__ import annotations

import pytest
from django.test import Client

from institutions.models import Institution, InstitutionEvent
from tests.helpers import otp_login

pytestmark = pytest.mark.django_db
URL = "/institution/settings/"
PUBLIC_HOOK = "https://193.231.20.1/hooks/portal"  # a public address literal: no DNS needed offline


@pytest.fixture
def frank_admin(cast):
    culture = cast["culture"]
    culture.webhook_secret = "old-secret-" + "0" * 53
    culture.save(update_fields=["webhook_secret"])
    frank = cast["frank"]
    frank.institution_admin = True
    frank.save(update_fields=["institution_admin"])
    return frank


def _client(user, language="ro") -> Client:
    client = Client()
    otp_login(client, user)
    client.cookies["django_language"] = language
    return client


def test_only_the_institutions_administrators_open_the_page(cast, frank_admin):
    assert Client().get(URL).status_code == 302
    for name in ("alice", "carol", "grace"):  # grace: a reviewer of another institution, not an administrator
        assert _client(cast[name]).get(URL).status_code == 403
    page = _client(frank_admin).get(URL)
    assert page.status_code == 200 and cast["culture"].name in page.content.decode()
    assert cast["culture"].webhook_secret not in page.content.decode()


@pytest.mark.parametrize("url, words", [
    ("http://hooks.example.ro/portal", ("https://", "https://")),
    ("https://localhost/portal", ("rețea internă", "internal network")),
    ("https://169.254.169.254/latest/meta-data/", ("rețea internă", "internal network")),
    ("https://[::1]:5432/", ("rețea internă", "internal network")),
    ("https://10.0.0.5/portal", ("rețea internă", "internal network")),
])
def test_an_unsafe_url_is_refused_with_the_reason_in_the_users_language(cast, frank_admin, url, words, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = []
    for language, word in zip(("ro", "en"), words, strict=False):
        response = _client(frank_admin, language).post(URL, {"action": "url", "webhook_url": url})
        assert response.status_code == 200 and word in response.content.decode(), language
    assert Institution.objects.get(pk=cast["culture"].pk).webhook_url == ""
    assert not InstitutionEvent.objects.exists()


def test_a_public_https_url_is_saved_and_audited(cast, frank_admin):
    response = _client(frank_admin).post(URL, {"action": "url", "webhook_url": PUBLIC_HOOK})
    assert response.status_code == 302 and response["Location"] == URL
    assert Institution.objects.get(pk=cast["culture"].pk).webhook_url == PUBLIC_HOOK
    [event] = InstitutionEvent.objects.all()
    assert (event.action, event.by_id, event.detail) == ("webhook_url_set", frank_admin.pk, PUBLIC_HOOK)


def test_a_host_named_by_the_setting_may_be_internal(cast, frank_admin, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["localhost"]
    response = _client(frank_admin).post(URL, {"action": "url", "webhook_url": "https://localhost:8443/hook"})
    assert response.status_code == 302


def test_rotating_the_secret_shows_the_new_one_once_and_audits_without_it(cast, frank_admin):
    old = cast["culture"].webhook_secret
    client = _client(frank_admin, "en")
    response = client.post(URL, {"action": "rotate"})
    new = Institution.objects.get(pk=cast["culture"].pk).webhook_secret
    assert new != old and len(new) == 64
    text = response.content.decode()
    assert response.status_code == 200 and new in text and "will not be shown again" in text
    assert "no-store" in response["Cache-Control"]
    assert new not in client.get(URL).content.decode()
    [event] = InstitutionEvent.objects.all()
    assert event.action == "webhook_secret_rotated" and new not in event.detail and old not in event.detail


def test_a_reviewer_who_is_not_administrator_cannot_rotate(cast, frank_admin):
    frank_admin.institution_admin = False
    frank_admin.save(update_fields=["institution_admin"])
    old = cast["culture"].webhook_secret
    assert _client(cast["frank"]).post(URL, {"action": "rotate"}).status_code == 403
    assert Institution.objects.get(pk=cast["culture"].pk).webhook_secret == old
