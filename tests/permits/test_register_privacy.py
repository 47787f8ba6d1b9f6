"""The monthly public register names companies but never natural persons (GDPR), in JSON and GeoJSON."""
from __future__ import annotations

import json

import pytest
from django.utils import timezone

from permits.issuance import act_issue
from permits.models import Application
from tests.permits.conftest import VALID_CNP, VALID_CUI

pytestmark = pytest.mark.django_db
PERSON = {"applicant_type": "person", "applicant_name": "Maria Ionescu", "applicant_id_code": VALID_CNP,
          "applicant_address": "Str. Florilor 12, Bacău", "applicant_email": "maria.ionescu@example.ro",
          "representative_name": "Gheorghe Vasilescu", "designer_name": "Arh. Elena Dumitrescu"}
COMPANY = {"applicant_type": "company", "applicant_name": "SC Casa Verde SRL", "applicant_id_code": VALID_CUI,
           "applicant_address": "Bd. Unirii 3, Bacău", "applicant_email": "office@casaverde.example.ro",
           "representative_name": "Andrei Popa", "designer_name": "Arh. Ioana Marin"}
PERSONAL = [VALID_CNP, "Maria Ionescu", "Str. Florilor", "maria.ionescu@example.ro", "Gheorghe Vasilescu",
            "Elena Dumitrescu", "Andrei Popa", "Ioana Marin", "alice"]  # alice: the owning user account
ENTRY_KEYS = {"number", "register", "kind", "issued_on", "valid_until", "issuer", "parcels", "purpose", "works",
              "applicant"}


@pytest.fixture
def issued_pair(submitted_cu, cast, parcel_factory):
    from tests.conftest import BACAU_E, BACAU_N

    pks = []
    for offset, fields in ((100, PERSON), (300, COMPANY)):
        _, pk = submitted_cu(parcels=[parcel_factory(e=BACAU_E + offset, n=BACAU_N + 100, size=20)], **fields)
        act_issue(application=Application.objects.get(pk=pk), by=cast["erin"], validity_months=12)
        Application.objects.filter(pk=pk).update(status="issued")
        pks.append(pk)
    return pks


def test_the_register_names_the_company_but_no_natural_person_in_json_or_geojson(api, issued_pair):
    month = timezone.localdate().strftime("%Y-%m")
    body = api().get("/api/v1/registers/20297/", {"month": month}).json()
    assert body["count"] == 2
    assert all(set(entry) == ENTRY_KEYS for entry in body["results"])
    assert sorted(e["applicant"] or "" for e in body["results"]) == ["", "SC Casa Verde SRL"]
    geo = api().get("/api/v1/registers/20297/", {"month": month, "output": "geojson"}).json()
    assert len(geo["features"]) == 2
    for document in (body, geo):
        text = json.dumps(document, ensure_ascii=False)
        leaked = [value for value in PERSONAL if value in text]
        assert leaked == []


def test_the_public_verification_page_names_no_applicant(client, issued_pair):
    for pk in issued_pair:
        act = Application.objects.get(pk=pk).act
        html = client.get(f"/verify/{act.verify_code}").content.decode()
        assert act.numbering in html
        assert not [value for value in PERSONAL + ["SC Casa Verde"] if value in html]
