"""Fixtures of the avize tests: a signing certificate, private media, and AC applications in the avize stage."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from institutions.models import Institution
from permits.choices import ApplicantType, Kind, Status
from permits.models import Application


@pytest.fixture(autouse=True)
def _signing_and_media(signing):
    """Every test here may issue a signed PDF: the run's demo certificate and private media (tests/conftest.py)."""


@pytest.fixture
def t0() -> datetime:
    """A fixed Monday morning, so deadlines do not depend on the day the tests run."""
    return timezone.make_aware(datetime(2026, 3, 2, 9, 0))


def required(*institutions: Institution, rule: str = "R2") -> dict:
    """An analysis result requiring the avize of these institutions, as rules.Analysis.result has it."""
    return {"required_avize": [
        {"institution": {"id": i.pk, "code": i.code, "name": i.name, "kind": i.kind},
         "reasons": [{"rule": rule, "result": f"test hit for {i.code}", "distance_m": 10.0}]}
        for i in institutions
    ]}


@pytest.fixture
def ac_in_avize(cast, parcel_factory):
    """Make an AC of alice's, registered at issuer_a (Bacău), in the avize stage, requiring `institutions`."""
    counter = {"n": 100}

    def make(*institutions: Institution, owner=None) -> Application:
        counter["n"] += 1
        parcel = parcel_factory()
        # The issued CU the AC is based on (permits' guards check it when the stage is re-opened).
        cu = Application.objects.create(
            kind=Kind.CU, status=Status.ISSUED, owner=owner or cast["alice"], uat=cast["uat_a"],
            issuer=cast["issuer_a"], applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu",
            applicant_id_code="1800101040011", valid_until=date(2099, 1, 1))
        cu.parcels.add(parcel)
        app = Application.objects.create(based_on=cu,
            kind=Kind.AC, status=Status.AVIZE, owner=owner or cast["alice"], uat=cast["uat_a"],
            issuer=cast["issuer_a"], registration_number=counter["n"], registration_year=2026,
            applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu", applicant_id_code="1800101040011",
            works_description="Locuință P+1", analysis_result=required(*institutions))
        app.parcels.add(parcel)
        return app

    return make


@pytest.fixture
def defence(db):
    return Institution.objects.create(code="smg", name="Statul Major General", kind=Institution.Kind.DEFENCE,
                                      county="Bacău", tacit_approval=False)


@pytest.fixture
def isu(db):
    return Institution.objects.create(code="isu-bacau", name="ISU Bacău", kind=Institution.Kind.FIRE, county="Bacău")


def days(n: int) -> timedelta:
    return timedelta(days=n)


def pdf_upload(name: str = "studiu.pdf"):
    """A distinct one-page PDF each call (its title differs), as an upload."""
    import io
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"{name} {uuid.uuid4()}"})
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def new_document(application, *, by, name: str = "plan.pdf"):
    """A changed dossier: one more document stored for the application (test set-up through the service)."""
    from permits.services import document_store

    return document_store(application=application, by=by, doc_type="altele", upload=pdf_upload(name))
