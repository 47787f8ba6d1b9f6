"""The journey of issue 15 from the map to the issued building permit, in headless Chromium, through
the interface alone (no API call, no database write), in Romanian and in English:

the investor finds parcel 70001 on the map and requests a CU with the wizard; the clerk finds it on her
work list, records the payment and accepts it (she is not offered "Issue"); the chief architect issues it
after the confirmation dialog; the investor opens the issued CU, starts the AC from it and submits it;
the clerk accepts it and requests the avize; the culture institution asks for completion; the investor
uploads the document and sends it; the institution answers with conditions; the electricity operator
never answers and is tacitly approved when the real periodic tick runs at a later "now" (the one step
that is not the interface); the chief architect issues the AC and the investor downloads it, with the
condition in the PDF.
"""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from permits.choices import Kind, Status
from permits.models import Application
from tests.avize.conftest import pdf_upload
from tests.conftest import BACAU_E, BACAU_N
from tests.web.conftest import SCREENSHOTS, login, wait_for_map
from tests.web.test_investor_wizard import TEXT, VALID_CNP, draw_square, upload_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ro": {
        "username": "Nume utilizator", "password": "Parolă", "login": "Intră", "logout": "Ieșire",
        "receipt": "Număr chitanță", "pay": "Înregistrează plata", "accept": "Acceptă spre analiză",
        "request_avize": "Solicită avizele", "issue": "Emite", "confirm": "Confirmare", "cancel": "Anulează",
        "yes_issue": "Da, emite actul", "validity": "Valabilitate (luni)", "in_review": "În analiză",
        "avize": "În avizare", "issued": "Emisă", "todo": "De lucrat de mine", "completion_text": "Ce documente lipsesc",
        "ask_completion": "Trimite solicitarea de completări", "completion_requested": "Completări solicitate",
        "file": "Fișier (PDF, PNG sau JPEG)", "upload": "Încarcă documentul", "send_completion": "Trimite completările",
        "with_conditions": "Favorabil cu condiții", "aviz_number": "Număr aviz",
        "conditions": "Condiții (una pe rând)", "answer": "Trimite răspunsul semnat", "tacit": "Aprobat tacit",
        "my_requests": "Cererile mele", "preview": "Previzualizare înainte de emitere", "fee_unpaid": "taxa nu a fost plătită", "undo": "nu poate fi anulată",
    },
    "en": {
        "username": "Username", "password": "Password", "login": "Log in", "logout": "Log out",
        "receipt": "Receipt number", "pay": "Record the payment", "accept": "Accept for review",
        "request_avize": "Request the avize", "issue": "Issue", "confirm": "Confirmation", "cancel": "Cancel",
        "yes_issue": "Yes, issue the act", "validity": "Validity (months)", "in_review": "In review",
        "avize": "Awaiting avize", "issued": "Issued", "todo": "Waiting for me", "completion_text": "Which documents are missing",
        "ask_completion": "Send the completion request", "completion_requested": "Completion requested",
        "file": "File (PDF, PNG or JPEG)", "upload": "Upload the document", "send_completion": "Send the completions",
        "with_conditions": "Favourable with conditions", "aviz_number": "Aviz number",
        "conditions": "Conditions (one per line)", "answer": "Send the signed answer", "tacit": "Tacitly approved",
        "my_requests": "My requests", "preview": "Preview before issuing", "fee_unpaid": "the fee has not been paid", "undo": "cannot be undone",
    },
}


