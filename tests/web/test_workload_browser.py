"""Issue 19 in the browser: the chief architect sets the assignment rule and a clerk's leave, then reads the
indicators dashboard (tables, SVG charts, CSV download) in Romanian and English, on a desktop and a phone."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from permits.models import Application, AssignmentPolicy
from tests.web.conftest import login, shot
from tests.workload.test_indicators import event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def office(cast, parcel_factory):
    """Two more clerks of issuer_a; two requests decided in December 2025 and one pending, all carol's."""
    ana = User.objects.create_user(username="ana", password="ana-secret-pass", role=User.Role.CLERK,
                                   issuer=cast["issuer_a"], first_name="Ana", last_name="Ionescu")
    User.objects.create_user(username="radu", password="radu-secret-pass", role=User.Role.CLERK,
                             issuer=cast["issuer_a"], first_name="Radu", last_name="Matei")
    carol = cast["carol"]
    carol.first_name, carol.last_name = "Carol", "Pop"
    carol.save()

    def request(reg: date, decided: date | None, clerk):
        app = Application.objects.create(kind="cu", status="issued" if decided else "in_review", owner=cast["alice"],
                                         issuer=cast["issuer_a"], uat=cast["uat_a"], applicant_type="person",
                                         applicant_name="Alice Popescu", applicant_id_code="1800101040017",
                                         due_date=reg + timedelta(days=21), assigned_to=clerk)
        app.parcels.set([parcel_factory()])
        event(app, reg, "submit", hour=9)
        event(app, reg, "assign", clerk=clerk, hour=10)
        if decided:
            event(app, decided, "issue", to_status="issued", hour=15)
        return app

    request(date(2025, 11, 28), date(2025, 12, 5), carol)   # 4 working days (1 December)
    request(date(2025, 12, 19), date(2026, 1, 8), ana)       # 8 working days across Christmas and New Year
    pending = request(date(2025, 12, 10), None, carol)
    return {**cast, "ana": ana, "pending": pending}


def test_the_chief_architect_assigns_and_reads_the_indicators(page, office):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "erin")
    page.get_by_role("navigation").get_by_role("link", name="Repartizare").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Repartizarea cererilor")
    page.get_by_label("Regula de repartizare a cererilor noi").select_option("least_open")
    page.get_by_role("button", name="Salvează regula").click()
    expect(page.locator(".messages")).to_contain_text("Regula de repartizare a fost salvată.")
    assert AssignmentPolicy.objects.get(issuer=office["issuer_a"]).kind == "least_open"
    today = timezone.localdate()
    form = page.locator("#leave-form")
    form.get_by_label("Funcționar").select_option(label="Carol Pop")
    form.get_by_label("Prima zi").fill(today.isoformat())
    form.get_by_label("Ultima zi").fill((today + timedelta(days=4)).isoformat())
    form.get_by_label("Motiv").fill("Concediu de odihnă")
    form.get_by_role("button", name="Înregistrează concediul").click()
    expect(page.locator(".messages")).to_contain_text("1 cerere în lucru a fost repartizată altui coleg.")
    expect(page.locator("#workload tr[data-clerk='carol']")).to_contain_text("în concediu")
    # The pending request went to the least loaded available clerk (Radu: none open; Ana's is closed too).
    office["pending"].refresh_from_db()
    assert office["pending"].assigned_to.username in ("ana", "radu")
    shot(page, "workload-ro-assignment-desktop")
    page.get_by_role("navigation").get_by_role("link", name="Registru cereri").click()
    page.get_by_label("Repartizate").select_option("all")
    page.get_by_role("button", name="Filtrează").click()
    holder = office["pending"].assigned_to.get_full_name()
    expect(page.locator(f"#queue tr[data-application='{office['pending'].pk}']")).to_contain_text(holder)
    expect(page.locator("#queue thead")).to_contain_text("Responsabil")
    shot(page, "workload-ro-queue-desktop")

    page.get_by_role("navigation").get_by_role("link", name="Indicatori").click()
    page.get_by_label("De la").fill("2025-12-01")
    page.get_by_label("Până la").fill("2026-01-31")
    page.get_by_role("button", name="Afișează").click()
    issuers = page.locator("#table-issuers tbody tr")
    expect(issuers).to_have_count(1)
    expect(issuers.first.locator("td")).to_have_text(["Primarul municipiului Bacău", "2", "2", "1", "6,0", "7,6",
                                                     "100 %", "0"])
    carol_row = page.locator("#table-clerks tbody tr", has_text="Carol Pop")
    expect(carol_row.locator("td")).to_have_text(["Carol Pop", "1", "1", "1", "4,0", "4,0", "100 %", "0"])
    expect(page.locator("#chart-work rect")).not_to_have_count(0)
    expect(page.locator("#chart-time title").first).to_have_text("Timp de soluționare (zile lucrătoare)")
    with page.expect_download() as info:
        page.locator("#csv-clerks").click()
    data = open(info.value.path(), "rb").read().decode("utf-8")
    assert data.startswith("\ufeffEmitent / departament de urbanism,Funcționar,Primite")
    assert "Primarul municipiului Bacău,Carol Pop,1,1,1,4.0,4.0,100.0,0" in data
    assert not page.console_errors
    shot(page, "workload-ro-indicators-desktop")
    page.locator("#chart-time").scroll_into_view_if_needed()
    shot(page, "workload-ro-indicators-charts-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#table-clerks")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "workload-ro-indicators-phone")

    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator(".lang-switch").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance indicators")
    expect(page.locator("#table-issuers thead th")).to_have_text([
        "Issuer / urbanism department", "Received", "Resolved", "Pending", "Median (working days)",
        "90th percentile", "Within the legal deadline", "Returned for completion"])
    expect(issuers.first.locator("td").nth(4)).to_have_text("6.0")
    shot(page, "workload-en-indicators-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "workload-en-indicators-phone")
    page.get_by_role("navigation").get_by_role("link", name="Assignment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assignment of requests")
    shot(page, "workload-en-assignment-phone")
    assert not page.console_errors


def test_a_reviewer_sees_their_institution_only(page, office):
    login(page, "frank")
    page.get_by_role("navigation").get_by_role("link", name="Indicatori").click()
    expect(page.locator("#table-institutions")).to_be_visible()
    expect(page.locator("#table-issuers")).to_have_count(0)
    expect(page.locator("#table-clerks")).to_have_count(0)
