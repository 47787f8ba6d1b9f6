"""Upload checks by content: the bytes must be what the type claims, within the size limit.

The client's file name and Content-Type are not trusted: the magic bytes decide the type and the
file must then parse (pypdf for PDF, Pillow for images), so a renamed executable or a truncated
PDF is refused with a 400 before anything is stored.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAGIC = ((b"%PDF-", "application/pdf", "pdf"), (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
         (b"\xff\xd8\xff", "image/jpeg", "jpg"))


@dataclass
class CheckedFile:
    content: bytes
    content_type: str
    extension: str
    sha256: str


def check_upload(upload, *, field: str = "file") -> CheckedFile:
    limit = settings.DOCUMENT_MAX_BYTES
    if upload is None:
        raise ValidationError({field: [_("Nu a fost trimis niciun fișier.")]})
    if upload.size is not None and upload.size > limit:
        raise ValidationError({field: [_too_large(limit)]})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({field: [_too_large(limit)]})
    if not content:
        raise ValidationError({field: [_("Fișierul este gol.")]})
    for magic, content_type, extension in MAGIC:
        if content.startswith(magic):
            _parse(content, content_type, field)
            return CheckedFile(content, content_type, extension, hashlib.sha256(content).hexdigest())
    raise ValidationError({field: [_("Tip de fișier neacceptat: se primesc numai documente PDF, PNG și JPEG.")]})


def _too_large(limit: int) -> str:
    return _("Fișierul depășește limita de %(size)s.") % {"size": filesizeformat(limit)}


def _parse(content: bytes, content_type: str, field: str) -> None:
    try:
        if content_type == "application/pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(content), strict=False)
            if len(reader.pages) < 1:
                raise ValueError("no pages")
        else:
            from PIL import Image

            with Image.open(io.BytesIO(content)) as image:
                image.verify()
    except Exception:  # any parser failure means the file is not what it claims
        raise ValidationError({field: [_("Fișierul pare %(type)s, dar nu poate fi citit (este deteriorat?).")
                                       % {"type": content_type.split("/")[-1].upper()}]}) from None
