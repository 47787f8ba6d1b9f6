"""The text of a scan: the PDF's own text layer when it has one, else Romanian OCR (tesseract).

The text layer is read by pypdf; each other tool runs as a separate process with a time limit (poppler's `pdftoppm`, then
`tesseract -l ron`), in a private temporary folder, one thread each (OMP_THREAD_LIMIT=1: the worker
runs several jobs side by side). The text is normalised so that the two spellings of ș and ț (comma
below, the correct one, and the older cedilla) are one: search finds both.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from archive.files import PDF

# The cedilla forms (ş ţ Ş Ţ) older scanners and OCR produce, as the comma-below letters of Romanian.
CEDILLA = str.maketrans({"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"})
_MIN_LAYER_LETTERS = 20  # fewer letters than this in a PDF's text layer: a scan without one, OCR it


class ExtractionFailed(Exception):
    pass


def normalise(text: str) -> str:
    return re.sub(r"[ \t\r\f\v]+", " ", text.translate(CEDILLA)).strip()


def _run(args: list[str], *, timeout: int, data: bytes | None = None) -> bytes:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(args, input=data, capture_output=True, timeout=timeout, check=False, env=env)
    except FileNotFoundError:
        raise ExtractionFailed(f"{args[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise ExtractionFailed(f"{args[0]} took longer than {timeout} s") from None
    if done.returncode != 0:
        raise ExtractionFailed(f"{args[0]} failed: {done.stderr.decode('utf-8', 'replace')[:300]}")
    return done.stdout


def text_layer(data: bytes) -> str:
    """The text a PDF carries (empty for a pure image scan), read in-process by pypdf: the file is
    already bounded in size and pages (archive.files.scan_check)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages[: settings.ARCHIVE_MAX_PAGES])
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError, AttributeError) as error:
        raise ExtractionFailed(f"unreadable PDF: {error}") from None


def ocr_image(path: Path, *, pages: int) -> str:
    """Tesseract's Romanian reading of an image file (a multi-page TIFF gives every page)."""
    timeout = settings.ARCHIVE_OCR_TIMEOUT_SECONDS * max(pages, 1)
    return _run(["tesseract", str(path), "-", "-l", "ron"], timeout=timeout).decode("utf-8", "replace")


def extract(data: bytes, *, content_type: str, pages: int) -> tuple[str, str]:
    """(text, source) of one scan; source is "layer" or "ocr". ExtractionFailed when a tool fails."""
    if content_type == PDF:
        layer = text_layer(data)
        if sum(ch.isalpha() for ch in layer) >= _MIN_LAYER_LETTERS:
            return normalise(layer), "layer"
    with tempfile.TemporaryDirectory(prefix="archive-ocr-") as folder:
        work = Path(folder)
        if content_type == PDF:
            source = work / "scan.pdf"
            source.write_bytes(data)
            _run(["pdftoppm", "-r", str(settings.ARCHIVE_OCR_DPI), "-gray", "-png", "-l", str(settings.ARCHIVE_MAX_PAGES),
                  str(source), str(work / "page")], timeout=settings.ARCHIVE_OCR_TIMEOUT_SECONDS * max(pages, 1))
            images = sorted(work.glob("page-*.png"))
            texts = [ocr_image(image, pages=1) for image in images]
            return normalise("\n".join(texts)), "ocr"
        source = work / "scan.tif"
        source.write_bytes(data)
        return normalise(ocr_image(source, pages=pages)), "ocr"
