"""The F.6 lists and the competent issuer on parcels of the real Bacău geography (issue 16, "Done when").

The demo county is generated once for this module on the real UATs, localities and the 12 located
LMI monuments (demo/bacau.py), with the shipped rules and institutions; each test registers CU
requests through the API as an investor on showcase parcels of that county.
"""
from __future__ import annotations

import pytest
import shapely
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from demo.selectors import showcase_parcels
from institutions.services import institutions_seed
from parcels.models import UAT, Issuer, Parcel
from permits.choices import REQUIRED_DOCUMENTS
from permits.models import Application
from rules.services import rules_load_csv, works_rules_load_csv
from tests.demo.conftest import remove_demo
from tests.permits.conftest import VALID_CNP, pdf_upload
from tests.permits.test_cu_works_lists import HOUSE, SHOP, codes, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker, tmp_path_factory):
    """The smallest real-geography demo that still has every showcase parcel (a few seconds)."""
    from demo.services import demo_county_generate

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        summary = demo_county_generate(parcels=1_500, seed=1)
        assert summary.missing_showcase == []
        try:
            yield summary
        finally:
            remove_demo()


@pytest.fixture
def real(county):
    """The shipped rules and institutions; an investor, and the clerk and chief architect of Bacău."""
    rules_load_csv()
    works_rules_load_csv()
    institutions_seed()
    bacau = Issuer.objects.get(uat__siruta=20297)
    people = {name: User.objects.create_user(username=name, password=f"{name}-secret-pass", role=role, issuer=issuer)
              for name, role, issuer in (("alice", User.Role.INVESTOR, None), ("carol", User.Role.CLERK, bacau),
                                         ("erin", User.Role.CHIEF_ARCHITECT, bacau))}
    return {"showcase": showcase_parcels(), **people}


