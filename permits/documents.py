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
        raise ValidationError({field: ["No file was sent."]})
    if upload.size is not None and upload.size > limit:
        raise ValidationError({field: [f"The file has {upload.size} bytes, more than the limit of {limit}."]})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({field: [f"The file is larger than the limit of {limit} bytes."]})
    if not content:
        raise ValidationError({field: ["The file is empty."]})
    for magic, content_type, extension in MAGIC:
        if content.startswith(magic):
            _parse(content, content_type, field)
            return CheckedFile(content, content_type, extension, hashlib.sha256(content).hexdigest())
    raise ValidationError({field: ["Unsupported file type: only PDF, PNG and JPEG documents are accepted."]})


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
    except Exception as exc:  # any parser failure means the file is not what it claims
        raise ValidationError({field: [f"The file looks like {content_type} but cannot be read ({exc})."]}) from None
