"""CU requests of different declared works list what the AC request needs (issue 16, F.6 list).

Each test registers a CU request through the API on a parcel it creates in the test territory
(tests/conftest.py), with the shipped rules and institutions, and reads the frozen analysis.
"""
from __future__ import annotations

import pytest

from permits.models import Application
from tests.conftest import BACAU_E, BACAU_N
from tests.rules.conftest import Point, box

HOUSE = {"works_kind": "building", "works_destination": "house", "works_built_area_m2": "120.00",
         "works_gross_floor_area_m2": "220.00", "works_levels": 2, "works_height_m": "8.50",
         "works_connections": ["water", "sewerage", "electricity"], "works_road_access": "street"}
SHOP = {"works_kind": "building", "works_destination": "commercial", "works_built_area_m2": "700.00",
        "works_gross_floor_area_m2": "700.00", "works_levels": 1, "works_height_m": "6.00",
        "works_occupants": 120, "works_connections": ["gas"], "works_road_access": "street",
        "works_description": "Magazin"}


@pytest.fixture
def intravilan_all(make_layer, territory):
    return make_layer("intravilan_limit", [(box(BACAU_E - 6000, BACAU_N - 2000, BACAU_E + 2000, BACAU_N + 2000), {})])


@pytest.fixture
def registered(submitted_cu, parcel_factory, seeded, intravilan_all):
    """registered(**works) -> the frozen analysis of a CU request registered for a 30 m lot."""

    def make(**works) -> dict:
        parcel = parcel_factory(e=BACAU_E + 300, n=BACAU_N + 300, size=30)
        _, pk = submitted_cu(parcels=[parcel], **works)
        return Application.objects.get(pk=pk).analysis_result

    return make


def codes(result: dict) -> set[str]:
    return {a["institution"]["code"] for a in result["required_avize"]}


def kinds(result: dict) -> set[str]:
    return {a["institution"]["kind"] for a in result["required_avize"]}


def lines(result: dict, group: str) -> list[tuple[str, str | None]]:
    return [(i["label"]["ro"], i["institution"]["code"] if i["institution"] else None)
            for i in result["ac_requirements"] if i["group"] == group]


def test_a_house_with_water_sewerage_and_electricity_lists_those_operators_and_no_dsp_isu_or_environment(registered):
    result = registered(**HOUSE)
    assert result["locality_class"] == "urban"
    assert codes(result) == {"crab-bacau", "delgaz-grid-bacau"}
    assert lines(result, "d1_utilities") == [("Alimentare cu apă", "crab-bacau"),
                                             ("Alimentare cu energie electrică", "delgaz-grid-bacau"),
                                             ("Canalizare", "crab-bacau")]
    assert not kinds(result) & {"health", "fire", "environment"}
    assert lines(result, "d2_fire_health") == [] and lines(result, "e_environment") == []
    # the studies, the documentation and the fees of a new building are still listed
    assert {label for label, _ in lines(result, "d4_studies")} == {"Studiu geotehnic", "Ridicare topografică vizată de OCPI"}
    assert [label[:8] for label, _ in lines(result, "c_documentation")] == ["D.T.A.C.", "D.T.O.E."]
    assert len(lines(result, "f_fees")) == 1
    crab = next(a for a in result["required_avize"] if a["institution"]["code"] == "crab-bacau")
    assert [(r["rule"], r["legal_basis"][:12]) for r in crab["reasons"]] == [("W1", "Legea 241/20"), ("W2", "Legea 241/20")]
    assert {r["code"] for r in result["versions"]["works_rules"]} >= {"W1", "W2", "W3", "W14", "W40"}


def test_a_shop_of_hg_571_annex_1_with_gas_lists_gas_isu_dsp_and_the_environmental_authority(registered):
    result = registered(**SHOP)
    assert codes(result) == {"delgaz-grid-gaz", "isu-bacau", "dsp-bacau", "apm-bacau"}
    assert lines(result, "d1_utilities") == [("Gaze naturale", "delgaz-grid-gaz")]
    assert lines(result, "d2_fire_health") == [("Securitatea la incendiu", "isu-bacau"),
                                               ("Sănătatea populației", "dsp-bacau")]
    assert lines(result, "e_environment") == [
        ("Punctul de vedere / actul administrativ al autorității de mediu", "apm-bacau")]
    isu = next(h for h in result["works_rule_hits"] if h["rule"] == "W10")
    assert isu["default_value"] is True and isu["confidence"] == "U"  # HG 571/2016 thresholds: an editable default


