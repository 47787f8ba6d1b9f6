"""The investor requests an address certificate from the map (issue 19, point 4), in headless Chromium:
a parcel tapped on the map, "request an address certificate", the wizard's steps that apply (parcel with its
address from the street register and the street's former name, applicant and purpose, documents, recap with
the fee) and the request registered. Romanian and English, desktop (1366×768) and phone (390×844)."""
from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.gis.geos import LineString
from playwright.sync_api import expect

from addresses import services as register
from parcels.models import Locality
from permits.choices import Kind, Status
from permits.models import Application
from tests.conftest import BACAU_E, BACAU_N
from tests.web.conftest import login, shot, wait_for_map
from tests.web.test_investor_wizard import PHONE, VALID_CNP, choose_language, upload_all
from tests.web.test_journeys import click_on_map, lonlat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "ro": {"search": "Caută", "cadastral": "Număr cadastral sau adresă", "request": "Cere certificat de adresă",
           "next": "Continuă", "submit": "Trimite cererea", "confirm": "Cererea a fost trimisă",
           "title": "certificatului de nomenclatură stradală", "former": "Denumiri anterioare ale străzii",
           "registered": "Înregistrată", "no_number": "nu are încă număr administrativ"},
    "en": {"search": "Search", "cadastral": "Cadastral number or address", "request": "Request an address certificate",
           "next": "Continue", "submit": "Submit the request", "confirm": "The request was sent",
           "title": "street name and address certificate", "former": "Former names of the street",
           "registered": "Registered", "no_number": "has no building number in the street register yet"},
}


@pytest.fixture
def journey_page(browser, live_server, request):
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


@pytest.fixture
def numbered_street(mapped_world):
    """The parcels of mapped_world numbered 1…7 on Strada Mărășești, called Strada Republicii until 1 March 1990;
    the eighth (70008) has no number yet."""
    uat = mapped_world["uat_a"]
    locality = Locality.objects.create(siruta=20313, name="Bacău", uat=uat, kind="municipiu reședință", is_seat=True,
                                       urban=True, postal_code="600001")
    street = register.street_add(uat=uat, locality=locality, code="BC-0417", name="Strada Republicii",
                                 valid_from=date(1948, 1, 1), decision="Decizia 12/1948",
                                 axis=LineString((BACAU_E - 10, BACAU_N - 5), (BACAU_E + 210, BACAU_N - 5), srid=3844))
    register.street_rename(street=street, name="Strada Mărășești", on=date(1990, 3, 1), decision="HCL 7/1990")
    for i, parcel in enumerate(mapped_world["parcels"][:7]):
        register.number_assign(parcel=parcel, street=street, number=str(i + 1), on=date(1995, 1, 1))
    return street


CASES = [("ro", "desktop"), ("en", "desktop"), ("ro", "phone"), ("en", "phone")]


@pytest.mark.parametrize("journey_page", CASES, indirect=True, ids=["ro-desktop", "en-desktop", "ro-phone", "en-phone"])
def test_the_investor_requests_an_address_certificate_from_the_map(journey_page, mapped_world, numbered_street):
    page, text = journey_page, TEXT[journey_page.lang]
    alice, parcel = mapped_world["alice"], mapped_world["parcels"][1]  # 70002, number 2
    login(page, "alice")
    page.goto("/")
    choose_language(page)
    wait_for_map(page)
    page.get_by_label(text["cadastral"]).fill("70001")
    page.get_by_role("button", name=text["search"]).click()
    panel = page.locator("#parcel-panel")
    expect(panel.locator("#parcel-title")).to_contain_text("70001")
    page.locator("#map").scroll_into_view_if_needed()
    wait_for_map(page)
    click_on_map(page, "#map", lonlat(35, 10))  # the neighbouring parcel, on the map
    expect(panel.locator("#parcel-title")).to_contain_text("70002")
    shot(page, f"address-{page.tag}-01-map")
    panel.get_by_role("link", name=text["request"]).click()
    page.wait_for_url(re.compile(rf"/requests/new/address_certificate/\?parcel={parcel.pk}$"))
    expect(page.locator("h1")).to_contain_text(text["title"])
    expect(page.locator(f"#chosen-parcels [data-parcel='{parcel.pk}']")).to_contain_text("70002")
    expect(page.locator("#register-address")).to_have_text("Strada Mărășești nr. 2, Bacău, județul Bacău")
    expect(page.locator("#parcel-address")).to_contain_text(text["former"])
    expect(page.locator("#parcel-address")).to_contain_text("Strada Republicii")
    expect(page.locator("#steps li")).to_have_count(4)  # no works step
    shot(page, f"address-{page.tag}-02-parcel")
    page.get_by_role("button", name=text["next"]).click()

    expect(page.locator("#s2")).to_be_visible()
    page.locator("#applicant_name").fill("Alice Popescu")
    page.locator("#applicant_id_code").fill(VALID_CNP)
    page.locator("#purpose").select_option("addr_land_book")
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#s4")).to_be_visible()  # straight to the documents
    expect(page.locator("#s3")).to_be_hidden()
    upload_all(page)
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#s5")).to_be_visible()
    expect(page.locator("#recap")).to_contain_text("Strada Mărășești nr. 2")
    expect(page.locator("#wizard-fee")).to_have_text(re.compile(r"9[,.]00 lei"))
    expect(page.locator("#wizard-avize")).to_have_count(0)
    shot(page, f"address-{page.tag}-03-recap")
    page.get_by_role("button", name=text["submit"]).click()

    app = Application.objects.get(owner=alice)
    page.wait_for_url(re.compile(rf"/requests/{app.pk}/\?sent=1$"))
    expect(page.locator("#confirmation")).to_contain_text(text["confirm"])
    expect(page.locator("h1")).to_contain_text(text["registered"])
    expect(page.locator("#register-address")).to_have_text("Strada Mărășești nr. 2, Bacău, județul Bacău")
    expect(page.locator("#former-names")).to_contain_text("Strada Republicii")
    shot(page, f"address-{page.tag}-04-sent")
    app.refresh_from_db()
    assert (app.kind, app.status, app.purpose) == (Kind.ADDRESS_CERT, Status.SUBMITTED, "addr_land_book")
    assert list(app.parcels.values_list("cadastral_number", flat=True)) == ["70002"]
    assert app.works_kind == "" and app.works_footprint is None and app.analysis_result is None

    # A parcel without a number: the wizard says so at once, and the request can still be sent.
    bare = mapped_world["parcels"][7]
    page.goto(f"/requests/new/address_certificate/?parcel={bare.pk}")
    expect(page.locator("#no-register-address")).to_contain_text(text["no_number"])
    shot(page, f"address-{page.tag}-05-no-number")
    assert not page.console_errors, page.console_errors
