"""Scans made in the tests: images of text (Pillow, low resolution so OCR is quick) and PDFs.

`image_tiff` / `image_pdf` are pure pictures (no text layer: the text can only come from OCR);
`text_pdf` is a minimal PDF whose page carries a text layer (as a scanner's "searchable PDF" does).
"""
from __future__ import annotations

import io
import zipfile

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _page(lines: list[str]) -> Image.Image:
    font = ImageFont.truetype(FONT, 22)
    image = Image.new("L", (760, 40 * len(lines) + 20), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((12, 12 + 40 * i), line, font=font, fill=0)
    return image


def image_tiff(*pages: list[str]) -> bytes:
    images = [_page(lines) for lines in pages]
    out = io.BytesIO()
    images[0].save(out, format="TIFF", compression="tiff_lzw", save_all=True, append_images=images[1:])
    return out.getvalue()


def image_pdf(lines: list[str]) -> bytes:
    out = io.BytesIO()
    _page(lines).save(out, format="PDF", resolution=100)
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """One A4 page with the lines in Helvetica (ASCII), as a text layer."""
    def escape(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = "BT /F1 12 Tf 60 780 Td 16 TL " + " ".join(f"({escape(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()
