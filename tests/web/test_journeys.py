"""The journeys of the issue, in headless Chromium against the live server, asserted on the page and the database.

1. An investor finds a parcel on the map, signs in and submits a CU request with a drawn footprint.
2. A clerk of the issuer finds it in the queue, records the payment and accepts it; the chief architect issues it.
3. An institution reviewer answers an aviz request.
"""
from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from permits.models import Application
from tests.conftest import BACAU_E, BACAU_N
from tests.web.conftest import login, rendered, shot, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VALID_CNP = "1800101040017"


def lonlat(de: float, dn: float) -> list[float]:
    point = Point(BACAU_E + de, BACAU_N + dn, srid=3844)
    point.transform(4326)
    return [point.x, point.y]


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def click_on_map(page, map_selector: str, lon_lat: list[float]) -> None:
    x, y = page.evaluate("(ll) => { const p = window.portalMap.project(ll); return [p.x, p.y]; }", lon_lat)
    box = page.locator(map_selector).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def drop_file(page, selector: str, name: str, data: bytes) -> None:
    """Drop a file on an element the way a user drags it from the desktop (a real DataTransfer)."""
    page.evaluate(
        """([selector, name, bytes]) => {
            const file = new File([new Uint8Array(bytes)], name, {type: "application/pdf"});
            const dt = new DataTransfer();
            dt.items.add(file);
            const target = document.querySelector(selector);
            for (const type of ["dragenter", "dragover", "drop"]) {
                target.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
            }
        }""", [selector, name, list(data)])


