"""Done when: an AC near a monument (~50 m) and a 110 kV line (~10 m) asks exactly the culture and the
electricity institutions; culture answers with conditions, electricity stays silent and is tacitly
approved at the deadline; the AC is issued with the conditions in its signed document."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.gis.geos import LineString, Point
from django.utils import timezone

from avize.models import AvizRequest, State
from layers.models import Feature, Layer
from layers.services import layer_version_publish, layer_version_start
from permits.models import Application
from rules.services import rules_load_csv
from tests.conftest import BACAU_E, BACAU_N
from tests.permits.conftest import REQUIRED_DOCUMENTS, cu_draft, pdf_upload, submitted_cu  # noqa: F401

pytestmark = pytest.mark.django_db

# The parcel the permits fixture draws: a 20 m square with its south-west corner here.
PE, PN = BACAU_E + 100, BACAU_N + 100


def _layer(slug: str, theme: str, geom, attrs: dict) -> None:
    layer = Layer.objects.create(slug=slug, name=slug, kind=Layer.Kind.CONSTRAINT, theme=theme)
    version = layer_version_start(layer=layer)
    Feature.objects.create(version=version, source_id=slug, name=slug, attrs=attrs, geom=geom)
    layer_version_publish(version=version)


@pytest.fixture
def constraints(cast):
    rules_load_csv()
    # A listed monument 50 m east of the parcel (R2: 100 m protection zone in an urban locality).
    _layer("lmi", "lmi_monument", Point(PE + 20 + 50, PN + 10, srid=3844), {"lmi_code": "BC-II-m-B-00845"})
    # A 110 kV overhead line running 10 m south of the parcel (R12: 18.5 m corridor each side).
    _layer("lea-110", "power_line_110kV",
           LineString((PE - 200, PN - 10), (PE + 200, PN - 10), srid=3844), {"voltage_kv": 110})
    return cast


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_ac_near_a_monument_and_a_110kv_line_is_issued_with_the_avize_conditions(
        constraints, submitted_cu, api, cast):  # noqa: F811
    cast = constraints
    alice, cu_pk = submitted_cu()
    carol = api(cast["carol"])
    cu_url = f"/api/v1/applications/{cu_pk}/transitions/"
    assert carol.post(cu_url, {"action": "accept"}, format="json").status_code == 200
    assert carol.post(f"/api/v1/applications/{cu_pk}/payments/", {"amount_ron": "9.00", "reference": "CU-1"},
                      format="json").status_code == 201
    assert api(cast["erin"]).post(cu_url, {"action": "issue", "validity_months": 12}, format="json").status_code == 200

    ac = alice.post("/api/v1/applications/", {
        "kind": "ac", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": "1800101040017", "based_on": cu_pk, "works_kind": "building",
        "works_description": "Locuință P+1", "works_value_ron": "300000", "residential": True,
        "works_levels": 2, "works_height_m": "7.5"}, format="json")
    assert ac.status_code == 201, ac.json()
    ac_pk = ac.json()["id"]
    for doc_type in REQUIRED_DOCUMENTS["ac"]:
        assert alice.post(f"/api/v1/applications/{ac_pk}/documents/", {"doc_type": doc_type, "file": pdf_upload()},
                          format="multipart").status_code == 201
    assert alice.post(f"/api/v1/applications/{ac_pk}/submit/").status_code == 200
    ac_url = f"/api/v1/applications/{ac_pk}/transitions/"
    assert carol.post(ac_url, {"action": "accept"}, format="json").status_code == 200
    moved = carol.post(ac_url, {"action": "request_avize"}, format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "avize"

    # Exactly the culture and the electricity institutions are asked, each with its rule.
    requests = {r.institution.kind: r for r in AvizRequest.objects.filter(application_id=ac_pk)}
    assert sorted(requests) == ["culture", "electricity"]
    assert [h["rule"] for h in requests["culture"].reasons] == ["R2"]
    assert [h["rule"] for h in requests["electricity"].reasons] == ["R12"]
    assert len(requests["culture"].documents) == len(REQUIRED_DOCUMENTS["ac"])

    # Culture reads the dossier and answers with conditions.
    frank = api(cast["frank"])
    inbox = frank.get("/api/v1/avize/").json()["results"]
    assert [row["id"] for row in inbox] == [requests["culture"].pk]
    dossier = frank.get(f"/api/v1/avize/{requests['culture'].pk}/").json()
    assert dossier["map"]["features"][0]["properties"]["kind"] == "parcel"
    conditions = ["Supraveghere arheologică pe durata săpăturilor", "Fațada la stradă din tencuială, culori pastel"]
    answered = frank.post(f"/api/v1/avize/{requests['culture'].pk}/answer/",
                          {"outcome": "favourable_with_conditions", "conditions": conditions, "number": "245/2026"})
    assert answered.status_code == 200, answered.json()
    assert api(cast["grace"]).get(f"/api/v1/avize/{requests['culture'].pk}/").status_code == 404
    assert Application.objects.get(pk=ac_pk).status == "avize"  # electricity still pending
    assert api(cast["erin"]).post(ac_url, {"action": "issue"}, format="json").status_code == 409

    # Electricity stays silent; the day after its deadline the tick makes its aviz tacit.
    from avize.services import avize_tick

    after = timezone.now() + timedelta(days=(requests["electricity"].due_date - timezone.localdate()).days + 1)
    assert avize_tick(now=after)["tacit"] == 1
    electricity = AvizRequest.objects.get(pk=requests["electricity"].pk)
    assert electricity.state == State.TACITLY_APPROVED and "OUG 31/2025" in electricity.legal_basis

    rollup = alice.get(f"/api/v1/avize/applications/{ac_pk}/").json()
    assert rollup["resolved"] is True and rollup["outcome"] == "favourable_with_conditions"
    app = Application.objects.get(pk=ac_pk)
    assert app.status == "in_review"  # the stage ended through permits' state machine

    assert carol.post(f"/api/v1/applications/{ac_pk}/payments/", {"amount_ron": str(app.fee_ron), "reference": "AC-1"},
                      format="json").status_code == 201
    issued = api(cast["erin"]).post(ac_url, {"action": "issue"}, format="json")
    assert issued.status_code == 200, issued.json()
    app.refresh_from_db()
    assert app.status == "issued"
    culture_name = cast["culture"].name
    assert app.act.conditions == [f"{culture_name}: {c}" for c in conditions]
    pdf = b"".join(alice.get(f"/api/v1/applications/{ac_pk}/act.pdf").streaming_content)
    text = " ".join(_text(pdf).split())
    assert "Supraveghere arheologică pe durata săpăturilor" in text