def test_a_smaller_shop_is_below_the_seeded_isu_threshold(registered):
    result = registered(**{**SHOP, "works_built_area_m2": "80.00", "works_gross_floor_area_m2": "80.00"})
    assert "fire" not in kinds(result) and {"health", "environment", "gas"} <= kinds(result)


def test_the_same_house_near_a_monument_also_lists_the_culture_directorate(registered, make_layer):
    make_layer("lmi_monument", [(Point(BACAU_E + 300 + 15, BACAU_N + 300 + 90), {"name": "Biserica Precista"})])
    result = registered(**HOUSE)
    assert codes(result) == {"crab-bacau", "delgaz-grid-bacau", "djc-bacau"}
    assert lines(result, "d3_specific") == [("Aviz Cultură (DJC / Ministerul Culturii)", "djc-bacau")]
    culture = next(a for a in result["required_avize"] if a["institution"]["code"] == "djc-bacau")
    assert [r["rule"] for r in culture["reasons"]] == ["R2"]


def test_an_information_only_cu_lists_no_avize(registered, make_layer):
    make_layer("lmi_monument", [(Point(BACAU_E + 300 + 15, BACAU_N + 300 + 90), {"name": "Biserica Precista"})])
    result = registered(**HOUSE, purpose="informare")
    assert result["required_avize"] == [] and result["ac_requirements"] == [] and result["works_rule_hits"] == []
    assert "R2" in {h["rule"] for h in result["rule_hits"]}  # the regime still says the monument is near


def test_the_declared_works_are_bounded_and_checked(cu_draft, seeded):
    client, pk = cu_draft(docs=False)
    for field, value in (("works_connections", ["water", "steam"]), ("works_occupants", -1),
                         ("works_built_area_m2", "99999999.00"), ("works_road_access", "motorway"),
                         ("works_destination", "castle")):
        response = client.patch(f"/api/v1/applications/{pk}/", {field: value}, format="json")
        assert response.status_code == 400, (field, response.json())
        assert field in str(response.json())
    response = client.patch(f"/api/v1/applications/{pk}/", {"works_connections": ["gas", "water", "gas"],
                                                             "works_occupants": 12}, format="json")
    assert response.status_code == 200, response.json()
    app = Application.objects.get(pk=pk)
    assert app.works_connections == ["gas", "water"] and app.works_occupants == 12


# --- the issued CU follows F.6 ---------------------------------------------------------------------

def pdf_text(act) -> str:
    from pypdf import PdfReader

    with act.pdf.open("rb") as f:
        reader = PdfReader(f)
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split())  # lines wrap anywhere


@pytest.fixture
def issue_cu(submitted_cu, parcel_factory, seeded, intravilan_all, cast):
    """issue_cu(validity_months, **works) -> (the issued act, the PDF's text): accepted and paid with the
    clerk carol, issued by the chief architect erin (through the workflow)."""
    from permits.services import application_act, payment_record

    def make(validity_months: int = 18, **works):
        parcel = parcel_factory(e=BACAU_E + 300, n=BACAU_N + 300, size=30)
        _, pk = submitted_cu(parcels=[parcel], **works)
        app = application_act(application=Application.objects.get(pk=pk), action="accept", by=cast["carol"])
        payment_record(application=app, by=cast["carol"], amount_ron=app.fee_ron, reference=f"chitanta-{pk}")
        app = application_act(application=Application.objects.get(pk=pk), action="issue", by=cast["erin"],
                              validity_months=validity_months)
        return app.act, pdf_text(app.act)

    return make


