"""The aviz answer as a PDF (gis_portal.rendering: WeasyPrint, no network), signed PAdES with the
portal's certificate."""
from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from avize.models import AvizRequest, State
from gis_portal.rendering import html_to_pdf
from gis_portal.signing import sign_pdf as permits_sign_pdf


def sign_pdf(pdf: bytes, *, reason: str) -> bytes:
    """Sign with the same certificate and PAdES profile as the permits' acts (settings.SIGNING_P12_PATH)."""
    return permits_sign_pdf(pdf, reason=reason, location="România")


def aviz_pdf_bytes(request: AvizRequest) -> bytes:
    return html_to_pdf("avize/aviz.html", {
        "r": request,
        "application": request.application,
        "institution": request.institution,
        "outcome_label": State(request.state).label,
        "parcels": list(request.application.parcels.values_list("cadastral_number", flat=True)),
        "generated_at": timezone.localtime(),
    })


def aviz_pdf_attach(*, request: AvizRequest) -> None:
    """Render, sign and store the answer PDF with its checksum (inside the answering transaction)."""
    signed = sign_pdf(aviz_pdf_bytes(request), reason=f"Aviz {request.institution.name}")
    request.pdf.save(f"aviz-{request.pk}-v{request.dossier_version}.pdf", ContentFile(signed), save=False)
    request.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    request.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