def register(real, parcel_ids: list[int], **works) -> Application:
    """A CU request registered through the API by the investor alice; returns it with its frozen analysis."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=real['alice'])[0].key}")
    payload = {"kind": "cu", "applicant_type": "person", "applicant_name": "Alice Popescu",
               "applicant_id_code": VALID_CNP, "parcel_ids": parcel_ids, "purpose": "construire",
               "works_description": "Locuință P+1", **works}
    response = client.post("/api/v1/applications/", payload, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    for doc_type in REQUIRED_DOCUMENTS["cu"]:
        upload = client.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": doc_type, "file": pdf_upload()},
                             format="multipart")
        assert upload.status_code == 201, upload.json()
    submitted = client.post(f"/api/v1/applications/{pk}/submit/")
    assert submitted.status_code == 200, submitted.json()
    return Application.objects.get(pk=pk)


def test_a_house_in_the_intravilan_of_bacau_lists_its_three_operators_only(real):
    # 30 m from the LEA 110 kV axis, outside its corridor: no spatial rule applies to this parcel.
    result = register(real, [real["showcase"]["lea110-30m"]], **HOUSE).analysis_result
    assert result["rule_hits"] == []
    assert result["locality_class"] == "urban" and result["issuer"]["name"] == "Primarul municipiului Bacău"
    assert codes(result) == {"crab-bacau", "delgaz-grid-bacau"}
    assert {(i["label"]["ro"], i["institution"]["code"]) for i in result["ac_requirements"]
            if i["group"] == "d1_utilities"} == {("Alimentare cu apă", "crab-bacau"), ("Canalizare", "crab-bacau"),
                                                 ("Alimentare cu energie electrică", "delgaz-grid-bacau")}


def test_a_shop_of_hg_571_annex_1_with_gas_lists_gas_isu_dsp_and_the_environmental_authority(real):
    result = register(real, [real["showcase"]["lea110-30m"]], **SHOP).analysis_result
    assert codes(result) == {"delgaz-grid-gaz", "isu-bacau", "dsp-bacau", "apm-bacau"}


def reasons(result: dict) -> dict[str, list[str]]:
    return {a["institution"]["code"]: [r["rule"] for r in a["reasons"]] for a in result["required_avize"]}


def test_the_house_near_a_real_monument_also_lists_the_culture_directorate(real):
    # ~150 m from the real necropolis of Valea Seacă (LMI BC-I-s-B-00752), in the commune's intravilan.
    result = register(real, [real["showcase"]["monument-150m-rural"]], **HOUSE).analysis_result
    assert reasons(result) == {"crab-bacau": ["W1", "W2"], "delgaz-grid-bacau": ["W3"], "djc-bacau": ["R3"]}
    # ~80 m from the Bacovia memorial house in Bacău, a parcel the demo puts in the Bistrița flood zone,
    # the ROSPA0063 site and the LEA 110 kV corridor: those authorities come on top, each with its rule.
    result = register(real, [real["showcase"]["monument-80m-urban"]], **HOUSE).analysis_result
    assert reasons(result) == {"crab-bacau": ["W1", "W2"], "delgaz-grid-bacau": ["R12", "W3"], "djc-bacau": ["R2"],
                               "sga-bacau": ["R22"], "apm-bacau": ["R23"]}


def test_an_information_only_cu_near_the_monument_lists_none(real):
    result = register(real, [real["showcase"]["monument-80m-urban"]], **HOUSE, purpose="informare").analysis_result
    assert result["required_avize"] == [] and result["ac_requirements"] == []
    assert "R2" in {h["rule"] for h in result["rule_hits"]}


def test_a_lot_across_the_real_limit_of_bacau_and_hemeius_goes_to_the_county_with_both_mayors(real):
    bacau, hemeius = UAT.objects.get(siruta=20297), UAT.objects.get(siruta=20313)
    border = shapely.line_merge(shapely.from_wkb(bytes(bacau.boundary.intersection(hemeius.boundary).wkb)))
    point = max(shapely.get_parts(border), key=lambda part: part.length).interpolate(0.5, normalized=True)
    square = Polygon.from_bbox((point.x - 20, point.y - 20, point.x + 20, point.y + 20))
    square.srid = 3844
    lot = []  # the 40 m lot is two cadastral parcels, one on each side of the real limit
    for uat in (bacau, hemeius):
        part = square.intersection(uat.boundary)
        geom = part if isinstance(part, MultiPolygon) else MultiPolygon(part, srid=3844)
        lot.append(Parcel.objects.create(uat=uat, cadastral_number=f"border-{uat.siruta}", geom=geom,
                                         measured_area_m2=geom.area).pk)
    app = register(real, lot, **HOUSE)
    issuer = app.analysis_result["issuer"]
    cj = Issuer.objects.get(kind=Issuer.Kind.PRESEDINTE_CJ, county="Bacău")
    assert (issuer["id"], issuer["basis"]) == (cj.pk, "multi_uat") and app.issuer_id == cj.pk
    assert {m["name"] for m in issuer["mayors_aviz"]} == {"Primarul municipiului Bacău", "Primarul comunei Hemeiuș"}


def test_extravilan_works_in_valea_seaca_go_to_the_county_with_the_mayors_aviz(real):
    app = register(real, [real["showcase"]["extravilan-field"]], **HOUSE)
    issuer = app.analysis_result["issuer"]
    cj = Issuer.objects.get(kind=Issuer.Kind.PRESEDINTE_CJ, county="Bacău")
    assert app.analysis_result["locality_class"] == "extravilan"
    assert (issuer["id"], issuer["basis"]) == (cj.pk, "extravilan_no_department") and app.issuer_id == cj.pk
    assert [m["name"] for m in issuer["mayors_aviz"]] == ["Primarul comunei Valea Seacă"]


def test_the_cu_pdf_of_a_real_parcel_shows_every_f6_group_with_its_items(real):
    from permits.services import application_act, payment_record

    app = register(real, [real["showcase"]["monument-80m-urban"]],
                   **{**SHOP, "works_connections": ["gas", "water", "electricity"]})
    app = application_act(application=app, action="accept", by=real["carol"])
    payment_record(application=app, by=real["carol"], amount_ron=app.fee_ron, reference=f"chitanta-{app.pk}")
    app = application_act(application=Application.objects.get(pk=app.pk), action="issue", by=real["erin"],
                          validity_months=12)
    flat = "".join(pdf_text(app.act).split())
    groups = ["c) Documentația tehnică (D.T.)", "d.1) Avize și acorduri privind utilitățile urbane",
              "d.2) Avize și acorduri privind securitatea la incendiu", "d.3) Avize / acorduri specifice",
              "d.4) Studii de specialitate", "e) Punctul de vedere / actul administrativ", "f) Dovada privind achitarea"]
    items = ["☒ D.T.A.C.", "☒ Alimentare cu apă Compania Regională de Apă Bacău SA (CRAB)", "☐ Canalizare",
             "☒ Gaze naturale Delgaz Grid SA", "☒ Securitatea la incendiu — Inspectoratul pentru Situații de Urgență",
             "☒ Sănătatea populației — Direcția de Sănătate Publică Bacău",
             "— Direcția Județeană pentru Cultură Bacău", "☒ Studiu geotehnic",
             "☒ Punctul de vedere / actul administrativ al autorității de mediu — Agenția pentru Protecția Mediului Bacău",
             "☒ Dovada plății taxelor legale", "ARHITECT-ȘEF", "erin", "Primarul municipiului Bacău"]
    positions = [flat.find("".join(g.split())) for g in groups]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), list(zip(groups, positions, strict=True))
    assert [i for i in items if "".join(i.split()) not in flat] == []
