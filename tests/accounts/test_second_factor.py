"""Issue 19 item 5: two-factor log-in (TOTP + recovery codes) mandatory for staff, reviewers and admins,
optional for investors; in production mode (DEBUG=0, DEMO_MODE=0) a staff log-in without the second factor
reaches nothing (web pages, session API, /admin/, token API), wrong codes are counted and limited, and a
recovery code works once."""
from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import mfa
from tests.helpers import otp_login, second_factor_device, totp_code

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def production(settings):
    settings.DEBUG, settings.DEMO_MODE = False, False
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 1


def _password(client: Client, username: str, next_url: str = ""):
    data = {"username": username, "password": f"{username}-secret-pass"}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data)


def test_a_staff_password_alone_opens_no_page_api_or_admin(cast, production):
    second_factor_device(cast["carol"])
    client = Client()
    assert _password(client, "carol", "/staff/queue/").status_code == 302
    page = client.get("/staff/queue/")
    assert page.status_code == 302 and page["Location"].startswith("/account/second-factor/?next=%2Fstaff%2Fqueue%2F")
    api = client.get("/api/v1/applications/")
    assert api.status_code == 403 and "doi pași" in api.json()["detail"]
    assert client.get("/manage/staff/").status_code == 302
    form = client.get("/account/second-factor/")
    assert form.status_code == 200 and 'name="otp"' in form.content.decode()
    # the code opens the session: to the page first asked for
    done = client.post("/account/second-factor/?next=/staff/queue/", {"otp": totp_code(cast["carol"])})
    assert done.status_code == 302 and done["Location"] == "/staff/queue/"
    assert client.get("/staff/queue/").status_code == 200
    assert client.get("/api/v1/applications/").status_code == 200


def test_the_admin_needs_the_second_factor_too(cast, production):
    root = cast["root"]
    second_factor_device(root)
    client = Client()
    response = client.post("/admin/login/", {"username": "root", "password": "root-secret-pass", "next": "/admin/"})
    assert response.status_code == 302
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/account/second-factor/")
    # The admin site itself refuses an unverified session even past the middleware.
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = root
    root.is_verified = lambda: False
    assert not django_admin.site.has_permission(request)
    root.is_verified = lambda: True
    assert django_admin.site.has_permission(request)
    verified = otp_login(Client(), root)
    assert verified.get("/admin/").status_code == 200


def test_staff_without_an_app_must_enrol_before_anything_else(cast, production):
    erin = cast["erin"]
    client = Client()
    assert _password(client, "erin").status_code == 302
    response = client.get("/staff/queue/")
    assert response.status_code == 302 and response["Location"].startswith("/account/second-factor/enrol/")
    # The second-factor page also sends there while there is nothing to check a code against.
    assert client.get("/account/second-factor/")["Location"].startswith("/account/second-factor/enrol/")
    page = client.get("/account/second-factor/enrol/").content.decode()
    assert "<svg" in page and "otpauth" not in page  # the QR is drawn inline, the URL is not printed
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=erin, confirmed=False)
    assert secret.replace(" ", "") == mfa.totp_secret(device).replace(" ", "")
    wrong = client.post("/account/second-factor/enrol/", {"otp": "000000"})
    assert wrong.status_code == 400 and "nu este corect" in wrong.content.decode()
    assert client.get("/staff/queue/").status_code == 302
    clock = TOTP(device.bin_key)
    done = client.post("/account/second-factor/enrol/", {"otp": f"{clock.token():06d}"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=erin).count() == 10
    assert TOTPDevice.objects.get(user=erin).confirmed
    assert client.get("/staff/queue/").status_code == 200


def test_a_password_alone_cannot_enrol_a_new_app_over_an_existing_one(cast, production):
    second_factor_device(cast["carol"])
    client = Client()
    _password(client, "carol")
    response = client.get("/account/second-factor/enrol/")
    assert response.status_code == 302 and response["Location"].startswith("/account/second-factor/?")
    assert TOTPDevice.objects.filter(user=cast["carol"]).count() == 1


def test_wrong_codes_are_counted_and_limited(cast, production, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "otp": "4/d"}}
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute's wait after the first wrong code: longer than the test
    device = second_factor_device(cast["carol"])
    client = Client()
    _password(client, "carol")
    assert client.post("/account/second-factor/", {"otp": "123456"}).status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Right after a wrong code the device waits (factor × 2^(failures-1) s): even the right code is refused now.
    assert client.post("/account/second-factor/", {"otp": totp_code(cast["carol"])}).status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the wait does not count as another failure
    assert client.get("/staff/queue/").status_code == 302
    # the fourth attempt of the account uses the day's allowance; the fifth is refused before any check
    assert APIClient().post(TOKEN_URL, {"username": "carol", "password": "carol-secret-pass", "otp": "111111"},
                            format="json").status_code == 400
    assert client.post("/account/second-factor/", {"otp": "222222"}).status_code in (400,)
    limited = client.post("/account/second-factor/", {"otp": totp_code(cast["carol"])})
    assert limited.status_code == 429 and "Prea multe coduri" in limited.content.decode()
    token = APIClient().post(TOKEN_URL, {"username": "carol", "password": "carol-secret-pass",
                                         "otp": totp_code(cast["carol"])}, format="json")
    assert token.status_code == 429 and token["Retry-After"]


