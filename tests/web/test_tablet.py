"""The investor map on a tablet (touch, mobile viewport), portrait and landscape: search, tap a parcel on
the map, read the panel, never a horizontal scroll."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import shot, wait_for_map
from tests.web.test_journeys import lonlat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLETS = {"portrait": (820, 1180), "landscape": (1180, 820)}


@pytest.fixture(params=sorted(TABLETS))
def tablet(request, browser, live_server):
    width, height = TABLETS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=2,
                                  has_touch=True, is_mobile=True, locale="ro-RO", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.orientation = request.param
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


def assert_no_horizontal_scroll(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"horizontal scroll: {width} > {inner}"


def test_an_investor_searches_taps_a_parcel_and_reads_the_panel_on_a_tablet(tablet, mapped_world):
    page = tablet
    page.goto("/")
    wait_for_map(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Număr cadastral sau adresă").tap()
    page.get_by_label("Număr cadastral sau adresă").fill("70001")
    page.get_by_role("button", name="Caută").tap()
    expect(page.locator("#parcel-title")).to_have_text("Parcela 70001")
    expect(page.locator("#map .hit-label")).to_have_count(1)
    wait_for_map(page)
    # Tap the parcel two doors down on the map (a touch, not a mouse click).
    map_box = page.locator("#map")
    map_box.scroll_into_view_if_needed()
    x, y = page.evaluate("(ll) => { const p = window.portalMap.project(ll); return [p.x, p.y]; }", lonlat(60, 10))
    box = map_box.bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)
    expect(page.locator("#parcel-title")).to_have_text("Parcela 70003")
    expect(page.locator("#hits [data-rule=R2]")).to_be_visible()
    expect(page.locator("#fee")).not_to_have_text("…")
    shot(page, f"tablet-{page.orientation}-01-map")
    # The panel reads without a horizontal scroll; its text lies inside the viewport.
    panel = page.locator("#parcel-panel")
    panel.locator("#hits").scroll_into_view_if_needed()
    expect(panel.locator("#hits")).to_be_in_viewport()
    assert_no_horizontal_scroll(page)
    right = page.evaluate("Math.max(...[...document.querySelectorAll('#parcel-panel *')]"
                          ".map((el) => el.getBoundingClientRect().right))")
    assert right <= page.viewport_size["width"]
    # Touch targets of the search form and the legend are large enough for a finger.
    for target in [page.locator("#search-q"), page.get_by_role("button", name="Caută")]:
        assert target.bounding_box()["height"] >= 40
    for row in page.locator(".legend label").all():
        assert row.bounding_box()["height"] >= 32
    shot(page, f"tablet-{page.orientation}-02-panel")
    assert not page.console_errors, page.console_errors
