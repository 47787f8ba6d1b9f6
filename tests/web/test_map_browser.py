"""The investor map in a real browser: tiles render, features are queryable, panning fetches only tiles."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.helpers import otp_login
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
    expect(page.locator(".legend summary")).to_have_text("Legend")  # translated by the JavaScript catalogue
    page.get_by_label("Cadastral number or address").fill("Mărășești 3")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#parcel-title")).to_have_text("Parcel 70003")
    expect(page.locator("#parcel-panel [data-field=intravilan]")).to_have_text("yes")
    expect(page.locator("#map .maplibregl-ctrl-zoom-in")).to_have_attribute("aria-label", "Zoom in")
    expect(page.locator("#map .hit-label")).to_have_text(re.compile(r"^Biserica Precista, (on the parcel|at \d+\.\d m)$"))
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
    assert all(url.startswith(f"{live_server.url}/tiles/") and urlsplit(url).path.endswith(".pbf") for url in seen), seen
    assert {url.split("/tiles/")[1].split("/")[1] for url in seen} == {"16"}


def test_each_constraint_hit_has_its_distance_written_on_the_map_beside_it(page, mapped_world):
    from tests.web.test_journeys import lonlat

    page.goto("/")
    wait_for_map(page)
    page.get_by_label("Număr cadastral sau adresă").fill("70001")
    page.get_by_role("button", name="Caută").click()
    label = page.locator("#map .hit-label")
    expect(label).to_have_text("Biserica Precista, la 56,6 m")
    expect(label).to_have_attribute("aria-label", "Biserica Precista, la 56,6 m")
    # The label sits beside the monument (its nearest point to the parcel), not somewhere in the panel.
    x, y = page.evaluate("(ll) => { const p = window.portalMap.project(ll); return [p.x, p.y]; }", lonlat(60, 60))
    canvas, box = page.locator("#map").bounding_box(), label.bounding_box()
    assert abs(box["x"] - (canvas["x"] + x + 16)) < 3
    assert abs(box["y"] + box["height"] / 2 - (canvas["y"] + y)) < 3
    # A dashed line from the monument to the parcel, in the overlay.
    wait_for_map(page)
    assert "distance" in {f["role"] for f in rendered(page, ["overlay-distance"])}
    assert [f["name"] for f in rendered(page, ["monumente-hit-point"])] == ["Biserica Precista"]  # ringed
    # MapLibre's own controls speak the page's language.
    expect(page.locator("#map .maplibregl-ctrl-zoom-in")).to_have_attribute("aria-label", "Mărește")
    shot(page, "map-03-hit-distance")
    # Another parcel: the previous label is gone, the new one says the new distance.
    page.get_by_label("Număr cadastral sau adresă").fill("70003")
    page.get_by_role("button", name="Caută").click()
    expect(page.locator("#parcel-title")).to_have_text("Parcela 70003")
    expect(label).to_have_count(1)
    expect(label).not_to_have_text("Biserica Precista, la 56,6 m")
    expect(label).to_have_text(re.compile(r"^Biserica Precista, (pe parcelă|la \d+,\d m)$"))
    assert not page.console_errors, page.console_errors


def test_hit_marks_are_read_only_by_who_may_read_the_analysis(client, mapped_world):
    from rules.services import analysis_create

    alice, bob = mapped_world["alice"], mapped_world["bob"]
    analysis = analysis_create(parcels=[mapped_world["parcels"][0].pk], geometry=None, works=None, crs=None, by=alice)
    url = f"/api/v1/analyses/{analysis.pk}/hit-marks/"
    assert client.get(url).status_code == 404  # not anonymous: only its creator (and staff of its UAT)
    otp_login(client, alice)
    marks = client.get(url).json()["features"]
    assert [(m["properties"]["layer"], m["geometry"]["type"]) for m in marks] == [("monumente", "LineString")]
    otp_login(client, bob)
    assert client.get(url).status_code == 404


def test_the_map_labels_streets_and_cadastral_numbers_with_no_font_fetched(page, live_server, mapped_world):
    """Text is drawn by MapLibre with the browser's fonts (the style has no glyphs URL): no request leaves
    the portal and none asks for glyphs."""
    from django.contrib.gis.geos import LineString

    from layers.models import Feature, Layer
    from layers.services import layer_version_publish, layer_version_start
    from tests.conftest import BACAU_E, BACAU_N

    streets = Layer.objects.create(slug="strazi", name="Străzi (axe)", kind=Layer.Kind.REFERENCE, theme="street_axis")
    version = layer_version_start(layer=streets, source_name="test")
    Feature.objects.create(version=version, name="Strada Mărășești",
                           geom=LineString((BACAU_E - 50, BACAU_N - 6), (BACAU_E + 250, BACAU_N - 6), srid=3844))
    layer_version_publish(version=version)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/")
    wait_for_map(page)
    page.evaluate(f"window.portalMap.jumpTo({{center: {CENTRE}, zoom: 18.5}})")
    wait_for_map(page)
    page.wait_for_function("() => window.portalMap.queryRenderedFeatures({layers: ['parcels-label']}).length > 0")
    numbers = {str(f.get("cadastral_number")) for f in rendered(page, ["parcels-label"])}
    assert "70001" in numbers
    page.wait_for_function("() => window.portalMap.queryRenderedFeatures({layers: ['strazi-label']}).length > 0")
    assert {f.get("name") for f in rendered(page, ["strazi-label"])} == {"Strada Mărășești"}
    shot(page, "map-labels-z18")
    outside = [u for u in requests if not u.startswith((live_server.url, "blob:", "data:"))]
    assert not outside, outside
    assert not [url for url in requests if "glyph" in url or "font" in url]
    assert not page.console_errors, page.console_errors
