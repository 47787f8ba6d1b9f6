"""Fixtures of the web UI tests: a small mapped world, and headless Chromium driven by Playwright.

Browser tests run against pytest-django's live_server (which serves static files through the
staticfiles finders, so node_modules/ is reachable under /static/vendor/). Screenshots of each
journey's key screens go to test-artifacts/screenshots/ (CI keeps the folder).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import BACAU_E, BACAU_N, square
from tests.helpers import second_factor_device, totp_code
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The same patience for assertions as for actions (contexts use 15 s): a loaded 2-core machine
# can take longer than expect()'s default 5 s to draw a map label.
expect.set_options(timeout=15_000)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="ro-RO",
                                  base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


LOGIN_WORDS = {"ro": ("Nume utilizator", "Parolă", "Intră"), "en": ("Username", "Password", "Log in")}


def login(page, username: str, password: str | None = None, *, language: str | None = None) -> None:
    """Log in through the log-in page, then the second-factor page with a real TOTP code when the account
    has one (staff, reviewers, admins: their app is enrolled beforehand, `second_factor_device`).
    `language="en"` switches the page to English first (the choice stays for the session)."""
    prepare_second_factor(username)
    page.goto("/login/")
    if language == "en":
        page.locator(".lang-switch").get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    user_label, password_label, button = LOGIN_WORDS[language or "ro"]
    page.get_by_label(user_label, exact=True).fill(username)
    page.get_by_label(password_label, exact=True).fill(password or f"{username}-secret-pass")
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(lambda url: "/login/" not in url)
    second_factor(page, username)


def prepare_second_factor(username: str) -> None:
    """A staff account has its authenticator app enrolled (an earlier step of that person, not the
    journey's subject). For tests with their own log-in form steps (in another language): call this
    before the password, and `second_factor` after it."""
    from accounts.mfa import second_factor_required
    from accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is not None and second_factor_required(user):
        second_factor_device(user)


def second_factor(page, username: str) -> None:
    """On the second-factor page (after the password), type the current code of the user's app and go on;
    nothing to do for an account without a second factor."""
    from accounts.models import User

    if "/account/second-factor/" not in page.url:
        return
    code = page.locator("input[name=otp]")
    code.fill(totp_code(User.objects.get(username=username)))
    code.press("Enter")
    page.wait_for_url(lambda url: "/account/second-factor/" not in url)


def wait_for_map(page, timeout: int = 15_000) -> None:
    """Until the page's MapLibre map has loaded its style and every tile it asked for."""
    page.wait_for_function(
        "() => window.portalMap && window.portalMap.loaded() && window.portalMap.areTilesLoaded()",
        timeout=timeout)


def rendered(page, layer_ids: list[str]) -> list[dict]:
    """Properties of the features MapLibre actually drew for these style layers."""
    return page.evaluate(
        """(ids) => {
            const map = window.portalMap;
            const present = ids.filter((id) => map.getLayer(id));
            return map.queryRenderedFeatures({layers: present}).map((f) => ({id: f.id, ...f.properties}));
        }""", layer_ids)


@pytest.fixture
def mapped_world(cast, parcel_factory):
    """The cast plus a street of parcels in Bacău, a monument 50 m from one of them and a UTR."""
    from institutions.services import institutions_seed
    from layers.models import Feature, Layer, ZoningUnit
    from layers.services import layer_version_publish, layer_version_start
    from rules.services import rules_load_csv, works_rules_load_csv

    rules_load_csv()
    works_rules_load_csv()
    institutions_seed()

    parcels = [parcel_factory(e=BACAU_E + i * 25, n=BACAU_N, size=20.0, cadastral_number=str(70001 + i),
                              address=f"Strada Mărășești nr. {i + 1}, Bacău") for i in range(8)]
    monuments = Layer.objects.create(slug="monumente", name="Monumente istorice", kind=Layer.Kind.CONSTRAINT,
                                     theme="lmi_monument")
    version = layer_version_start(layer=monuments, source_name="test")
    from django.contrib.gis.geos import Point
    Feature.objects.create(version=version, name="Biserica Precista", attrs={"lmi_code": "BC-II-m-A-00839",
                           "group": "A"}, geom=Point(BACAU_E + 60, BACAU_N + 60, srid=3844))
    layer_version_publish(version=version)
    utr = Layer.objects.create(slug="utr", name="Zonificare UTR", kind=Layer.Kind.ZONING, theme="utr_polygon")
    version = layer_version_start(layer=utr, source_name="test")
    Feature.objects.create(version=version, name="L1a", attrs={"utr_code": "L1a"},
                           geom=square(BACAU_E - 100, BACAU_N - 100, 400)[0])
    layer_version_publish(version=version)
    intravilan = Layer.objects.create(slug="intravilan", name="Limita intravilanului", kind=Layer.Kind.REFERENCE,
                                      theme="intravilan_limit")
    version = layer_version_start(layer=intravilan, source_name="test")
    Feature.objects.create(version=version, name="Intravilan", geom=square(BACAU_E - 6000, BACAU_N - 2000, 8000)[0])
    layer_version_publish(version=version)
    ZoningUnit.objects.create(uat=cast["uat_a"], code="L1a", name="Locuințe individuale", pot_max=35, cut_max=0.9,
                              height_max_m=10, levels_max="P+1E+M", allowed_functions=["locuire"],
                              forbidden_functions=["industrie"])
    return {**cast, "parcels": parcels}


@pytest.fixture
def submitted_cu(mapped_world, api, signing):
    """A CU request by alice on parcel 70001, submitted through the permits API with its documents."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from permits.choices import REQUIRED_DOCUMENTS
    from permits.models import Application

    client = api(mapped_world["alice"])
    parcel = mapped_world["parcels"][0]
    response = client.post("/api/v1/applications/", {
        "kind": "cu", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": "1800101040017", "parcel_ids": [parcel.pk], "purpose": "construire",
        "works_kind": "building", "works_description": "Locuință P+1"}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    for doc_type in REQUIRED_DOCUMENTS["cu"]:
        upload = SimpleUploadedFile(f"{doc_type}.pdf", _pdf(), content_type="application/pdf")
        assert client.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": doc_type, "file": upload},
                           format="multipart").status_code == 201
    assert client.post(f"/api/v1/applications/{pk}/submit/").status_code == 200
    return Application.objects.get(pk=pk)


def _pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def ac_in_avize(mapped_world, api, signing):
    """An AC by alice on parcel 70001, based on her issued CU, taken to the avize stage through the permits
    API by carol: the aviz request is the one the workflow creates (request_avize → avize), not a fixture's."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from permits.choices import REQUIRED_DOCUMENTS, ApplicantType, Kind, Status
    from permits.models import Application

    w = mapped_world
    parcel = w["parcels"][0]
    # The issued CU is the precondition, not the subject (the clerk journey issues one in the browser).
    cu = Application.objects.create(
        kind=Kind.CU, status=Status.ISSUED, owner=w["alice"], uat=w["uat_a"], issuer=w["issuer_a"],
        applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu", applicant_id_code="1800101040017",
        valid_until=timezone.localdate() + timedelta(days=365))
    cu.parcels.add(parcel)
    alice = api(w["alice"])
    response = alice.post("/api/v1/applications/", {
        "kind": "ac", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": "1800101040017", "parcel_ids": [parcel.pk], "based_on": cu.pk,
        "works_kind": "building", "works_description": "Locuință P+1",
        "works_value_ron": "250000.00", "residential": True}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    for doc_type in REQUIRED_DOCUMENTS["ac"]:
        upload = SimpleUploadedFile(f"{doc_type}.pdf", _pdf(), content_type="application/pdf")
        assert alice.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": doc_type, "file": upload},
                          format="multipart").status_code == 201
    response = alice.post(f"/api/v1/applications/{pk}/submit/")
    assert response.status_code == 200, response.content
    carol = api(w["carol"])
    for action in ("accept", "request_avize"):
        response = carol.post(f"/api/v1/applications/{pk}/transitions/", {"action": action}, format="json")
        assert response.status_code == 200, (action, response.content)
    app = Application.objects.get(pk=pk)
    assert app.status == Status.AVIZE
    return app
