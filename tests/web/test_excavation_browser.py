"""An operator requests an excavation permit through the interface alone (issue 18): draws the trench on
the map with its width, sees the avize it needs (the gas and water operators, the street administrator)
and the dig-once warning about an excavation already authorised there in the same weeks, fills the
company's data (CUI checked), uploads the plan and submits. Romanian and English, desktop and phone;
the public register then shows a permit once it is authorised."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Polygon
from django.utils import timezone
from playwright.sync_api import expect

from layers.models import Feature, Layer
from layers.services import layer_version_publish, layer_version_start
from permits.choices import ApplicantType, Kind, Status
from permits.models import Application, Excavation, IssuedAct
from tests.conftest import BACAU_E, BACAU_N
from tests.web.conftest import login, shot, wait_for_map
from tests.web.test_investor_wizard import PHONE, choose_language
from tests.web.test_journeys import click_on_map, lonlat, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VALID_CUI = "14399840"
TEXT = {
    "ro": {"draw": "Desenează pe hartă", "submit": "Trimite cererea", "confirm": "Cererea a fost trimisă",
           "overlap": "Săpătura autorizată nr. 7/2026", "street": "Strada", "purpose": "Scopul lucrărilor",
           "name": "Denumirea operatorului / numele", "code": "CUI / CNP", "fee": "Taxa: 280,00 lei",
           "register": "Săpături în domeniul public", "planned": "planificată"},
    "en": {"draw": "Draw on the map", "submit": "Submit the request", "confirm": "The request was sent",
           "overlap": "Authorised excavation no. 7/2026", "street": "Street", "purpose": "Purpose of the works",
           "name": "Operator's name / name", "code": "CUI / CNP", "fee": "Fee: 280.00 lei",
           "register": "Excavations in the public domain", "planned": "planned"},
}


def _layer(slug: str, theme: str, features: list[tuple[str, LineString]]) -> None:
    layer = Layer.objects.create(slug=slug, name=slug, kind=Layer.Kind.CONSTRAINT, theme=theme)
    version = layer_version_start(layer=layer, source_name="test")
    for name, geom in features:
        geom.srid = 3844
        Feature.objects.create(version=version, name=name, attrs={}, geom=geom)
    layer_version_publish(version=version)


@pytest.fixture
def street_world(mapped_world):
    """A street crossed by a gas main and a water main, and Bob's excavation already authorised there for the
    same weeks (another operator's earlier work: the precondition of the dig-once warning)."""
    e = BACAU_E + 500
    _layer("streets", "street_axis", [("Strada Mărăști", LineString((e, BACAU_N - 300), (e, BACAU_N + 300)))])
    _layer("gas", "gas_pipeline", [("Conductă gaze", LineString((e - 300, BACAU_N), (e + 300, BACAU_N)))])
    _layer("water", "water_main", [("Conductă apă", LineString((e - 300, BACAU_N + 8), (e + 300, BACAU_N + 8)))])
    today = timezone.localdate()
    w = mapped_world
    other = Application.objects.create(
        kind=Kind.EXCAVATION, status=Status.ISSUED, owner=w["bob"], uat=w["uat_a"], issuer=w["issuer_a"],
        applicant_type=ApplicantType.COMPANY, applicant_name="Rețele Bacău SRL", applicant_id_code=VALID_CUI,
        registration_number=7, registration_year=2026, works_description="Cablu fibră optică")
    area = MultiPolygon(Polygon.from_bbox((e - 1, BACAU_N - 40, e + 1, BACAU_N - 10)), srid=3844)
    Excavation.objects.create(application=other, geom=area, area_m2=60, street="Strada Mărăști",
                              starts_on=today + timedelta(days=10), ends_on=today + timedelta(days=30))
    IssuedAct.objects.create(application=other, register="excavation", number=7, year=2026, issued_on=today,
                             issued_by=w["erin"], pdf="", sha256="0" * 64)
    return {**w, "e": e}


@pytest.fixture
def operator_page(browser, live_server, request):
    lang, device = request.param
    phone = device == "phone"
    context = browser.new_context(viewport=PHONE if phone else {"width": 1366, "height": 768}, locale="ro-RO",
                                  base_url=live_server.url, has_touch=phone, is_mobile=phone)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.lang, page.phone, page.tag = lang, phone, f"{lang}-{device}"
    yield page
    context.close()


CASES = [("ro", "desktop"), ("en", "desktop"), ("ro", "phone"), ("en", "phone")]


@pytest.mark.parametrize("operator_page", CASES, indirect=True, ids=["ro-desktop", "en-desktop", "ro-phone", "en-phone"])
def test_an_operator_draws_the_trench_and_submits_the_excavation_request(operator_page, street_world):
    page, text, w = operator_page, TEXT[operator_page.lang], street_world
    login(page, "alice")
    choose_language(page)
    page.goto("/requests/")
    page.locator("#new-excavation").click()
    page.wait_for_url(re.compile(r"/requests/new/excavation/"))
    wait_for_map(page)
    page.evaluate(f"window.portalMap.jumpTo({{center: {lonlat(500, 5)}, zoom: 17.5}})")
    wait_for_map(page)
    page.get_by_role("button", name=text["draw"]).click()
    # The trench along the street, from 20 m south of the gas main to 30 m north of it, 0.80 m wide.
    click_on_map(page, "#excavation-map", lonlat(500, -20))
    click_on_map(page, "#excavation-map", lonlat(500, 30))
    page.keyboard.press("Enter")
    expect(page.locator("#geometry-status")).to_contain_text("40")  # 50 m × 0.80 m = 40 m²
    expect(page.locator("#check-summary")).to_contain_text(text["fee"])
    avize = page.locator("#excavation-avize li")
    expect(avize).to_have_count(3)
    codes = sorted(avize.evaluate_all("(items) => items.map((i) => i.dataset.institution)"))
    assert codes == ["crab-bacau", "delgaz-grid-gaz", "primaria-bacau-drumuri"]
    expect(page.locator("#dig-once")).to_be_visible()
    expect(page.locator("#dig-once-list")).to_contain_text(text["overlap"])
    page.locator("#street").fill("Strada Mărăști")
    page.locator("#works_description").fill("Înlocuire conductă de gaze")
    page.locator("#live-check").scroll_into_view_if_needed()
    shot(page, f"excavation-{page.tag}-01-trench")
    page.locator("#applicant_name").fill("Delgaz Grid SA")
    page.locator("#applicant_id_code").fill("14399841")  # wrong check digit: reported next to the field
    page.locator("#applicant_id_code").blur()
    expect(page.locator("#excavation-form .field-error")).to_have_count(1)
    page.locator("#applicant_id_code").fill(VALID_CUI)
    expect(page.locator("#excavation-form .field-error")).to_have_count(0)  # cleared as soon as it is right
    page.locator("#file-plan_situatie").set_input_files(
        files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    shot(page, f"excavation-{page.tag}-02-applicant")
    page.get_by_role("button", name=text["submit"]).click()
    page.wait_for_url(re.compile(r"/requests/\d+/\?sent=1"))
    expect(page.locator("#confirmation")).to_contain_text(text["confirm"])
    expect(page.locator("#dig-once-conflicts")).to_contain_text("7/2026")
    wait_for_map(page)
    shot(page, f"excavation-{page.tag}-03-sent")
    app = Application.objects.get(owner=w["alice"], kind=Kind.EXCAVATION)
    assert app.status == Status.SUBMITTED and app.applicant_id_code == VALID_CUI
    assert (app.excavation.street, str(app.excavation.area_m2)) == ("Strada Mărăști", "40.00")
    assert {a["institution"]["code"] for a in app.analysis_result["required_avize"]} == {
        "crab-bacau", "delgaz-grid-gaz", "primaria-bacau-drumuri"}
    assert [c["application_id"] for c in app.excavation.conflicts] == [
        Application.objects.get(owner=w["bob"]).pk]
    assert page.console_errors == []
    # The public register: Bob's authorised excavation, not Alice's request (not authorised yet).
    page.goto("/excavations/")
    expect(page.locator("h1")).to_contain_text(text["register"])
    expect(page.locator(".excavation-entry")).to_have_count(1)
    expect(page.locator(".excavation-entry")).to_contain_text("7/2026")
    expect(page.locator(".excavation-entry")).to_contain_text(text["planned"])
    expect(page.locator("#excavation-register")).not_to_contain_text("Delgaz")
    wait_for_map(page)
    shot(page, f"excavation-{page.tag}-04-register")