def test_the_cu_pdf_shows_every_f6_group_with_its_items(issue_cu, make_layer, cast):
    make_layer("lmi_monument", [(Point(BACAU_E + 300 + 15, BACAU_N + 300 + 90), {"name": "Biserica Precista"})])
    act, text = issue_cu(validity_months=18, **{**SHOP, "works_connections": ["gas", "water", "electricity"]})
    sections = ["1. Regimul juridic", "2. Regimul economic", "3. Regimul tehnic",
                "4. Obligații ale titularului certificatului de urbanism",
                "5. Cererea de emitere a autorizației de construire/desființare va fi însoțită de următoarele documente",
                "a) certificatul de urbanism", "b) dovada titlului asupra imobilului",
                "c) Documentația tehnică (D.T.)", "d) avizele și acordurile de amplasament",
                "d.1) Avize și acorduri privind utilitățile urbane și infrastructura",
                "d.2) Avize și acorduri privind securitatea la incendiu, protecția civilă, sănătatea populației",
                "d.3) Avize / acorduri specifice ale administrației publice centrale",
                "d.4) Studii de specialitate",
                "e) Punctul de vedere / actul administrativ al autorității competente pentru protecția mediului",
                "f) Dovada privind achitarea taxelor legale", "6. Valabilitate"]
    positions = [text.find(s) for s in sections]
    assert all(p >= 0 for p in positions), [s for s, p in zip(sections, positions, strict=True) if p < 0]
    assert positions == sorted(positions), "the F.6 sections are printed in the form's order"
    items = ["☒ D.T.A.C.", "☒ Alimentare cu apă Compania Regională de Apă Bacău SA (CRAB)", "☐ Canalizare",
             "☒ Alimentare cu energie electrică Delgaz Grid SA", "☒ Gaze naturale Delgaz Grid SA — distribuție gaze naturale",
             "☐ Alimentare cu energie termică", "☐ Telefonizare", "☐ Salubritate", "☐ Transport urban",
             "☒ Securitatea la incendiu — Inspectoratul pentru Situații de Urgență",
             "☒ Sănătatea populației — Direcția de Sănătate Publică Bacău",
             "— Direcția Județeană pentru Cultură Bacău", "☒ Studiu geotehnic", "☒ Ridicare topografică vizată de OCPI",
             "☒ Punctul de vedere / actul administrativ al autorității de mediu — Agenția pentru Protecția Mediului Bacău",
             "☒ Dovada plății taxelor legale"]
    flat = "".join(text.split())  # text extraction splits or joins words at cell and kerning boundaries
    assert [i for i in items if "".join(i.split()) not in flat] == []
    assert "solicitantul se va adresa autorității competente pentru protecția mediului: Agenția pentru Protecția Mediului Bacău" in text
    assert "valabilitatea de 18 luni" in text
    carol, erin = cast["carol"], cast["erin"]
    for role, user in (("PRIMAR", None), ("SECRETAR GENERAL", None), ("ARHITECT-ȘEF", erin), ("Întocmit", carol)):
        assert role in text
        if user is not None:
            assert (user.get_full_name() or user.username) in text
    assert "Primarul municipiului Bacău" in text


def test_the_pdf_of_a_house_says_no_environmental_act_is_needed(issue_cu):
    _, text = issue_cu(**HOUSE)
    assert "nu este necesar actul administrativ al autorității de mediu" in text
    assert "Securitatea la incendiu" not in text and "Sănătatea populației —" not in text


def test_an_information_only_cu_prints_no_list(issue_cu):
    _, text = issue_cu(**HOUSE, purpose="informare")
    assert "emis în scop de informare" in text and "d.1)" not in text


@pytest.mark.parametrize("months", [5, 25])
def test_the_validity_is_chosen_within_the_legal_range(issue_cu, months):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        issue_cu(validity_months=months, **HOUSE)
    assert "validity_months" in error.value.message_dict


