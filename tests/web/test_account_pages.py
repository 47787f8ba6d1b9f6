"""Browser journeys of the account and institution pages (issue 14 item 7, issue 15 point 6), through
the interface alone, in Romanian and English, at desktop and phone sizes."""
from __future__ import annotations

import pytest

from institutions.models import Institution, InstitutionEvent
from tests.web.conftest import login, shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def culture_admin(cast):
    frank = cast["frank"]
    frank.institution_admin = True
    frank.save(update_fields=["institution_admin"])
    return frank


def _switch_to_english(page) -> None:
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_an_institution_administrator_sets_the_webhook_and_rotates_the_secret(page, culture_admin, cast, settings,
                                                                              size):
    settings.OUTBOUND_ALLOWED_HOSTS = []
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, "frank")
    page.get_by_role("link", name="Setări webhook").click()
    field = page.get_by_label("Adresa webhook (https://)")
    field.fill("https://169.254.169.254/latest/meta-data/")
    page.get_by_role("button", name="Salvează adresa").click()
    assert page.get_by_role("alert").first.inner_text().startswith("Adresa indică o rețea internă")
    shot(page, f"webhook-refused-ro-{size[0]}")
    page.get_by_label("Adresa webhook (https://)").fill("https://193.231.20.1/hooks/portal")
    page.get_by_role("button", name="Salvează adresa").click()
    page.get_by_text("Adresa webhook a fost salvată.").wait_for()
    _switch_to_english(page)
    page.get_by_role("button", name="Rotate the secret").click()
    secret = Institution.objects.get(pk=cast["culture"].pk).webhook_secret
    assert page.locator("code.secret").inner_text() == secret
    shot(page, f"webhook-rotated-en-{size[0]}")
    assert set(InstitutionEvent.objects.values_list("action", flat=True)) == {"webhook_url_set",
                                                                              "webhook_secret_rotated"}


def test_a_user_changes_the_password_from_the_header(page, cast):
    login(page, "alice")
    page.get_by_role("link", name="Parola").click()
    page.get_by_label("Parolă veche").fill("alice-secret-pass")
    page.get_by_label("Parolă nouă", exact=True).fill("Noua-parola-2026!")
    page.get_by_label("Confirmarea parolă nouă").fill("Noua-parola-2026!")
    shot(page, "password-change-ro-1280")
    page.get_by_role("button", name="Schimbă parola").click()
    page.get_by_role("heading", name="Parola a fost schimbată").wait_for()
    cast["alice"].refresh_from_db()
    assert cast["alice"].check_password("Noua-parola-2026!")
