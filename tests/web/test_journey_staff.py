"""The staff and institution journeys of issue 15, in headless Chromium, through the interface alone,
in Romanian and in English:

1. CU: the clerk finds the request on her work list, records the payment and accepts it (she is not
   offered "Issue"); the chief architect lands on his list, issues it after the confirmation dialog;
   the investor downloads the signed act.
2. AC: the clerk accepts it and requests the avize; the culture institution asks for completion; the
   investor uploads the document and sends it; the institution answers with conditions; the electricity
   operator never answers and is tacitly approved when the real periodic tick runs at a later "now";
   the chief architect issues the AC with the conditions and the investor downloads it.

The requests themselves start as the investor's (a CU submitted through the permits API, an AC on an
issued CU): the investor's own wizard is covered by tests/web/test_journeys.py.
"""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from permits.models import Application
from tests.avize.conftest import pdf_upload
from tests.conftest import BACAU_E, BACAU_N
from tests.web.conftest import SCREENSHOTS, _pdf

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
        "my_requests": "Cererile mele", "fee_unpaid": "taxa nu a fost plătită", "undo": "nu poate fi anulată",
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
        "my_requests": "My requests", "fee_unpaid": "the fee has not been paid", "undo": "cannot be undone",
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
        page.goto("/login/")
        if language == "en":
            page.locator(".lang-switch").get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_label(self.w["username"]).fill(username)
        page.get_by_label(self.w["password"]).fill(f"{username}-secret-pass")
        page.get_by_role("button", name=self.w["login"]).click()
        page.wait_for_url(lambda url: "/login/" not in url)

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


@pytest.fixture
def submitted_ac(staff_world, api, signing):
    """Alice's AC on parcel 70001, submitted through the permits API, based on her issued CU."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from permits.choices import REQUIRED_DOCUMENTS, ApplicantType, Kind, Status

    w = staff_world
    parcel = w["parcels"][0]
    cu = Application.objects.create(
        kind=Kind.CU, status=Status.ISSUED, owner=w["alice"], uat=w["uat_a"], issuer=w["issuer_a"],
        applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu", applicant_id_code="1800101040017",
        valid_until=timezone.localdate() + timedelta(days=365))
    cu.parcels.add(parcel)
    alice = api(w["alice"])
    response = alice.post("/api/v1/applications/", {
        "kind": "ac", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": "1800101040017", "applicant_email": "alice.contact@example.ro",
        "parcel_ids": [parcel.pk], "based_on": cu.pk, "works_kind": "building",
        "works_description": "Locuință P+1", "works_value_ron": "250000.00", "residential": True}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    for doc_type in REQUIRED_DOCUMENTS["ac"]:
        upload = SimpleUploadedFile(f"{doc_type}.pdf", _pdf(), content_type="application/pdf")
        assert alice.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": doc_type, "file": upload},
                          format="multipart").status_code == 201
    assert alice.post(f"/api/v1/applications/{pk}/submit/").status_code == 200
    return Application.objects.get(pk=pk)


@pytest.mark.parametrize("language", ["ro", "en"])
def test_the_clerk_prepares_and_the_chief_architect_issues_a_cu(browser, live_server, submitted_cu, language):
    app = submitted_cu
    carol = Actor(browser, live_server, "carol", language)
    w, page = carol.w, carol.page
    # staff land on their work list, showing what waits for them
    expect(page).to_have_url(re.compile(r"/staff/queue/$"))
    expect(page.get_by_role("link", name=w["todo"])).to_have_attribute("aria-current", "page")
    carol.shot("cu-01-clerk-worklist")
    carol.open_from_list(app)
    expect(page.locator("#action-form [data-action=issue]")).to_have_count(0)
    page.get_by_label(w["receipt"]).fill("CH-2026-0042")
    page.get_by_role("button", name=re.compile(w["pay"])).click()
    expect(page.locator("#payment-form")).to_have_count(0)
    page.get_by_role("button", name=w["accept"]).click()
    expect(page.locator("h1")).to_contain_text(w["in_review"])
    # the clerk prepared it; issuing is the chief architect's
    expect(page.locator("#action-form [data-action=issue]")).to_have_count(0)
    carol.shot("cu-02-clerk-prepared")
    carol.close()

    erin = Actor(browser, live_server, "erin", language)
    page = erin.page
    expect(page).to_have_url(re.compile(r"/staff/queue/$"))
    expect(page.locator(f"#queue tr[data-application='{app.pk}']")).to_contain_text(w["in_review"])
    erin.open_from_list(app)
    erin.shot("cu-03-chief-request")
    erin.issue()
    erin.shot("cu-04-chief-issued")
    erin.close()
    app.refresh_from_db()
    assert app.status == "issued" and app.act.issued_by.username == "erin"
    assert [(e.action, e.by.username) for e in app.events.all()] == [
        ("submit", "alice"), ("accept", "carol"), ("issue", "erin")]

    alice = Actor(browser, live_server, "alice", language)
    alice.page.get_by_role("link", name=w["my_requests"], exact=True).first.click()
    alice.page.get_by_role("link", name=re.compile(f"#{app.pk}")).click()
    pdf = alice.download_act()
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf
    alice.close()


@pytest.mark.parametrize("language", ["ro", "en"])
def test_an_ac_goes_through_completion_conditions_and_tacit_approval_to_issuance(
        browser, live_server, submitted_ac, language):
    from avize.models import AvizRequest
    from avize.scheduling import avize_tick

    app = submitted_ac
    carol = Actor(browser, live_server, "carol", language)
    w, page = carol.w, carol.page
    carol.open_from_list(app)
    page.get_by_label(w["receipt"]).fill("CH-2026-0077")
    page.get_by_role("button", name=re.compile(w["pay"])).click()
    expect(page.locator("#payment-form")).to_have_count(0)
    page.get_by_role("button", name=w["accept"]).click()
    expect(page.locator("h1")).to_contain_text(w["in_review"])
    # nothing can be issued before the avize: the page offers to request them, not to issue
    expect(page.locator("#action-form [data-action=issue]")).to_have_count(0)
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

    alice = Actor(browser, live_server, "alice", language)
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

    erin = Actor(browser, live_server, "erin", language)
    page = erin.page
    expect(page.locator(f"#queue tr[data-application='{app.pk}']")).to_be_visible()
    erin.open_from_list(app)
    expect(page.locator(f"#avize li[data-institution='{electricity.institution.code}']")).to_contain_text(w["tacit"])
    expect(page.locator(f"#avize li[data-institution='{culture.institution.code}'] .conditions")).to_contain_text(
        "Supraveghere arheologică la săpături")
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
