"""The digitised archive in the browser (issue 19, point 3): the staff search, the review queue where a
clerk places an act on the map, and a parcel's history of acts on the map panel (staff vs public).

Precondition (earlier work of the issuer's archivist, not driven here): a batch imported with the
import service, one act an image scan read by tesseract.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from archive import services
from archive.files import FolderSource
from archive.models import ArchiveAct
from tests.archive.scans import image_tiff, text_pdf
from tests.web.conftest import login, shot, wait_for_map
from tests.web.test_journeys import lonlat

HEADER = "number,year,kind,holder,cadastral_number,address,files\n"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def archive_world(mapped_world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "ac.pdf").write_bytes(text_pdf(["AUTORIZATIE DE CONSTRUIRE nr. 5/1984", "garaj din caramida"]))
    (folder / "cu.pdf").write_bytes(text_pdf(["CERTIFICAT DE URBANISM nr. 6/1984", "informare"]))
    (folder / "ad.tif").write_bytes(image_tiff(["AUTORIZAȚIE DE DESFIINȚARE nr. 7/1984", "Desființare șopron din lemn"]))
    manifest = (HEADER + "5,1984,AC,Ion Vasilescu,70001,,ac.pdf\n6,1984,CU,Ana Pop,,Str. Marasesti 1,cu.pdf\n"
                "7,1984,AD,Maria Ionescu,,Strada Veche 12,ad.tif\n").encode()
    services.archive_import(issuer=mapped_world["issuer_a"], manifest=manifest, source=FolderSource(folder))
    for act in ArchiveAct.objects.all():
        services.act_text_extract(act_id=act.pk)
    return mapped_world


def test_a_clerk_finds_an_act_by_a_word_of_its_scan(page, archive_world):
    login(page, "carol")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Arhivă", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Arhiva digitalizată")
    page.get_by_label("Text (cuvinte din actul scanat)").fill("sopron")  # typed without diacritics
    page.get_by_role("button", name="Caută").click()
    rows = page.locator("#archive-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("7/1984")
    expect(rows.first).to_contain_text("Autorizație de desființare")
    expect(rows.first).to_contain_text("neplasat")
    shot(page, "archive-01-search-ro-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "archive-02-search-ro-phone")
    rows.first.get_by_role("link").click()
    expect(page.locator("#act-text")).to_contain_text("șopron")  # tesseract read the Romanian letters
    expect(page.locator("#act-files")).to_contain_text("OCR")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=2, name="Extracted text")).to_be_visible()
    page.goto("/staff/archive/?holder=vasilescu")
    expect(page.locator("#archive-results tbody tr")).to_have_count(1)
    expect(page.locator("#archive-results")).to_contain_text("Building permit")
    shot(page, "archive-03-search-en-phone")
    page.set_viewport_size(DESKTOP)
    shot(page, "archive-04-search-en-desktop")
    assert not page.console_errors, page.console_errors


def test_a_clerk_places_an_act_of_the_review_queue_on_the_map(page, archive_world):
    target = archive_world["parcels"][3]  # 70004
    login(page, "carol")
    page.set_viewport_size(DESKTOP)
    page.goto("/staff/archive/")
    page.get_by_role("link", name="Coada de verificare").first.click()
    expect(page.locator("#queue-acts li")).to_have_count(1)
    page.get_by_label("Autorizație de desființare 7/1984", exact=False).check()
    expect(page.get_by_role("button", name="Plasează actul aici")).to_be_disabled()
    wait_for_map(page)
    page.evaluate("(c) => window.portalMap.jumpTo({center: c, zoom: 17})", lonlat(3 * 25 + 10, 10))
    wait_for_map(page)
    x, y = page.evaluate("(ll) => { const p = window.portalMap.project(ll); return [p.x, p.y]; }",
                         lonlat(3 * 25 + 10, 10))
    page.locator("#queue-map canvas").click(position={"x": x, "y": y})
    expect(page.locator("#place-status")).to_have_text("Parcela 70004")
    shot(page, "archive-05-queue-ro-desktop")
    page.get_by_role("button", name="Plasează actul aici").click()
    expect(page.locator(".messages")).to_contain_text("Actul 7/1984 a fost plasat pe parcela 70004.")
    expect(page.locator("#queue-acts")).to_contain_text("Nimic de plasat")
    act = ArchiveAct.objects.get(number="7")
    assert (act.parcel_id, act.matched_by, act.placed_by_id) == (target.pk, "manual", archive_world["carol"].pk)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive review queue")
    page.set_viewport_size(PHONE)
    shot(page, "archive-06-queue-en-phone")
    assert not page.console_errors, page.console_errors


def test_the_parcel_panel_shows_its_history_staff_everything_the_public_the_permits(page, archive_world):
    parcel = archive_world["parcels"][0]  # 70001: AC 5/1984 (cadastral) and CU 6/1984 (address)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/?parcel={parcel.pk}")
    expect(page.locator("#parcel-title")).to_have_text("Parcela 70001")
    history = page.locator("#history li")
    expect(history).to_have_count(1)
    expect(history.first).to_have_text("Autorizație de construire 5/1984 · arhivă")
    expect(page.locator("#history-note")).to_contain_text("acte publice")
    shot(page, "archive-07-history-public-ro")
    login(page, "carol")
    page.goto(f"/?parcel={parcel.pk}")
    expect(history).to_have_count(2)
    expect(page.locator("#history")).to_contain_text("Certificat de urbanism 6/1984 · arhivă · Ana Pop")
    expect(page.locator("#history")).to_contain_text("Ion Vasilescu")
    expect(page.locator("#history a", has_text="ac.pdf")).to_have_count(1)
    page.get_by_role("button", name="English").click()
    expect(page.locator("#history")).to_contain_text("Urbanism certificate 6/1984 · archive · Ana Pop")
    page.set_viewport_size(PHONE)
    page.locator("#history-section").scroll_into_view_if_needed()
    shot(page, "archive-08-history-staff-en-phone")
    assert not page.console_errors, page.console_errors
