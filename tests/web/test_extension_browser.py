"""Law 50/1991 art. 7(7) in headless Chromium, through the interface alone, in Romanian and English, on a desktop
and a phone: the holder of an AC whose works are under way (the start was announced) finds "request an extension
of the permit" on its page, the wizard opens on that AC and the extension is submitted; an AC whose works ended
offers no extension. The AC and its works are the precondition (the earlier steps of the holder and the issuer).
An extension is of the act as issued: the wizard has no works step and runs no zoning analysis (the AC's works
exceed the zone's height, and no warning is shown); the recap shows the act's parcels and works, read-only."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from permits import works
from permits.choices import ApplicantType, Kind, Status
from permits.models import Application, IssuedAct
from tests.permits.conftest import VALID_CNP, pdf_bytes, pdf_upload
from tests.web.conftest import SCREENSHOTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
W = {
    "ro": {"started": "Lucrări în execuție", "ended": "Lucrări terminate", "extend": "Cere prelungirea autorizației",
           "title": "Cerere pentru prelungirea autorizației de construire", "next": "Continuă",
           "submit": "Trimite cererea", "confirm": "Cererea a fost trimisă", "registered": "Înregistrată",
           "form": "Cerere (F.12)", "avize": "Avize care vor fi necesare",
           "no_avize": "Prelungirea nu necesită avize noi.",
           "basis": "Legea 50/1991 art. 7(7), modificată prin Legea 176/2022",
           "steps": ["1. Actul prelungit", "2. Solicitant", "3. Documente", "4. Verificare și trimitere"],
           "act": "Autorizația prelungită", "scope": "Parcelele și lucrările actului prelungit",
           "works": "Lucrări", "noncompliant": "Lucrările nu respectă regulamentul zonei"},
    "en": {"started": "Works in progress", "ended": "Works completed", "extend": "Request an extension of the permit",
           "title": "Request to extend a building permit", "next": "Continue",
           "submit": "Submit the request", "confirm": "The request was sent", "registered": "Registered",
           "form": "Request form (F.12)", "avize": "Avize that will be required",
           "no_avize": "An extension needs no new avize.",
           "basis": "Law 50/1991 art. 7(7), as amended by Law 176/2022",
           "steps": ["1. The act extended", "2. Applicant", "3. Documents", "4. Review and submit"],
           "act": "The permit extended", "scope": "Parcels and works of the act extended",
           "works": "Works", "noncompliant": "The works do not comply with the zone's regulation"},
}


@pytest.fixture
def acs(mapped_world, signing):
    """Alice's two ACs on the mapped street, both started; the second one's works have ended."""
    w, today = mapped_world, timezone.localdate()
    made = []
    for i, parcel in enumerate(w["parcels"][4:6]):
        ac = Application.objects.create(
            owner=w["alice"], uat=w["uat_a"], issuer=w["issuer_a"], kind=Kind.AC, status=Status.ISSUED,
            applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu", applicant_id_code=VALID_CNP,
            applicant_email="alice.contact@example.ro", works_description="Locuință P+1",
            # Above the zone's 10 m: an analysis of these works would warn; an extension runs none.
            works_levels=4, works_height_m=Decimal("14"),
            works_value_ron=Decimal("300000"), residential=True, fee_ron=Decimal("1500.00"), paid_at=timezone.now(),
            registration_number=30 + i, registration_year=today.year, valid_until=today + timedelta(days=300))
        ac.parcels.add(parcel)
        IssuedAct.objects.create(application=ac, register="ac_ad", number=50 + i, year=today.year,
                                 issued_on=today - timedelta(days=40), issued_by=w["erin"], sha256="0" * 64)
        works.works_start_announce(application=ac, by=w["alice"], start_date=today, duration_months=18,
                                   contractor_name="Construct SRL", documents=[pdf_upload("cote-isc.pdf")])
        made.append(ac)
    works.works_end_announce(application=made[1], by=w["alice"], end_date=today, final_value_ron=300000)
    return made


@pytest.mark.parametrize("language,screen", [("ro", "desktop"), ("en", "desktop"), ("ro", "phone"), ("en", "phone")])
def test_the_holder_extends_an_ac_whose_works_are_under_way(browser, live_server, acs, language, screen):
    started, ended = acs
    w = W[language]
    context = browser.new_context(viewport=SCREENS[screen], locale="ro-RO", base_url=live_server.url,
                                  has_touch=screen == "phone", is_mobile=screen == "phone")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def shot(name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"extension-{language}-{screen}-{name}.png"), full_page=True)

    login(page, "alice", language=language if language == "en" else None)
    page.goto(f"/requests/{ended.pk}/")
    expect(page.locator("h1 .badge")).to_have_text(w["ended"])
    expect(page.get_by_role("link", name=w["extend"])).to_have_count(0)  # nothing left to extend

    page.goto(f"/requests/{started.pk}/")
    expect(page.locator("h1 .badge")).to_have_text(w["started"])
    shot("01-works-under-way")
    page.get_by_role("link", name=w["extend"]).click()
    page.wait_for_url(re.compile(rf"/requests/new/ac_extension/\?based_on={started.pk}$"))
    expect(page.locator("h1")).to_have_text(w["title"])
    # Act → applicant → documents → review: no works step.
    expect(page.locator("#steps li")).to_have_text(w["steps"])
    expect(page.locator(".wizard-step[data-step='3'], #works_description, #draw-start, #compliance")).to_have_count(0)
    # Step 1 is the act extended and its parcels, read-only (no parcel search, nothing to remove).
    expect(page.get_by_label(w["act"])).to_have_value(str(started.pk))
    # Only the AC under way is offered: the one whose works ended is not in the list.
    expect(page.locator(f"#based_on option[value='{ended.pk}']")).to_have_count(0)
    parcel = started.parcels.get()
    expect(page.locator(f"#chosen-parcels [data-parcel='{parcel.pk}']")).to_be_visible()
    expect(page.locator("#chosen-parcels button, #parcel-q")).to_have_count(0)
    shot("02-wizard-act")
    page.get_by_role("button", name=w["next"]).click()
    expect(page.locator("#s2")).to_be_visible()
    expect(page.locator("#applicant_id_code")).to_have_value(VALID_CNP)  # carried over from the AC
    shot("02b-wizard-applicant")
    page.get_by_role("button", name=w["next"]).click()
    expect(page.locator("#s4")).to_be_visible()
    # The extension of an AC is requested on form F.12 (Ord. 839/2009), not on F.1 / F.8.
    expect(page.locator("label[for='file-cerere']")).to_have_text(w["form"])
    page.locator("#file-cerere").set_input_files(
        files=[{"name": "cerere-f12.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    expect(page.locator("#doc-slots .dropzone.done")).to_have_count(1)
    page.get_by_role("button", name=w["next"]).click()
    expect(page.locator("#s5")).to_be_visible()
    expect(page.locator("#wizard-fee")).to_have_text(re.compile(r"^0[,.]00 lei$"))  # free since Law 176/2022
    expect(page.locator("#wizard-fee-basis")).to_have_text(w["basis"])  # in the page's language
    # An extension needs no new avize: no (empty) list of them, a plain sentence instead.
    expect(page.get_by_role("heading", name=w["avize"])).to_have_count(0)
    expect(page.locator("#wizard-avize")).to_have_count(0)
    expect(page.locator("#wizard-no-avize")).to_have_text(w["no_avize"])
    # The act's parcels and works, labelled as such; no zoning warning (the works are the act's, not reassessed).
    scope = page.locator("#extended-act")
    expect(scope.get_by_role("heading", name=w["scope"])).to_be_visible()
    expect(scope).to_contain_text(parcel.cadastral_number)
    expect(scope.locator("dt", has_text=w["works"]).locator("+ dd")).to_have_text("Locuință P+1")
    expect(page.locator("#compliance-warning, #accept-noncompliant")).to_have_count(0)
    expect(page.get_by_text(w["noncompliant"])).to_have_count(0)
    shot("03-recap")
    page.get_by_role("button", name=w["submit"]).click()

    extension = Application.objects.get(kind=Kind.AC_EXTENSION)
    page.wait_for_url(re.compile(rf"/requests/{extension.pk}/\?sent=1$"))
    expect(page.locator("#confirmation")).to_contain_text(w["confirm"])
    expect(page.locator("h1")).to_contain_text(w["registered"])
    shot("04-sent")
    expect(page.locator("li", has_text="cerere-f12.pdf")).to_contain_text(w["form"])
    extension.refresh_from_db()
    assert extension.status == Status.SUBMITTED and extension.based_on_id == started.pk
    assert extension.analysis_result is None and extension.works_levels is None and extension.works_footprint is None
    assert list(extension.parcels.all()) == [parcel]
    assert errors == []
    context.close()