def test_a_recovery_code_works_once(cast, production):
    carol = cast["carol"]
    second_factor_device(carol)
    codes = mfa.recovery_codes_generate(user=carol)
    first = Client()
    _password(first, "carol")
    response = first.post("/account/second-factor/", {"otp": codes[0].upper()})
    assert response.status_code == 302
    assert first.get("/staff/queue/").status_code == 200
    assert mfa.recovery_codes_left(carol) == 9
    # the token API takes recovery codes the same way
    ok = APIClient().post(TOKEN_URL, {"username": "carol", "password": "carol-secret-pass", "otp": codes[1]},
                          format="json")
    assert ok.status_code == 200
    assert mfa.recovery_codes_left(carol) == 8
    # a used code opens nothing a second time
    second = Client()
    _password(second, "carol")
    assert second.post("/account/second-factor/", {"otp": codes[0]}).status_code == 400
    assert second.get("/staff/queue/").status_code == 302
    again = APIClient().post(TOKEN_URL, {"username": "carol", "password": "carol-secret-pass", "otp": codes[1]},
                             format="json")
    assert again.status_code == 400


def test_the_token_api_asks_staff_for_the_code(cast, production):
    second_factor_device(cast["frank"])
    client = APIClient()
    missing = client.post(TOKEN_URL, {"username": "frank", "password": "frank-secret-pass"}, format="json")
    assert missing.status_code == 400 and "otp" in missing.json()["errors"]
    assert "otp" in missing.json()["detail"]
    ok = client.post(TOKEN_URL, {"username": "frank", "password": "frank-secret-pass",
                                 "otp": totp_code(cast["frank"])}, format="json")
    assert ok.status_code == 200 and ok.json()["token"]
    # (a wrong code after it: the device then waits a second before it checks another)
    wrong = client.post(TOKEN_URL, {"username": "frank", "password": "frank-secret-pass", "otp": "000000"},
                        format="json")
    assert wrong.status_code == 400
    english = client.post(TOKEN_URL, {"username": "frank", "password": "frank-secret-pass"}, format="json",
                          HTTP_COOKIE="django_language=en")
    assert "second factor" in english.json()["detail"] or "two-factor" in english.json()["detail"]
    # An investor without a second factor still gets a token with the password alone.
    assert client.post(TOKEN_URL, {"username": "alice", "password": "alice-secret-pass"},
                       format="json").status_code == 200


def test_a_staff_account_without_an_app_gets_no_token(cast, production):
    response = APIClient().post(TOKEN_URL, {"username": "dave", "password": "dave-secret-pass", "otp": "123456"},
                                format="json")
    assert response.status_code == 400


def test_the_second_factor_is_optional_for_investors_then_required(cast, production):
    alice = cast["alice"]
    client = Client()
    _password(client, "alice")
    assert client.get("/requests/").status_code == 200
    assert "Activează autentificarea în doi pași" in client.get("/account/security/").content.decode()
    client.get("/account/second-factor/enrol/")
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert client.post("/account/second-factor/enrol/", {"otp": f"{TOTP(device.bin_key).token():06d}"}).status_code == 200
    later = Client()
    _password(later, "alice")
    assert later.get("/requests/").status_code == 302
    assert APIClient().post(TOKEN_URL, {"username": "alice", "password": "alice-secret-pass"},
                            format="json").status_code == 400
    # and she may turn it off again (staff may not)
    assert client.post("/account/second-factor/off/").status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    staff = otp_login(Client(), cast["carol"])
    assert staff.post("/account/second-factor/off/").status_code == 403


def test_the_demo_secret_exists_only_in_demo_mode_and_tests(cast, settings):
    settings.DEMO_MODE, settings.TESTING = False, False
    with pytest.raises(ImproperlyConfigured):
        mfa.demo_totp_device(user=cast["carol"])
    settings.DEMO_MODE = True
    device = mfa.demo_totp_device(user=cast["carol"])
    assert mfa.totp_secret(device).replace(" ", "") == mfa.DEMO_TOTP_SECRET.rstrip("=")


def test_demo_accounts_get_the_documented_secret(territory, settings):
    from accounts.demo import ensure_demo_accounts
    from institutions.services import institutions_seed

    institutions_seed()
    users = {u.username: u for u in ensure_demo_accounts(password="demo-parola-2026")}
    assert mfa.totp_device(users["investitor"]) is None
    for name in ("functionar", "arhitect", "cultura", "admin"):
        assert mfa.totp_secret(mfa.totp_device(users[name])).replace(" ", "") == "OBXXE5DBNQWWIZLNN4WTEZTBFUZDAMRW"
    readme = (__import__("pathlib").Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "OBXXE5DBNQWWIZLNN4WTEZTBFUZDAMRW" in readme
