"""The investor's journeys of issue 15, in headless Chromium, through the interface alone.

From the map: find a parcel, request a CU, fix a bad CNP and an oversize footprint after the
warnings, keep the data across every navigation, read the recap, submit, see the confirmation.
It runs in Romanian and English (the language chosen with the page's own switch), on a desktop and
on a phone (390×844). Starting the AC from the issued CU ("request the building permit" carries the
parcel, the CU and the works over) is part of the end-to-end journey in tests/web/test_journey_staff.py,
which reuses this file's helpers.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from permits.choices import Status
from permits.models import Application
from tests.web.conftest import shot, wait_for_map
from tests.web.test_journeys import click_on_map, lonlat, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VALID_CNP = "1800101040017"
BAD_CNP = "1800101040010"  # the check digit is wrong

TEXT = {
    "ro": {"search": "Caută", "cadastral": "Număr cadastral sau adresă", "request_cu": "Cere certificat de urbanism",
           "user": "Nume utilizator", "password": "Parolă", "login": "Intră", "next": "Continuă", "back": "Înapoi",
           "draw": "Desenează amprenta", "clear": "Șterge desenul", "submit": "Trimite cererea",
           "cnp_error": "Cifra de control a CNP-ului este greșită.", "fail": "neconform", "pass": "conform",
           "confirm": "Cererea a fost trimisă", "start_ac": "Solicită autorizația de construire",
           "registered": "Înregistrată", "one_result": "1 rezultat", "extras_cf": "Extras de carte funciară",
           "ac_title": "autorizației de construire", "language": "English"},
    "en": {"search": "Search", "cadastral": "Cadastral number or address", "request_cu": "Request an urbanism certificate",
           "user": "Username", "password": "Password", "login": "Log in", "next": "Continue", "back": "Back",
           "draw": "Draw the footprint", "clear": "Clear the drawing", "submit": "Submit the request",
           "cnp_error": "The check digit of the CNP is wrong.", "fail": "not compliant", "pass": "compliant",
           "confirm": "The request was sent", "start_ac": "Request the building permit",
           "registered": "Registered", "one_result": "1 result", "extras_cf": "Land register extract",
           "ac_title": "building permit", "language": "English"},
}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def journey_page(browser, live_server, request):
    """A page in the language and on the screen of the parametrised run (phone: touch, small viewport)."""
    lang, device = request.param
    phone = device == "phone"
    context = browser.new_context(viewport=PHONE if phone else {"width": 1366, "height": 768}, locale="ro-RO",
                                  base_url=live_server.url, has_touch=phone, is_mobile=phone)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.lang, page.phone, page.tag = lang, phone, f"{lang}-{device}"
    yield page
    context.close()


def choose_language(page) -> None:
    """The language switch of the top bar, as a person would use it (Romanian is the default)."""
    if page.lang == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def draw_square(page, lo: float, hi: float) -> None:
    """A square footprint from (lo, lo) to (hi, hi) metres off the parcel's south-west corner."""
    page.get_by_role("button", name=TEXT[page.lang]["draw"]).click()
    corners = [lonlat(lo, lo), lonlat(hi, lo), lonlat(hi, hi), lonlat(lo, hi)]
    for corner in corners + [corners[0]]:
        click_on_map(page, "#wizard-map", corner)


