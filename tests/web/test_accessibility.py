"""Accessibility of each journey's main pages, in both languages, checked by axe-core in Chromium, and
the investor map used with the keyboard alone.

axe-core comes from node_modules (pinned in package.json, installed by `npm ci` in
scripts/bootstrap.sh) and is injected into the page from disk: nothing is fetched at run time.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from avize.models import AvizRequest
from tests.helpers import otp_login
from tests.web.conftest import shot, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture
def axe_context(browser, live_server):
    """A new page in the context of this person, language and log-in state (one context each, reused for
    their pages: its session and HTTP cache, as one person browsing; the pages keep nothing in storage).
    CSP is bypassed only so axe's source can be injected."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    contexts = {}

    def make(user=None, language="ro", verified=True):
        key = (user and user.pk, language, verified)
        if key in contexts:
            return contexts[key].new_page()
        context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=live_server.url,
                                      bypass_csp=True)
        context.set_default_timeout(15_000)
        cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
        if user is not None:
            client = Client()
            if verified:
                otp_login(client, user)
            else:  # the password only: the second-factor pages
                client.force_login(user)
            cookies.append({"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url})
        context.add_cookies(cookies)
        contexts[key] = context
        return context.new_page()

    yield make
    for context in contexts.values():
        context.close()


def blocking_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
            for v in violations if v["impact"] in BLOCKING]


@pytest.mark.parametrize("language", ["ro", "en"])
def test_the_main_page_of_each_journey_has_no_serious_accessibility_violation(
        axe_context, mapped_world, submitted_cu, ac_in_avize, language):
    w = mapped_world
    aviz = AvizRequest.objects.get(application=ac_in_avize, institution=w["culture"])
    from avize.services import aviz_completion_request

    aviz_completion_request(request=aviz, by=w["frank"], text="Lipsește studiul istoric.")  # the upload card
    pages = [
        (None, "/", True),
        (None, "/login/", False),
        (None, "/signup/", False),
        (w["alice"], f"/requests/new/cu/?parcel={w['parcels'][0].pk}", True),
        (w["alice"], "/requests/", False),
        (w["alice"], f"/requests/{submitted_cu.pk}/", True),
        (w["alice"], f"/requests/new/ac/?parcel={w['parcels'][0].pk}", True),
        (w["carol"], "/staff/queue/", True),
        (w["carol"], f"/requests/{submitted_cu.pk}/", True),
        (w["alice"], f"/requests/{ac_in_avize.pk}/", True),
        (w["erin"], f"/requests/{ac_in_avize.pk}/", True),
        (w["erin"], "/manage/staff/", False),
        (w["frank"], "/inbox/", False),
        (w["frank"], f"/inbox/{aviz.pk}/", True),
    ]
    found = {}
    for user, url, has_map in pages:
        page = axe_context(user, language)
        response = page.goto(url)
        assert response.status == 200, url
        assert page.evaluate("document.documentElement.lang") == language
        if has_map:
            wait_for_map(page)
        if url == "/":  # the map with a parcel chosen: panel, legend and the distance labels on the map
            page.locator("#search-q").fill("70001")
            page.locator("#search-form button[type=submit]").click()
            expect(page.locator("#map .hit-label")).to_have_count(1)
            expect(page.locator("#fee")).not_to_have_text("…")
        if url.startswith("/requests/new/"):  # every step of the wizard at once: all its fields and buttons
            expect(page.locator("#chosen-parcels li")).to_have_count(1)
            page.evaluate("document.querySelectorAll('.wizard-step[hidden]').forEach((s) => { s.hidden = false; })")
        violations = blocking_violations(page)
        if violations:
            found[url] = violations
        page.close()
    assert not found, found


@pytest.mark.parametrize("language", ["ro", "en"])
def test_the_two_factor_and_security_pages_have_no_serious_accessibility_violation(axe_context, cast, language):
    from tests.helpers import second_factor_device

    carol = cast["carol"]
    second_factor_device(carol)
    admin = otp_login(Client(), cast["root"])
    admin.post(f"/manage/users/{carol.pk}/security/", {"action": "revoke_token"})  # an audit entry to show
    pages = [
        (carol, False, "/account/second-factor/"),
        (cast["erin"], False, "/account/second-factor/enrol/"),
        (carol, True, "/account/security/"),
        (cast["alice"], True, "/account/security/"),
        (cast["root"], True, "/manage/users/"),
        (cast["root"], True, f"/manage/users/{carol.pk}/security/"),
        (cast["root"], True, "/manage/audit/"),
    ]
    found = {}
    for user, verified, url in pages:
        page = axe_context(user, language, verified=verified)
        response = page.goto(url)
        assert response.status == 200 and page.url.endswith(url), url
        assert page.evaluate("document.documentElement.lang") == language
        violations = blocking_violations(page)
        if violations:
            found[url] = violations
        page.close()
    assert not found, found


def test_the_map_page_works_with_the_keyboard_alone(page, mapped_world):
    page.goto("/")
    wait_for_map(page)

    def tab_to(predicate: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
                return
        raise AssertionError(f"Tab never reached {predicate}")

    def focus_is_visible() -> bool:
        return page.evaluate("""() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        }""")

    # The skip link comes first and leads to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    assert focus_is_visible()
    # Search: type and press Enter.
    tab_to("el.id === 'search-q'")
    assert focus_is_visible()
    page.keyboard.type("70001")
    page.keyboard.press("Enter")
    expect(page.locator("#parcel-title")).to_have_text("Parcela 70001")
    # A legend toggle: Space switches a constraint layer on and off.
    toggle = page.locator(".legend").get_by_label("Monumente istorice")
    expect(toggle).to_be_checked()  # the analysis hit it
    tab_to("el.matches('.legend input[data-layer=monumente]')")
    assert focus_is_visible()
    shot(page, "keyboard-01-legend-focus")
    page.keyboard.press("Space")
    expect(toggle).not_to_be_checked()
    assert page.evaluate("window.portalMap.getLayoutProperty('monumente-point', 'visibility')") == "none"
    page.keyboard.press("Space")
    expect(toggle).to_be_checked()
    assert page.evaluate("window.portalMap.getLayoutProperty('monumente-point', 'visibility')") == "visible"
    # The map itself takes the keyboard: + zooms in.
    page.locator("#map canvas").focus()
    zoom = page.evaluate("window.portalMap.getZoom()")
    page.keyboard.press("+")
    # A function, not an expression: Playwright polls an expression with eval(), which the page's CSP
    # forbids (the test failed whenever the zoom had not changed by the first check).
    page.wait_for_function("(zoom) => window.portalMap.getZoom() > zoom", arg=zoom)
    # The language switch, from the top of a fresh page: Enter submits it.
    page.goto("/")
    tab_to("el.matches('.lang-switch button')")
    assert focus_is_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Find your parcel")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert not page.console_errors, page.console_errors
