"""Issue 19 item 5 in the browser: a chief architect without an authenticator app logs in, is sent to the
enrolment page, adds the key shown there to "her app" (the code is computed from the key the page shows),
keeps her recovery codes, lands on her work list; logs out and in again through the second-factor page;
sees her sessions on the security page and ends the other one. Screenshots of the three pages in RO and EN,
on a desktop (1366×768) and a phone (390×844)."""
from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.models import UserSession
from tests.web.conftest import SCREENSHOTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ro": {"enrol": "Înrolați aplicația de autentificare", "confirm": "Confirmă și activează", "code": "Cod de autentificare",
           "saved": "Am salvat codurile, continuă", "verify": "Verifică", "second": "Autentificare în doi pași",
           "security": "Securitate", "logout": "Ieșire", "end": "Închide", "wrong": "Codul nu este corect"},
    "en": {"enrol": "Enrol your authenticator app", "confirm": "Confirm and activate", "code": "Authentication code",
           "saved": "I saved the codes, continue", "verify": "Verify", "second": "Two-factor authentication",
           "security": "Security", "logout": "Log out", "end": "End", "wrong": "The code is not correct"},
}
VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}


def _code_from_page_key(page) -> str:
    """What an authenticator app shows for the key typed from the page."""
    key = page.locator("#otp-secret").inner_text().replace(" ", "")
    key += "=" * (-len(key) % 8)
    return f"{TOTP(b32decode(key)).token():06d}"


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language, device", [("ro", "desktop"), ("en", "phone"), ("en", "desktop"), ("ro", "phone")])
def test_a_chief_architect_enrols_logs_in_with_the_code_and_ends_a_session(
        browser, live_server, cast, language, device):
    w = WORDS[language]
    width, height = VIEWPORTS[device]
    other = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url,
                                  locale="ro-RO")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # the password: then the enrolment page, nothing else
    page.goto("/login/")
    if language == "en":
        page.locator(".lang-switch").get_by_role("button", name="English").click()
    labels = {"ro": ("Nume utilizator", "Parolă", "Intră"), "en": ("Username", "Password", "Log in")}[language]
    page.get_by_label(labels[0], exact=True).fill("erin")
    page.get_by_label(labels[1], exact=True).fill("erin-secret-pass")
    page.get_by_role("button", name=labels[2], exact=True).click()
    page.wait_for_url(re.compile(r"/account/second-factor/enrol/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(w["enrol"])
    expect(page.locator(".otp-qr svg")).to_be_visible()
    _shot(page, f"security-{language}-{device}-1-enrol")
    page.goto("/staff/queue/")  # still only the enrolment
    page.wait_for_url(re.compile(r"/account/second-factor/enrol/"))
    page.get_by_label(w["code"]).fill("000000")
    page.get_by_role("button", name=w["confirm"]).click()
    expect(page.locator(".field .error")).to_contain_text(w["wrong"])
    page.get_by_label(w["code"]).fill(_code_from_page_key(page))
    page.get_by_role("button", name=w["confirm"]).click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name=w["saved"]).click()
    page.wait_for_url(re.compile(r"/staff/queue/"))

    # another device of hers, through the shared helper (the second-factor page with a real code)
    other_page = other.new_page()
    login(other_page, "erin")
    other_page.wait_for_url(re.compile(r"/staff/queue/"))

    # a second log-in in this browser: the second-factor page
    page.get_by_role("button", name=w["logout"]).click()
    page.goto("/login/")
    page.get_by_label(labels[0], exact=True).fill("erin")
    page.get_by_label(labels[1], exact=True).fill("erin-secret-pass")
    page.get_by_role("button", name=labels[2], exact=True).click()
    page.wait_for_url(re.compile(r"/account/second-factor/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text(w["second"])
    _shot(page, f"security-{language}-{device}-2-second-factor")
    from tests.helpers import totp_code

    page.get_by_label(w["code"]).fill(totp_code(cast["erin"]))
    page.get_by_role("button", name=w["verify"]).click()
    page.wait_for_url(re.compile(r"/staff/queue/"))

    # the security page: two sessions; the other one is ended
    page.get_by_role("link", name=w["security"], exact=True).click()
    page.wait_for_url(re.compile(r"/account/security/"))
    expect(page.locator("#sessions tbody tr")).to_have_count(2)
    _shot(page, f"security-{language}-{device}-3-security")
    page.locator("#sessions tbody tr").filter(has=page.get_by_role("button", name=w["end"])).get_by_role(
        "button", name=w["end"]).click()
    expect(page.locator("#sessions tbody tr")).to_have_count(1)
    assert UserSession.objects.filter(user=cast["erin"]).count() == 1
    other_page.goto("/staff/queue/")
    other_page.wait_for_url(re.compile(r"/login/"))
    assert not errors
    other.close()
    context.close()
