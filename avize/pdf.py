"""The aviz answer as a PDF (WeasyPrint, no network) signed PAdES-style with the portal's certificate."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from avize.models import AvizRequest


@lru_cache(maxsize=2)
def _signer(path: str, password: str):
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(pfx_file=path, passphrase=password.encode() or None)
    if signer is None:
        raise ImproperlyConfigured(f"Cannot load the signing certificate {path}.")
    return signer


def sign_pdf(pdf: bytes, *, reason: str, field_name: str = "Semnatura") -> bytes:
    """Sign with settings.SIGNING_P12_PATH — the same certificate permits uses for its acts."""
    try:  # prefer permits' helper when it exists, so both apps sign identically
        from permits.signing import sign_pdf as permits_sign
    except ImportError:
        permits_sign = None
    if permits_sign is not None:
        return permits_sign(pdf, reason=reason)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    path = str(settings.SIGNING_P12_PATH)
    signer = _signer(path, settings.SIGNING_P12_PASSWORD)
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=field_name, reason=reason, location="România")
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


def aviz_pdf_bytes(request: AvizRequest) -> bytes:
    from weasyprint import HTML

    from avize.models import State

    html = render_to_string("avize/aviz.html", {
        "r": request,
        "application": request.application,
        "institution": request.institution,
        "outcome_label": State(request.state).label,
        "parcels": list(request.application.parcels.values_list("cadastral_number", flat=True)),
        "generated_at": timezone.localtime(),
    })
    return HTML(string=html, base_url=None).write_pdf()


def aviz_pdf_attach(*, request: AvizRequest) -> None:
    """Render, sign and store the answer PDF with its checksum (inside the answering transaction)."""
    signed = sign_pdf(aviz_pdf_bytes(request), reason=f"Aviz {request.institution.name}")
    request.pdf.save(f"aviz-{request.pk}-v{request.dossier_version}.pdf", ContentFile(signed), save=False)
    request.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    request.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