def test_an_investor_finds_a_parcel_and_submits_a_cu_request_with_a_drawn_footprint(page, mapped_world):
    alice = mapped_world["alice"]
    parcel = mapped_world["parcels"][0]
    # --- the public map: search by cadastral number, the panel, the hit highlighted on the map
    page.goto("/")
    wait_for_map(page)
    page.get_by_label("Număr cadastral sau adresă").fill("70001")
    page.get_by_role("button", name="Caută").click()
    panel = page.locator("#parcel-panel")
    expect(panel.locator("#parcel-title")).to_have_text("Parcela 70001")
    expect(panel.locator("[data-field=uat]")).to_have_text("Bacău (SIRUTA 20297)")
    expect(panel.locator("[data-field=intravilan]")).to_have_text("da")
    expect(panel.locator("#avize [data-institution=djc-bacau]")).to_contain_text("Cultură")
    expect(panel.locator("#hits [data-rule=R2]")).to_contain_text("56,6 m")
    expect(panel.locator("#zoning")).to_contain_text("L1a")
    expect(panel.locator("#fee")).to_have_text(re.compile(r"\d+,\d\d lei"))
    wait_for_map(page)
    hit = rendered(page, ["monumente-hit"])
    assert [f["name"] for f in hit] == ["Biserica Precista"]
    # the constraint hit is switched on in the legend (constraints start hidden)
    expect(page.locator(".legend").get_by_label("Monumente istorice")).to_be_checked()
    assert [f["name"] for f in rendered(page, ["monumente-point"])] == ["Biserica Precista"]
    shot(page, "investor-01-parcel-panel")

    # --- the wizard, after signing in
    page.get_by_role("link", name="Cere certificat de urbanism").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.get_by_label("Nume utilizator").fill("alice")
    page.get_by_label("Parolă").fill("alice-secret-pass")
    page.get_by_role("button", name="Intră").click()
    page.wait_for_url(re.compile(r"/requests/new/cu/\?parcel="))
    expect(page.locator(f"#chosen-parcels [data-parcel='{parcel.pk}']")).to_contain_text("70001")
    page.get_by_role("button", name="Continuă").click()
    page.get_by_label("Nume și prenume / denumire").fill("Alice Popescu")
    page.get_by_label("CNP / CUI").fill(VALID_CNP)
    page.get_by_label("Scopul certificatului").select_option("construire")
    page.get_by_role("button", name="Continuă").click()
    page.get_by_label("Descriere").fill("Locuință P+1")
    page.get_by_label("Destinația / funcțiunea").select_option("house")
    page.get_by_label("Suprafața construită (m²)").fill("96.5")
    page.get_by_label("Alimentare cu apă", exact=True).check()
    page.get_by_label("Energie electrică", exact=True).check()
    wait_for_map(page)
    # the wizard's map has no legend to switch constraints on, so it draws them all
    assert page.evaluate("window.portalMap.getLayoutProperty('monumente-point', 'visibility')") == "visible"
    page.get_by_role("button", name="Desenează amprenta").click()
    page.locator("#wizard-map").scroll_into_view_if_needed()  # the works declaration makes the step long
    # A 10 m × 25 m rectangle whose northern 5 m lie outside the 20 m parcel: clipped to 150 m².
    corners = [lonlat(5, 5), lonlat(15, 5), lonlat(15, 25), lonlat(5, 25)]
    for corner in corners:
        click_on_map(page, "#wizard-map", corner)
    click_on_map(page, "#wizard-map", corners[0])
    expect(page.locator("#footprint-status")).to_contain_text("150,0 m²")
    wait_for_map(page)
    shot(page, "investor-02-footprint")
    page.get_by_role("button", name="Continuă").click()
    expect(page.locator("#s4")).to_be_visible()
    draft = Application.objects.get(owner=alice)
    assert draft.status == "draft"
    assert draft.works_footprint.area == pytest.approx(150.0, abs=1.0)
    assert (draft.works_destination, draft.works_built_area_m2, draft.works_connections) == (
        "house", Decimal("96.50"), ["water", "electricity"])
    assert parcel.geom.buffer(0.01).contains(draft.works_footprint)

    # documents: one dropped, the others chosen with the file picker
    drop_file(page, "[data-doc-type=extras_cf].dropzone", "extras-cf.pdf", pdf_bytes())
    for doc_type in ("plan_incadrare", "plan_situatie", "dovada_platii"):
        page.locator(f"#file-{doc_type}").set_input_files(
            files=[{"name": f"{doc_type}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
        expect(page.locator(f".dropzone[data-doc-type={doc_type}] progress")).to_have_attribute("value", "1")
    expect(page.locator(".dropzone[data-doc-type=extras_cf] progress")).to_have_attribute("value", "1")
    shot(page, "investor-03-documents")
    page.get_by_role("button", name="Continuă").click()
    expect(page.locator("#wizard-fee")).to_have_text(re.compile(r"\d+,\d\d lei"))
    expect(page.locator("#wizard-avize [data-institution=djc-bacau]")).to_be_visible()
    # the declared connections are in the preview: water (CRAB) and electricity, as the CU will list them
    expect(page.locator("#wizard-avize [data-institution=crab-bacau]")).to_be_visible()
    expect(page.locator("#wizard-avize [data-institution=delgaz-grid-bacau]")).to_be_visible()
    # 150 m² of a 400 m² lot whose POT is 35 %: the wizard warns, and submits only once the investor confirms.
    expect(page.locator("#compliance-failures")).to_contain_text("POT")
    shot(page, "investor-04-fee-submit")
    page.get_by_label("Am înțeles; trimit cererea așa cum este.").check()
    page.get_by_role("button", name="Trimite cererea").click()
    page.wait_for_url(re.compile(rf"/requests/{draft.pk}/\?sent=1$"))
    expect(page.locator("h1")).to_contain_text("Înregistrată")
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.registration_number == 1
    assert draft.documents.count() == 4
    assert sorted(draft.documents.values_list("doc_type", flat=True)) == [
        "dovada_platii", "extras_cf", "plan_incadrare", "plan_situatie"]
    expect(page.locator(".timeline li")).to_have_count(1)
    wait_for_map(page)
    shot(page, "investor-05-request-page")
    assert not page.console_errors, page.console_errors


def test_a_clerk_prepares_the_request_from_the_queue_and_the_chief_architect_issues_the_cu(page, submitted_cu):
    app = submitted_cu
    login(page, "carol")
    page.goto("/staff/queue/")
    row = page.locator(f"#queue tr[data-application='{app.pk}']")
    expect(row).to_contain_text("Alice Popescu")
    expect(row).to_contain_text("Înregistrată")
    wait_for_map(page)
    shot(page, "clerk-01-queue")
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/requests/{app.pk}/$"))
    wait_for_map(page)
    # the analysis drawn on the map: the parcel and the monument hit, both queryable
    drawn = rendered(page, ["overlay-fill", "overlay-line", "overlay-point"])
    assert {f["role"] for f in drawn} == {"hit", "parcel"}
    assert {f.get("label") for f in drawn if f["role"] == "hit"} == {"Biserica Precista"}
    expect(page.locator("#cu-summary [data-institution=djc-bacau]")).to_be_visible()
    expect(page.locator("#cu-summary [data-rule=R2]")).to_contain_text("56,6 m")
    shot(page, "clerk-02-request")

    page.get_by_label("Număr chitanță").fill("CH-2026-0042")
    page.get_by_role("button", name=re.compile("Înregistrează plata")).click()
    expect(page.locator("#payment-form")).to_have_count(0)
    page.get_by_role("button", name="Acceptă spre analiză").click()
    expect(page.locator("h1")).to_contain_text("În analiză")
    page.get_by_role("link", name="Previzualizare înainte de emitere").click()
    expect(page.locator("#cu-summary")).to_contain_text("L1a")
    expect(page.locator("#cu-summary")).to_contain_text("Direcția Județeană pentru Cultură Bacău")
    shot(page, "clerk-03-preview")
    page.go_back()
    # The clerk prepared it; issuing is the chief architect's (separation of duties).
    expect(page.locator("#action-form [data-action=issue]")).to_have_count(0)
    page.get_by_role("button", name="Ieșire").click()
    login(page, "erin")
    page.goto(f"/requests/{app.pk}/")
    page.get_by_label("Valabilitate (luni)").fill("12")
    page.get_by_role("button", name="Emite").click()
    dialog = page.get_by_role("dialog", name="Confirmare")
    expect(dialog).to_contain_text("nu poate fi anulată")
    dialog.get_by_role("button", name="Anulează").click()
    expect(dialog).to_be_hidden()
    assert Application.objects.get(pk=app.pk).status == "in_review"
    page.get_by_role("button", name="Emite").click()
    dialog.get_by_role("button", name="Da, emite actul").click()
    # issuing renders the PDF with its map extract and signs it: allow it time on 2 busy cores
    expect(page.locator("h1")).to_contain_text("Emisă", timeout=60_000)
    expect(page.locator("#issued-act")).to_contain_text("1/")
    wait_for_map(page)
    shot(page, "clerk-04-issued")
    app.refresh_from_db()
    assert app.status == "issued" and app.paid_at is not None and app.validity_months == 12
    assert [(e.action, e.to_status) for e in app.events.all()] == [
        ("submit", "submitted"), ("assign", "submitted"), ("accept", "in_review"), ("issue", "issued")]
    with page.expect_download() as download_info:
        page.locator("#download-act").click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf  # signed (PAdES)
    assert not page.console_errors, page.console_errors


def test_an_institution_reviewer_answers_an_aviz_with_conditions_and_a_signed_pdf(page, ac_in_avize):
    from avize.models import AvizRequest

    app = ac_in_avize
    # The clerk's request_avize asked every institution the frozen analysis requires (here: DJC, for R2).
    (request,) = AvizRequest.objects.filter(application=app, live=True)
    assert request.institution.code == "djc-bacau"
    login(page, "frank")
    page.goto("/inbox/")
    row = page.locator(f"#inbox tr[data-aviz='{request.pk}']")
    expect(row).to_contain_text("R2")
    expect(row).to_contain_text("Trimisă")
    shot(page, "reviewer-01-inbox")
    row.get_by_role("link").click()
    expect(page.locator("#aviz-state")).to_have_text("Văzută")
    expect(page.locator("#reasons [data-rule=R2]")).to_contain_text("56,6 m")
    wait_for_map(page)
    assert {f["role"] for f in rendered(page, ["overlay-fill", "overlay-line", "overlay-point"])} == {"parcel", "hit"}
    shot(page, "reviewer-02-dossier")
    page.get_by_label("Favorabil cu condiții").check()
    page.get_by_label("Număr aviz").fill("DJC-118/2026")
    page.get_by_label("Condiții (una pe rând)").fill("Supraveghere arheologică la săpături\nÎnălțimea maximă 8 m")
    page.get_by_role("button", name="Trimite răspunsul semnat").click()
    expect(page.locator("#aviz-state")).to_have_text("Favorabil cu condiții", timeout=60_000)
    expect(page.locator("#conditions li")).to_have_count(2)
    shot(page, "reviewer-03-answered")
    request = AvizRequest.objects.get(pk=request.pk)
    assert request.state == "favourable_with_conditions" and request.answered_by.username == "frank"
    assert request.conditions == ["Supraveghere arheologică la săpături", "Înălțimea maximă 8 m"]
    assert request.number == "DJC-118/2026" and request.pdf_sha256
    app.refresh_from_db()
    assert app.status == "in_review"  # the last answer closed the avize stage through the workflow
    with page.expect_download() as download_info:
        page.locator("#aviz-pdf").click()
    assert download_info.value.path().read_bytes().startswith(b"%PDF")
    assert not page.console_errors, page.console_errors


def test_a_reviewer_of_another_institution_gets_a_404_for_the_request(page, ac_in_avize):
    from avize.models import AvizRequest

    (request,) = AvizRequest.objects.filter(application=ac_in_avize, live=True)
    login(page, "grace")
    page.goto("/inbox/")
    expect(page.locator(f"#inbox tr[data-aviz='{request.pk}']")).to_have_count(0)
    assert page.request.get(f"/inbox/{request.pk}/").status == 404