class Actor:
    """One person in their own browser context, logged in through the log-in page, in one language."""

    def __init__(self, browser, live_server, username: str, language: str, viewport=(1366, 768)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                           locale="ro-RO", base_url=live_server.url, accept_downloads=True)
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.w = WORDS[language]
        self.username, self.language = username, language
        page = self.page
        login(page, username, language=language)

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"staff-{self.language}-{name}.png"))

    def open_from_list(self, app: Application, list_selector: str = "#queue") -> None:
        self.page.locator(f"{list_selector} tr[data-application='{app.pk}']").get_by_role("link").click()
        self.page.wait_for_url(re.compile(rf"/requests/{app.pk}/$"))

    def issue(self) -> None:
        page, w = self.page, self.w
        page.get_by_label(w["validity"]).fill("12")
        page.get_by_role("button", name=w["issue"], exact=True).click()
        dialog = page.get_by_role("dialog", name=w["confirm"])
        expect(dialog).to_contain_text(w["undo"])
        self.shot("confirm-dialog")
        dialog.get_by_role("button", name=w["cancel"]).click()
        expect(dialog).to_be_hidden()
        page.get_by_role("button", name=w["issue"], exact=True).click()
        dialog.get_by_role("button", name=w["yes_issue"]).click()
        # issuing renders the PDF with its map extract and signs it: allow it time on busy cores
        expect(page.locator("h1")).to_contain_text(w["issued"], timeout=90_000)

    def download_act(self) -> bytes:
        with self.page.expect_download() as info:
            self.page.locator("#download-act").click()
        return info.value.path().read_bytes()

    def close(self) -> None:
        assert not self.errors, self.errors
        self.context.close()


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def staff_world(mapped_world):
    """The mapped world plus a 20 kV overhead line 8 m from parcel 70001: its AC needs the culture aviz
    (the monument) and the electricity operator's (the line corridor)."""
    from django.contrib.gis.geos import LineString

    from layers.models import Feature, Layer
    from layers.services import layer_version_publish, layer_version_start

    lines = Layer.objects.create(slug="lea", name="Linii electrice", kind=Layer.Kind.CONSTRAINT,
                                 theme="power_line_20kV")
    version = layer_version_start(layer=lines, source_name="test")
    Feature.objects.create(version=version, name="LEA 20 kV Bacău Nord", attrs={"voltage_kv": 20},
                           geom=LineString((BACAU_E - 50, BACAU_N - 8), (BACAU_E + 80, BACAU_N - 8), srid=3844))
    layer_version_publish(version=version)
    return mapped_world


def attribution_is_legible(page) -> None:
    """The map's source attribution (bottom-left) reads in one or two lines, not one word per line: its width
    used to be a percentage of the scale bar's container, so a small map squeezed it to its narrowest."""
    attribution = page.locator(".maplibregl-ctrl-attrib-inner")
    expect(attribution).to_contain_text("demo")
    box = attribution.bounding_box()
    assert box and box["width"] > 150 and box["height"] <= 45, box  # at most two lines


def investor_requests_a_cu(alice: Actor) -> Application:
    """From the home map: find parcel 70001, request a CU through the wizard (with its footprint), submit."""
    page, text = alice.page, TEXT[alice.language]
    page.goto("/")
    wait_for_map(page)
    page.get_by_label(text["cadastral"]).fill("70001")
    page.get_by_role("button", name=text["search"]).click()
    panel = page.locator("#parcel-panel")
    expect(panel.locator("#parcel-title")).to_contain_text("70001")
    panel.get_by_role("link", name=text["request_cu"]).click()
    page.wait_for_url(re.compile(r"/requests/new/cu/\?parcel="))
    expect(page.locator("#chosen-parcels")).to_contain_text("70001")
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#s2")).to_be_visible()
    page.locator("#applicant_name").fill("Alice Popescu")
    page.locator("#applicant_id_code").fill(VALID_CNP)
    page.locator("#purpose").select_option("construire")
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#s3")).to_be_visible()
    page.locator("#works_description").fill("Locuință P+1")
    page.locator("#works_levels").fill("2")
    page.locator("#works_height_m").fill("7")
    wait_for_map(page)
    draw_square(page, 5, 15)
    expect(page.locator("#compliance [data-check=pot]")).to_contain_text(text["pass"])
    attribution_is_legible(page)
    page.get_by_role("button", name=text["next"]).click()
    upload_all(page)
    page.get_by_role("button", name=text["next"]).click()
    page.get_by_role("button", name=text["submit"]).click()
    page.wait_for_url(re.compile(r"/requests/\d+/\?sent=1$"))
    expect(page.locator("#confirmation")).to_contain_text(text["confirm"])
    return Application.objects.get(pk=int(re.search(r"/requests/(\d+)/", page.url)[1]))


def clerk_prepares(carol: Actor, app: Application, receipt: str) -> None:
    """The clerk opens the request from her work list, records the payment and accepts it."""
    page, w = carol.page, carol.w
    carol.open_from_list(app)
    expect(page.locator("#action-form [data-action=issue]")).to_have_count(0)
    page.get_by_label(w["receipt"]).fill(receipt)
    page.get_by_role("button", name=re.compile(w["pay"])).click()
    expect(page.locator("#payment-form")).to_have_count(0)
    # The payment reloads the page: the form is gone as soon as the new document is committed, but its
    # script (the action form's submit handler) runs only before it loads. Clicked earlier, "Accept" was a
    # plain form submit that left the request registered (seen in 2 of 8 runs: h1 still "Registered").
    page.wait_for_load_state()
    page.get_by_role("button", name=w["accept"]).click()
    expect(page.locator("h1")).to_contain_text(w["in_review"])
    # the clerk prepared it; issuing is the chief architect's
    expect(page.locator("#action-form [data-action=issue]")).to_have_count(0)