def upload_all(page) -> None:
    for i, slot in enumerate(page.locator("#doc-slots .dropzone").all()):
        doc_type = slot.get_attribute("data-doc-type")
        page.locator(f"#file-{doc_type}").set_input_files(
            files=[{"name": f"scan-{i + 1}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
        expect(slot.locator("progress")).to_have_attribute("value", "1")


CASES = [("ro", "desktop"), ("en", "desktop"), ("ro", "phone")]


@pytest.mark.parametrize("journey_page", CASES, indirect=True, ids=["ro-desktop", "en-desktop", "ro-phone"])
def test_the_investor_requests_a_cu_fixing_a_bad_cnp_and_an_oversize_footprint(journey_page, mapped_world):
    page, text = journey_page, TEXT[journey_page.lang]
    alice, parcel = mapped_world["alice"], mapped_world["parcels"][0]
    page.goto("/")
    choose_language(page)
    wait_for_map(page)
    page.get_by_label(text["cadastral"]).fill("70001")
    page.get_by_role("button", name=text["search"]).click()
    expect(page.locator("#search-status")).to_have_text(text["one_result"])  # not "1 rezultate"
    panel = page.locator("#parcel-panel")
    expect(panel.locator("#parcel-title")).to_contain_text("70001")
    if page.phone:
        # On a phone the panel sits below the map: the tapped parcel's panel is scrolled into view.
        page.wait_for_function("() => { const r = document.getElementById('parcel-panel').getBoundingClientRect();"
                               " return r.top < window.innerHeight && r.bottom > 0; }")
    shot(page, f"wizard-{page.tag}-01-parcel")
    panel.get_by_role("link", name=text["request_cu"]).click()
    page.get_by_label(text["user"]).fill("alice")
    page.get_by_label(text["password"]).fill("alice-secret-pass")
    page.get_by_role("button", name=text["login"]).click()
    page.wait_for_url(re.compile(r"/requests/new/cu/\?parcel="))
    expect(page.locator(f"#chosen-parcels [data-parcel='{parcel.pk}']")).to_contain_text("70001")
    # Step 1 offers no "back" (it used to empty the form: a button style overrode `hidden`).
    expect(page.locator("#prev")).to_be_hidden()
    page.get_by_role("button", name=text["next"]).click()

    # Step 2: a bad CNP is reported as it is typed, next to the field, in the page's language.
    expect(page.locator("#s2")).to_be_visible()
    page.locator("#applicant_name").fill("Alice Popescu")
    page.locator("#applicant_id_code").fill(BAD_CNP)
    expect(page.locator("#error-applicant_id_code")).to_have_text(text["cnp_error"])
    expect(page.locator("#applicant_id_code")).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#s2")).to_be_visible()  # refused: still on step 2
    shot(page, f"wizard-{page.tag}-02-bad-cnp")
    assert not Application.objects.exists()
    page.locator("#applicant_id_code").fill(VALID_CNP)
    expect(page.locator("#error-applicant_id_code")).to_have_count(0)
    page.locator("#purpose").select_option("construire")
    page.get_by_role("button", name=text["next"]).click()

    # Step 3: an oversize footprint (15 m x 15 m = 56 % of a 400 m² lot whose POT is 35 %).
    expect(page.locator("#s3")).to_be_visible()
    page.locator("#works_description").fill("Locuință P+1")
    page.locator("#works_levels").fill("2")
    page.locator("#works_height_m").fill("7")
    wait_for_map(page)
    draw_square(page, 2, 17)
    pot = page.locator("#compliance [data-check=pot]")
    expect(pot).to_contain_text(text["fail"])
    expect(pot).to_contain_text("35")
    expect(page.locator("#compliance [data-check=height_m]")).to_contain_text(text["pass"])
    page.locator("#compliance").scroll_into_view_if_needed()
    shot(page, f"wizard-{page.tag}-03-oversize")
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#s4")).to_be_visible()
    upload_all(page)
    page.get_by_role("button", name=text["next"]).click()

    # Step 5 warns before anything that fails is submitted; the recap shows what was typed.
    expect(page.locator("#compliance-warning")).to_be_visible()
    expect(page.locator("#compliance-failures")).to_contain_text("POT")
    expect(page.locator("#recap")).to_contain_text("Alice Popescu")
    expect(page.locator("#recap")).to_contain_text(VALID_CNP)
    expect(page.locator("#recap")).to_contain_text(text["extras_cf"])
    expect(page.locator("#recap")).not_to_contain_text("extras_cf")
    expect(page.locator("#next")).to_be_hidden()  # it used to lead to an empty form
    shot(page, f"wizard-{page.tag}-04-warning")
    page.get_by_role("button", name=text["submit"]).click()
    expect(page.locator("#wizard-error")).not_to_be_empty()
    assert Application.objects.get().status == Status.DRAFT

    # Back to the works (the data is kept across every step), a smaller footprint: 10 m x 10 m = 25 %.
    for _ in range(2):
        page.get_by_role("button", name=text["back"]).click()
    expect(page.locator("#s3")).to_be_visible()
    expect(page.locator("#works_levels")).to_have_value("2")
    expect(page.locator("#works_description")).to_have_value("Locuință P+1")
    page.get_by_role("button", name=text["clear"]).click()
    draw_square(page, 5, 15)
    expect(page.locator("#compliance [data-check=pot]")).to_contain_text(text["pass"])
    expect(page.locator("#compliance [data-check=cut]")).to_contain_text(text["pass"])
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#doc-slots .dropzone.done")).to_have_count(4)
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#compliance-warning")).to_be_hidden()
    expect(page.locator("#wizard-fee")).to_have_text(re.compile(r"\d+[,.]\d\d lei"))
    expect(page.locator("#s5")).to_be_visible()
    shot(page, f"wizard-{page.tag}-04b-recap")
    page.get_by_role("button", name=text["submit"]).click()

    app = Application.objects.get(owner=alice)
    page.wait_for_url(re.compile(rf"/requests/{app.pk}/\?sent=1$"))
    expect(page.locator("#confirmation")).to_contain_text(text["confirm"])
    expect(page.locator("h1")).to_contain_text(text["registered"])
    expect(page.locator("#compliance [data-check=pot]")).to_contain_text(text["pass"])
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.applicant_id_code == VALID_CNP
    assert app.works_levels == 2 and float(app.works_height_m) == 7.0
    assert app.works_footprint.area == pytest.approx(100.0, rel=0.1)  # a finger on a phone is less exact
    assert app.documents.count() == 4
    wait_for_map(page)
    shot(page, f"wizard-{page.tag}-05-confirmation")
    assert not page.console_errors, page.console_errors
