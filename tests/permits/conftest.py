"""Fixtures of the permits tests: signing certificate, private media, files, and application builders.

Valid identification codes used throughout: CNP 1800101040017 (a man born 1 Jan 1980 in Bacău
county) and CUI 14399840 (a real company's code, check digit valid).
"""
from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from permits.choices import REQUIRED_DOCUMENTS, DocType
from tests.conftest import BACAU_E, BACAU_N
from tests.rules.conftest import make_layer, seeded  # noqa: F401 (fixtures: layers, the shipped rules)

VALID_CNP = "1800101040017"
VALID_CUI = "14399840"


@pytest.fixture(autouse=True)
def _signing_and_media(signing):
    """Every test here may issue a signed PDF: the run's demo certificate and private media (tests/conftest.py)."""


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def pdf_upload(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def draft_payload(parcels, **extra) -> dict:
    return {"kind": "cu", "applicant_type": "person", "applicant_name": "Alice Popescu",
            "applicant_id_code": VALID_CNP, "parcel_ids": [p.pk for p in parcels], "purpose": "construire",
            "works_kind": "building", "works_description": "Locuință P+1", **extra}


@pytest.fixture
def cu_draft(api, cast, parcel_factory):
    """cu_draft(user=alice, docs=True, **fields) -> (client, application id) of a CU draft via the API."""

    def make(user=None, *, docs: bool = True, parcels=None, kind: str = "cu", **extra):
        user = user or cast["alice"]
        client = api(user)
        parcels = parcels or [parcel_factory(e=BACAU_E + 100, n=BACAU_N + 100, size=20)]
        response = client.post("/api/v1/applications/", draft_payload(parcels, kind=kind, **extra), format="json")
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        if docs:
            for doc_type in REQUIRED_DOCUMENTS[kind]:
                upload = client.post(f"/api/v1/applications/{pk}/documents/",
                                     {"doc_type": doc_type, "file": pdf_upload(f"{doc_type}.pdf")}, format="multipart")
                assert upload.status_code == 201, upload.json()
        return client, pk

    return make


@pytest.fixture
def submitted_cu(cu_draft):
    def make(user=None, **kw):
        client, pk = cu_draft(user, **kw)
        response = client.post(f"/api/v1/applications/{pk}/submit/")
        assert response.status_code == 200, response.json()
        return client, pk

    return make


__all__ = ["VALID_CNP", "VALID_CUI", "pdf_bytes", "png_bytes", "pdf_upload", "draft_payload", "DocType"]