def test_the_ac_pdf_follows_its_form_and_repeats_what_the_cu_asked_for(issue_cu, cast, api):
    from permits.choices import REQUIRED_DOCUMENTS
    from permits.issuance import act_issue
    from permits.services import application_act
    from tests.permits.conftest import pdf_upload

    cu_act, _ = issue_cu(**HOUSE)
    alice = api(cast["alice"])
    response = alice.post("/api/v1/applications/", {
        "kind": "ac", "applicant_type": "person", "applicant_name": "Alice Popescu", "applicant_id_code": "1800101040017",
        "based_on": cu_act.application_id, "works_kind": "building", "works_destination": "house",
        "works_description": "Locuință P+1", "works_value_ron": "300000", "works_built_area_m2": "120.00",
        "works_connections": ["water", "electricity"], "designer_name": "Proiect SRL"}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    for doc_type in REQUIRED_DOCUMENTS["ac"]:
        alice.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": doc_type, "file": pdf_upload()}, format="multipart")
    submitted = alice.post(f"/api/v1/applications/{pk}/submit/")
    assert submitted.status_code == 200, submitted.json()
    app = application_act(application=Application.objects.get(pk=pk), action="accept", by=cast["carol"])
    text = pdf_text(act_issue(application=app, by=cast["erin"], validity_months=12))
    flat = "".join(text.split())
    for expected in ("AUTORIZAȚIE DE CONSTRUIRE", "SE AUTORIZEAZĂ", "executarea lucrărilor de construire",
                     f"certificatului de urbanism nr. {cu_act.numbering}", "elaborată de Proiect SRL",
                     "Caracteristicile lucrărilor autorizate", "Alimentare cu apă, Energie electrică",
                     "Documentele cerute prin certificatul de urbanism",
                     "Canalizare — Compania Regională de Apă Bacău SA (CRAB)", "Studiu geotehnic",
                     "Obligațiile titularului autorizației", "panoul de identificare a investiției",
                     "Termenul de valabilitate al autorizației este de 12 luni", "PRIMAR", "SECRETAR GENERAL",
                     "ARHITECT-ȘEF", "Întocmit"):
        assert "".join(expected.split()) in flat, expected



@pytest.fixture
def submitted_ac(issue_cu, cast, api):
    """submitted_ac(**declared) -> the AC registered by alice on her issued CU for a house (HOUSE)."""
    from permits.choices import REQUIRED_DOCUMENTS
    from tests.permits.conftest import pdf_upload

    def make(**declared) -> Application:
        cu_act, _ = issue_cu(**HOUSE)
        alice = api(cast["alice"])
        response = alice.post("/api/v1/applications/", {
            "kind": "ac", "applicant_type": "person", "applicant_name": "Alice Popescu",
            "applicant_id_code": "1800101040017", "based_on": cu_act.application_id, "works_kind": "building",
            "works_description": "Locuință P+1", "works_value_ron": "300000", "designer_name": "Proiect SRL",
            **declared}, format="json")
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        for doc_type in REQUIRED_DOCUMENTS["ac"]:
            alice.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": doc_type, "file": pdf_upload()},
                       format="multipart")
        submitted = alice.post(f"/api/v1/applications/{pk}/submit/")
        assert submitted.status_code == 200, submitted.json()
        return Application.objects.get(pk=pk)

    return make


def test_an_ac_declaring_no_works_inherits_those_of_its_cu_and_its_act_says_so(submitted_ac, cast):
    from permits.issuance import act_issue
    from permits.services import application_act

    app = submitted_ac()
    assert (app.works_destination, app.works_connections, app.works_road_access, str(app.works_built_area_m2),
            app.works_levels) == ("house", ["water", "sewerage", "electricity"], "street", "120.00", 2)
    assert codes(app.analysis_result) == {"crab-bacau", "delgaz-grid-bacau"}
    app = application_act(application=app, action="accept", by=cast["carol"])
    flat = "".join(pdf_text(act_issue(application=app, by=cast["erin"], validity_months=12)).split())
    assert "".join("Alimentare cu apă, Canalizare, Energie electrică".split()) in flat


def test_the_avize_of_an_inheriting_ac_are_those_of_the_cu_works(submitted_ac, cast):
    from avize.models import AvizRequest
    from permits.services import application_act

    app = application_act(application=submitted_ac(), action="accept", by=cast["carol"])
    application_act(application=app, action="request_avize", by=cast["carol"])
    assert {r.institution.code for r in AvizRequest.objects.filter(application=app)} == {"crab-bacau", "delgaz-grid-bacau"}


def test_an_ac_declaring_some_works_keeps_its_own(submitted_ac):
    app = submitted_ac(works_connections=["electricity"])
    assert (app.works_destination, app.works_connections) == ("", ["electricity"])
    assert codes(app.analysis_result) == {"delgaz-grid-bacau"}
