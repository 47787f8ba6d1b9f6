"""Issue 14 item 7: API tokens have a lifetime, rotate at each log-in and die at web log-out and at a
password change; people change their password on a web page and reset it by e-mail (real SMTP)."""
from __future__ import annotations

import re
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.helpers import otp_login
from tests.notifications.receivers import SmtpReceiver

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
PRIVATE = "/api/v1/notifications/"  # any endpoint that needs a log-in


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG, settings.DEMO_MODE = False, False


def _token(username="alice", password="alice-secret-pass") -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _works(token: str) -> bool:
    code = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get(PRIVATE).status_code
    assert code in (200, 401), code
    return code == 200


def test_each_log_in_gives_a_new_token_and_the_old_one_dies(cast):
    first = _token()
    second = _token()
    assert first != second
    assert not _works(first) and _works(second)
    assert Token.objects.filter(user=cast["alice"]).count() == 1


def test_a_token_expires_after_its_lifetime(cast, settings):
    settings.API_TOKEN_LIFETIME_SECONDS = 3600
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": "alice-secret-pass"}, format="json")
    token = response.json()["token"]
    expires = timezone.datetime.fromisoformat(response.json()["expires_at"])
    assert timedelta(minutes=59) < expires - timezone.now() <= timedelta(hours=1)
    assert _works(token)
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(seconds=3601))
    answer = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get(PRIVATE)
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]
    assert not Token.objects.filter(key=token).exists()


def test_a_web_log_out_ends_the_api_token(cast):
    token = _token()
    web = Client()
    assert web.post("/login/", {"username": "alice", "password": "alice-secret-pass"}).status_code == 302
    assert web.post("/logout/").status_code == 302
    assert not _works(token)


def test_changing_the_password_on_the_web_page_ends_every_token(cast):
    token = _token()
    web = Client()
    otp_login(web, cast["alice"])
    page = web.get("/password/change/")
    assert page.status_code == 200 and "Schimbă parola" in page.content.decode()
    wrong = web.post("/password/change/", {"old_password": "nope", "new_password1": "Noua-parola-2026!",
                                           "new_password2": "Noua-parola-2026!"})
    assert wrong.status_code == 200 and _works(token)
    done = web.post("/password/change/", {"old_password": "alice-secret-pass", "new_password1": "Noua-parola-2026!",
                                          "new_password2": "Noua-parola-2026!"})
    assert done.status_code == 302 and done["Location"] == "/password/change/done/"
    assert not _works(token)
    assert web.get(PRIVATE).status_code == 200  # the session that changed it stays logged in
    assert _works(_token(password="Noua-parola-2026!"))


def test_anonymous_people_cannot_open_the_change_page(cast):
    assert Client().get("/password/change/").status_code == 302


@pytest.mark.parametrize("language, subject", [("ro", "Parolă nouă"), ("en", "New password")])
def test_a_password_reset_by_email_links_to_site_url_and_sets_a_new_password(cast, settings, language, subject):
    smtp = SmtpReceiver().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp.port, 5
    settings.SITE_URL = "https://urbanism.example.ro"
    token = _token()
    web = Client()
    web.cookies["django_language"] = language
    try:
        # The Host header is an allowed one but not the site's: the link must still use SITE_URL.
        sent = web.post("/password/reset/", {"email": "alice@example.ro"}, HTTP_HOST="localhost")
        assert sent.status_code == 302 and sent["Location"] == "/password/reset/sent/"
        assert web.post("/password/reset/", {"email": "nobody@example.ro"}).status_code == 302  # no account leak
    finally:
        smtp.stop()
    [message] = smtp.messages
    assert message["To"] == "alice@example.ro"
    assert str(make_header(decode_header(message["Subject"]))).startswith(subject)
    body = message.get_payload(decode=True).decode()
    link = re.search(r"https://urbanism\.example\.ro(/password/reset/\S+/\S+/)", body)
    assert link and "localhost" not in body, body
    form = web.get(link.group(1), follow=True)
    assert form.status_code == 200 and b'name="new_password1"' in form.content
    saved = web.post(form.redirect_chain[-1][0], {"new_password1": "Resetata-2026!", "new_password2": "Resetata-2026!"})
    assert saved.status_code == 302 and saved["Location"] == "/password/reset/done/"
    assert not _works(token)
    assert _works(_token(password="Resetata-2026!"))
    assert web.get(link.group(1), follow=True).content.count(b'name="new_password1"') == 0  # used: dead
