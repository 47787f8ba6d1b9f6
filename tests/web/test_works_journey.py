"""Issue 18 in headless Chromium, through the interface alone, in Romanian and English, on a desktop and a
phone: the holder of an issued AC announces the start of works (with the proof of the ISC quotas), the
works appear on the public register and map layer, the holder announces the end with the final value, the
clerk records the payment of the fee difference and the reception (rejected once, then admitted) and the
file is closed and off the register. The issued AC is the precondition (the other actors' earlier work)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from permits.choices import ApplicantType, Kind, Status
from permits.models import Application, IssuedAct, Reception
from tests.permits.conftest import VALID_CNP, pdf_bytes
from tests.web.conftest import SCREENSHOTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = (390, 844), (1366, 768)
W = {
    "ro": {"start": "Anunță începerea lucrărilor", "start_date": "Data începerii lucrărilor",
           "duration": "Durata de execuție (luni, conform autorizației)", "contractor": "Executantul lucrărilor (opțional)",
           "proof": "Dovada plății cotelor ISC", "started": "Lucrări în execuție", "end": "Anunță terminarea lucrărilor",
           "end_date": "Data terminării lucrărilor", "value": "Valoarea finală (reală) a lucrărilor, în lei",
           "ended": "Lucrări terminate", "to_pay": "Diferență de plată: 200,00 lei", "reference": "Număr chitanță / ordin de plată",
           "pay": "Înregistrează plata diferenței", "paid": "plătită", "representative": "Reprezentantul emitentului în comisie",
           "members": "Ceilalți membri ai comisiei (câte unul pe rând)", "outcome": "Rezultatul recepției",
           "remarks": "Obiecții / motive", "report": "Procesul-verbal de recepție semnat", "receive": "Înregistrează recepția",
           "rejected": "Respinsă", "admitted": "Admisă", "closed": "Închisă (recepționată)",
           "register": "Lucrări autorizate în execuție", "english": None},
    "en": {"start": "Announce the start of works", "start_date": "Start date of works",
           "duration": "Duration of works (months, as authorised)", "contractor": "Contractor (optional)",
           "proof": "Proof of payment of the ISC quotas", "started": "Works in progress", "end": "Announce the end of works",
           "end_date": "End date of works", "value": "Final (real) value of the works, in lei",
           "ended": "Works completed", "to_pay": "Difference to pay: 200.00 lei", "reference": "Receipt / payment order number",
           "pay": "Record the payment of the difference", "paid": "paid",
           "representative": "The issuer's representative on the commission",
           "members": "The other members of the commission (one per line)", "outcome": "Outcome of the reception",
           "remarks": "Remarks / reasons", "report": "Signed reception report", "receive": "Record the reception",
           "rejected": "Refused", "admitted": "Admitted", "closed": "Closed (received)",
           "register": "Authorised works in progress", "english": "English"},
}


class Person:
    """A browser context logged in through the shared log-in helper, then switched to the test's language."""

    def __init__(self, browser, live_server, username: str, language: str, viewport):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="ro-RO",
                                           base_url=live_server.url)
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.language, self.w = language, W[language]
        login(self.page, username)
        if self.w["english"]:
            self.page.locator(".lang-switch").get_by_role("button", name=self.w["english"]).click()
            expect(self.page.locator("html")).to_have_attribute("lang", "en")

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"works-{self.language}-{name}.png"), full_page=True)


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}


@pytest.fixture
def issued_ac(cast, parcel_factory):
    today = timezone.localdate()
    app = Application.objects.create(
        owner=cast["alice"], uat=cast["uat_a"], issuer=cast["issuer_a"], kind=Kind.AC, status=Status.ISSUED,
        applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu", applicant_id_code=VALID_CNP,
        applicant_email="alice.contact@example.ro", works_description="Locuință P+1", designer_name="Arh. Ion Ionescu",
        works_value_ron=Decimal("300000"), residential=True, fee_ron=Decimal("1500.00"), paid_at=timezone.now(),
        registration_number=12, registration_year=today.year, valid_until=today + timedelta(days=300))
    app.parcels.add(parcel_factory(address="Str. Mărăști 10"))
    IssuedAct.objects.create(application=app, register="ac_ad", number=44, year=today.year,
                             issued_on=today - timedelta(days=20), issued_by=cast["erin"], sha256="0" * 64)
    return app


