"""The investor map in a real browser: tiles render, features are queryable, panning fetches only tiles."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import rendered, shot, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CENTRE = [26.9148, 46.5671]  # lon/lat of the test parcels near the centre of Bacău


def test_the_map_draws_parcels_and_constraints_from_our_vector_tiles(page, live_server, mapped_world):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/")
    wait_for_map(page)
    assert page.evaluate("window.portalMap.getZoom()") == 15  # the town (its intravilan), parcels drawn
    page.evaluate(f"window.portalMap.jumpTo({{center: {CENTRE}, zoom: 17}})")
    wait_for_map(page)
    parcels = rendered(page, ["parcels-fill"])
    assert "70001" in {str(p.get("cadastral_number")) for p in parcels}
    # Constraints start hidden: none of their tiles is requested until switched on in the legend.
    assert rendered(page, ["monumente-point"]) == []
    assert not any("/tiles/monumente/" in url for url in requests)
    assert not any("/map/style.json" in url for url in requests)  # embedded in the page
    toggle = page.locator(".legend").get_by_label("Monumente istorice")
    expect(toggle).not_to_be_checked()
    toggle.check()
    wait_for_map(page)
    monuments = rendered(page, ["monumente-point"])
    assert [m.get("name") for m in monuments] == ["Biserica Precista"]
    assert any("/tiles/monumente/16/" in url for url in requests)  # sources stop at z16, overzoomed above
    page.locator(".legend").get_by_label("Parcele").uncheck()
    wait_for_map(page)
    assert rendered(page, ["parcels-fill"]) == []
    assert not any("geojson" in url or "/features/" in url for url in requests)
    external = [url for url in requests if not url.startswith((live_server.url, "data:", "blob:"))]
    assert not external  # nothing fetched from outside the portal
    shot(page, "map-01-parcels-z17")
    assert not page.console_errors, page.console_errors


def test_the_language_switch_turns_the_page_and_its_scripts_to_english(page, mapped_world):
    page.goto("/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Find your parcel")).to_be_visible()
    wait_for_map(page)
    expect(page.locator(".legend h2")).to_have_text("Legend")  # translated by the JavaScript catalogue
    page.get_by_label("Cadastral number or address").fill("Mărășești 3")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#parcel-title")).to_have_text("Parcel 70003")
    expect(page.locator("#parcel-panel [data-field=intravilan]")).to_have_text("yes")
    shot(page, "map-02-english")


def test_panning_at_zoom_16_requests_only_vector_tiles(page, live_server, mapped_world):
    page.goto("/")
    wait_for_map(page)
    page.evaluate(f"window.portalMap.jumpTo({{center: {CENTRE}, zoom: 16}})")
    wait_for_map(page)
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    for dx, dy in [(400, 0), (0, 300), (-400, 0), (0, -300)]:
        page.evaluate(f"window.portalMap.panBy([{dx}, {dy}], {{duration: 0}})")
        wait_for_map(page)
    assert seen, "panning loaded no new tiles"
    assert all(url.startswith(f"{live_server.url}/tiles/") and url.endswith(".pbf") for url in seen), seen
    assert {url.split("/tiles/")[1].split("/")[1] for url in seen} == {"16"}