def investor_starts_the_ac_from_the_cu(alice: Actor, cu: Application) -> Application:
    """From "My requests": the issued CU's page, "Request the building permit", the wizard carries the
    parcel, the CU and the works over; the value of the works, the documents, submit."""
    page, text = alice.page, TEXT[alice.language]
    page.get_by_role("link", name=alice.w["my_requests"], exact=True).first.click()
    page.get_by_role("link", name=re.compile(f"#{cu.pk}")).click()
    page.get_by_role("link", name=text["start_ac"]).click()
    page.wait_for_url(re.compile(rf"/requests/new/ac/\?based_on={cu.pk}"))
    expect(page.locator("h1")).to_contain_text(text["ac_title"])
    expect(page.locator("#chosen-parcels")).to_contain_text("70001")
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#based_on")).to_have_value(str(cu.pk))
    expect(page.locator("#applicant_id_code")).to_have_value(VALID_CNP)
    page.locator("#applicant_email").fill("alice.contact@example.ro")
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#works_levels")).to_have_value("2")
    expect(page.locator("#works_description")).to_have_value("Locuință P+1")
    expect(page.locator("#compliance [data-check=pot]")).to_contain_text(text["pass"])
    page.locator("#works_value_ron").fill("250000")
    alice.shot("ac-00-investor-works")
    page.get_by_role("button", name=text["next"]).click()
    upload_all(page)
    page.get_by_role("button", name=text["next"]).click()
    expect(page.locator("#wizard-fee")).to_have_text(re.compile(r"1[.,]?250[,.]00 lei"))
    page.get_by_role("button", name=text["submit"]).click()
    page.wait_for_url(re.compile(r"/requests/\d+/\?sent=1$"))
    expect(page.locator("#confirmation")).to_be_visible()
    return Application.objects.get(pk=int(re.search(r"/requests/(\d+)/", page.url)[1]))