@pytest.mark.parametrize("language", ["ro", "en"])
def test_the_holder_announces_start_and_end_and_the_clerk_records_the_reception(
        browser, live_server, issued_ac, language):
    ac, today = issued_ac, timezone.localdate()
    alice = Person(browser, live_server, "alice", language, DESKTOP)
    page, w = alice.page, alice.w
    page.goto(f"/requests/{ac.pk}/")
    expect(page.locator("#isc-quotas")).to_be_visible()
    page.get_by_label(w["start_date"]).fill(today.isoformat())
    page.get_by_label(w["duration"]).fill("14")
    page.get_by_label(w["contractor"]).fill("Construct SRL")
    alice.shot("01-holder-start-form-desktop")
    page.get_by_role("button", name=w["start"], exact=True).click()  # no proof attached: refused next to the field
    expect(page.locator("#works-start-form .error")).to_be_visible()
    page.get_by_label(w["proof"]).set_input_files(_pdf("cote-isc.pdf"))
    page.get_by_role("button", name=w["start"], exact=True).click()
    expect(page.locator("h1 .badge")).to_have_text(w["started"])
    expect(page.locator("#works-facts")).to_contain_text("Construct SRL")
    alice.shot("02-holder-started-desktop")

    # The public register and the map layer, on a phone, anonymously.
    public = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, base_url=live_server.url)
    anonymous = public.new_page()
    if language == "en":
        anonymous.goto("/works/")
        anonymous.locator(".lang-switch").get_by_role("button", name="English").click()
    anonymous.goto("/works/")
    row = anonymous.locator(f"#works-register tr[data-application='{ac.pk}']")
    expect(row).to_contain_text("Alice Popescu")
    expect(row).to_contain_text("Construct SRL")
    expect(anonymous.locator("body")).not_to_contain_text(VALID_CNP)
    anonymous.screenshot(path=str(SCREENSHOTS / f"works-{language}-03-public-register-phone.png"), full_page=True)
    anonymous.goto("/")
    anonymous.wait_for_function("() => window.portalMap && window.portalMap.getSource('works-in-progress')")
    anonymous.wait_for_function("() => window.portalMap.querySourceFeatures('works-in-progress').length > 0")
    public.close()

    # The end of works, on the holder's phone.
    phone = Person(browser, live_server, "alice", language, PHONE)
    phone.page.goto(f"/requests/{ac.pk}/")
    phone.page.get_by_label(w["end_date"]).fill(today.isoformat())
    phone.page.get_by_label(w["value"]).fill("340000")
    phone.shot("04-holder-end-form-phone")
    phone.page.get_by_role("button", name=w["end"], exact=True).click()
    expect(phone.page.locator("h1 .badge")).to_have_text(w["ended"])
    expect(phone.page.locator("#regularisation")).to_contain_text(w["to_pay"])
    phone.shot("05-holder-regularised-phone")

    carol = Person(browser, live_server, "carol", language, DESKTOP)
    cp = carol.page
    cp.goto(f"/requests/{ac.pk}/")
    cp.get_by_label(w["reference"]).fill("CH-REG-7")
    cp.get_by_role("button", name=w["pay"]).click()
    expect(cp.locator("#regularisation .badge")).to_have_text(w["paid"])
    form = cp.locator("#reception-form")
    form.get_by_label(w["representative"]).fill("Carol Ionescu")
    form.get_by_label(w["members"]).fill("Alice Popescu\nIng. Dan Diriginte")
    form.get_by_label(w["outcome"]).select_option("rejected")
    form.get_by_label(w["remarks"]).fill("Lipsește trotuarul de gardă.")
    form.get_by_label(w["report"]).set_input_files(_pdf("pv-1.pdf"))
    form.get_by_role("button", name=w["receive"]).click()
    expect(cp.locator("#receptions li[data-outcome='rejected']")).to_contain_text(w["rejected"])
    expect(cp.locator("h1 .badge")).to_have_text(w["ended"])  # still open
    form = cp.locator("#reception-form")
    form.get_by_label(w["representative"]).fill("Carol Ionescu")
    form.get_by_label(w["members"]).fill("Alice Popescu")
    form.get_by_label(w["outcome"]).select_option("admitted")
    form.get_by_label(w["report"]).set_input_files(_pdf("pv-2.pdf"))
    form.get_by_role("button", name=w["receive"]).click()
    expect(cp.locator("h1 .badge")).to_have_text(w["closed"])
    carol.shot("06-clerk-received-desktop")

    ac.refresh_from_db()
    assert ac.status == Status.CLOSED and ac.works.regularisation_paid_at is not None
    assert list(Reception.objects.filter(application=ac).values_list("outcome", flat=True)) == ["rejected", "admitted"]
    cp.goto("/works/")
    expect(cp.locator(f"#works-register tr[data-application='{ac.pk}']")).to_have_count(0)
    carol.shot("07-register-after-reception-desktop")
    for person in (alice, phone, carol):
        assert person.errors == []
        person.context.close()