@pytest.mark.parametrize("language", ["ro", "en"])
def test_from_the_map_to_the_issued_building_permit_through_the_interface_alone(
        browser, live_server, staff_world, signing, language):
    from avize.models import AvizRequest
    from avize.scheduling import avize_tick

    alice = Actor(browser, live_server, "alice", language)
    alice.page.lang = language  # the wizard helpers of test_investor_wizard read the page's language
    cu = investor_requests_a_cu(alice)
    assert cu.kind == Kind.CU and cu.status == Status.SUBMITTED and cu.documents.count() == 4
    alice.shot("cu-00-investor-sent")

    carol = Actor(browser, live_server, "carol", language)
    w, page = carol.w, carol.page
    # staff land on their work list, showing what waits for them
    expect(page).to_have_url(re.compile(r"/staff/queue/$"))
    expect(page.get_by_role("link", name=w["todo"])).to_have_attribute("aria-current", "page")
    carol.shot("cu-01-clerk-worklist")
    clerk_prepares(carol, cu, "CH-2026-0042")
    carol.shot("cu-02-clerk-prepared")

    erin = Actor(browser, live_server, "erin", language)
    page = erin.page
    expect(page).to_have_url(re.compile(r"/staff/queue/$"))
    expect(page.locator(f"#queue tr[data-application='{cu.pk}']")).to_contain_text(w["in_review"])
    erin.open_from_list(cu)
    erin.issue()
    erin.shot("cu-04-chief-issued")
    cu.refresh_from_db()
    assert cu.status == Status.ISSUED and cu.act.issued_by.username == "erin"
    assert [(e.action, e.by and e.by.username) for e in cu.events.all()] == [
        ("submit", "alice"), ("assign", None), ("accept", "carol"), ("issue", "erin")]

    app = investor_starts_the_ac_from_the_cu(alice, cu)
    assert app.kind == Kind.AC and app.status == Status.SUBMITTED and app.based_on_id == cu.pk
    assert list(app.parcels.all()) == list(cu.parcels.all())
    assert app.works_footprint.area == pytest.approx(100.0, abs=1.0)
    assert float(app.fee_ron) == 1250.0  # 0.5 % of 250,000 lei (a dwelling)
    alice.shot("ac-00-investor-sent")

    page = carol.page
    page.goto("/staff/queue/")
    clerk_prepares(carol, app, "CH-2026-0077")
    # nothing can be issued before the avize: the page offers to request them
    page.get_by_role("button", name=w["request_avize"]).click()
    expect(page.locator("h1")).to_contain_text(w["avize"])
    # right after requesting them, "Avize complete" is not offered
    expect(page.locator("#action-form [data-action=avize_complete]")).to_have_count(0)
    expect(page.locator("#avize li[data-institution]")).to_have_count(2)
    carol.shot("ac-01-clerk-avize-requested")
    carol.close()
    requests = {r.institution.kind: r for r in AvizRequest.objects.filter(application=app, live=True)}
    assert set(requests) == {"culture", "electricity"}
    culture, electricity = requests["culture"], requests["electricity"]

    frank = Actor(browser, live_server, "frank", language)
    page = frank.page
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    page.locator(f"#inbox tr[data-aviz='{culture.pk}']").get_by_role("link").click()
    expect(page.locator("#completion-form")).to_have_attribute("data-ready", "true")
    page.get_by_label(w["completion_text"]).fill("Lipsește studiul istoric al fațadei.")
    page.get_by_role("button", name=w["ask_completion"]).click()
    expect(page.locator("#aviz-state")).to_have_text(w["completion_requested"])
    frank.shot("ac-02-institution-asks-completion")

    page = alice.page
    page.get_by_role("link", name=w["my_requests"], exact=True).first.click()
    page.get_by_role("link", name=re.compile(f"#{app.pk}")).click()
    card = page.locator(f"#completion-{culture.pk}")
    expect(card).to_contain_text("Lipsește studiul istoric al fațadei.")
    card.get_by_label(w["file"]).set_input_files(
        files=[{"name": "studiu-istoric.pdf", "mimeType": "application/pdf",
                "buffer": pdf_upload("studiu-istoric.pdf").read()}])  # new content, not a copy of a sent one
    card.get_by_role("button", name=w["upload"]).click()
    expect(page.locator(f"#completion-{culture.pk} .completion-docs")).to_contain_text("studiu-istoric.pdf")
    alice.shot("ac-03-investor-uploaded")
    page.locator(f"#completion-{culture.pk}").get_by_role("button", name=re.compile(w["send_completion"])).click()
    expect(page.locator(f"#avize li[data-institution='{culture.institution.code}']")).to_have_attribute(
        "data-state", "resubmitted")

    page = frank.page
    page.reload()
    expect(page.locator("#completion-request")).to_be_visible()
    page.get_by_label(w["with_conditions"]).check()
    page.get_by_label(w["aviz_number"]).fill("DJC-118/2026")
    page.get_by_label(w["conditions"]).fill("Supraveghere arheologică la săpături")
    page.get_by_role("button", name=w["answer"]).click()
    expect(page.locator("#aviz-state")).to_have_text(w["with_conditions"], timeout=60_000)
    frank.shot("ac-04-institution-answered")
    frank.close()
    culture.refresh_from_db()
    assert culture.dossier_version == 2 and culture.judged_dossier_version == 2
    assert "studiu-istoric.pdf" in {d["name"] for d in culture.documents}

    # Time passes: the electricity operator never answered; the real periodic tick, run at a "now"
    # after its deadline, approves it tacitly and (all avize resolved) returns the AC to review.
    electricity.refresh_from_db()
    from django.utils import timezone

    later = timezone.make_aware(timezone.datetime.combine(electricity.due_date + timedelta(days=1),
                                                          timezone.datetime.min.time().replace(hour=9)))
    assert avize_tick(now=later)["tacit"] == 1

    page = erin.page
    page.goto("/staff/queue/")
    expect(page.locator(f"#queue tr[data-application='{app.pk}']")).to_be_visible()
    erin.open_from_list(app)
    expect(page.locator(f"#avize li[data-institution='{electricity.institution.code}']")).to_contain_text(w["tacit"])
    expect(page.locator(f"#avize li[data-institution='{culture.institution.code}'] .conditions")).to_contain_text(
        "Supraveghere arheologică la săpături")
    # the preview of an AC is not called a CU's (it used to be, whatever the kind)
    page.get_by_role("link", name=w["preview"]).click()
    expect(page.locator("h1")).to_contain_text(w["preview"])
    expect(page.locator("h1")).not_to_contain_text("CU")
    page.go_back()
    erin.shot("ac-05-chief-ready")
    erin.issue()
    erin.shot("ac-06-chief-issued")
    erin.close()

    page = alice.page
    page.reload()
    pdf = alice.download_act()
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf
    assert "Supraveghere arheologică la săpături" in pdf_text(pdf)
    alice.shot("ac-07-investor-issued")
    alice.close()
    app.refresh_from_db()
    assert app.status == "issued" and app.act.issued_by.username == "erin"
