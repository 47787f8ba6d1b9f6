"""The scans of an import: where they come from (a folder or a zip) and what they are (sniffed, bounded).

Nothing is trusted from a name: a file's type comes from its first bytes (PDF `%PDF-`, TIFF `II*\\0` /
`MM\\0*`), its size is checked before it is read (and again while reading, since a zip header can lie),
its pages are counted before any text is extracted. A member name that leaves the folder or the zip
(`..`, an absolute path, a drive letter, a symbolic link) is refused, as is a zip whose members add up
to more than `ARCHIVE_MAX_BATCH_BYTES` or count more than `ARCHIVE_MAX_BATCH_FILES` (zip bombs).
"""
from __future__ import annotations

import io
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError as PdfError


class FileRefused(Exception):
    """A scan (or a batch) refused, with the reason in the active language."""


PDF, TIFF = "application/pdf", "image/tiff"


def sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    return None


def safe_name(name: str) -> str:
    """The member name as a relative POSIX path inside the batch, or FileRefused if it could leave it."""
    clean = name.replace("\\", "/").strip()
    path = PurePosixPath(clean)
    if not clean or path.is_absolute() or ".." in path.parts or (len(clean) > 1 and clean[1] == ":") or "\x00" in clean:
        raise FileRefused(_("Numele de fișier „%(name)s” iese din arhivă: refuzat.") % {"name": name[:200]})
    return str(path)


class Source:
    """Where the scans of one import are: `read(name)` returns the bytes of one, bounded."""

    def read(self, name: str) -> bytes:
        raise NotImplementedError

    def manifest(self) -> bytes | None:
        """A `manifest.csv` found inside the batch (used when no manifest is given separately)."""
        try:
            return self.read("manifest.csv")
        except FileRefused:
            return None

    def close(self) -> None:
        return None


def _too_big(name: str) -> FileRefused:
    return FileRefused(_("Fișierul „%(name)s” depășește %(mb)s MB: refuzat.")
                       % {"name": name, "mb": settings.ARCHIVE_MAX_FILE_BYTES // (1024 * 1024)})


class FolderSource(Source):
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def read(self, name: str) -> bytes:
        relative = safe_name(name)
        path = self.root / relative
        try:
            info = os.lstat(path)
        except OSError:
            raise FileRefused(_("Fișierul „%(name)s” lipsește.") % {"name": relative}) from None
        if stat.S_ISLNK(info.st_mode) or not path.resolve().is_relative_to(self.root) or not stat.S_ISREG(info.st_mode):
            raise FileRefused(_("Numele de fișier „%(name)s” iese din arhivă: refuzat.") % {"name": relative})
        if info.st_size > settings.ARCHIVE_MAX_FILE_BYTES:
            raise _too_big(relative)
        with open(path, "rb") as fh:
            data = fh.read(settings.ARCHIVE_MAX_FILE_BYTES + 1)
        if len(data) > settings.ARCHIVE_MAX_FILE_BYTES:
            raise _too_big(relative)
        return data


class ZipSource(Source):
    """A zip checked as a whole before any member is read: names, count, declared total size."""

    def __init__(self, file: str | Path | io.IOBase) -> None:
        try:
            self.zip = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError):
            raise FileRefused(_("Fișierul încărcat nu este o arhivă zip validă.")) from None
        members = self.zip.infolist()
        if len(members) > settings.ARCHIVE_MAX_BATCH_FILES:
            self.close()
            raise FileRefused(_("Arhiva are prea multe fișiere (cel mult %(n)s).") % {"n": settings.ARCHIVE_MAX_BATCH_FILES})
        total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in members:
            if info.is_dir():
                continue
            try:
                name = safe_name(info.filename)
                if stat.S_ISLNK(info.external_attr >> 16):
                    raise FileRefused(_("Numele de fișier „%(name)s” iese din arhivă: refuzat.") % {"name": name})
            except FileRefused:
                self.close()
                raise
            total += info.file_size
            self.members[name] = info
        if total > settings.ARCHIVE_MAX_BATCH_BYTES:
            self.close()
            raise FileRefused(_("Arhiva despachetată ar depăși %(gb)s GB: refuzată.")
                              % {"gb": round(settings.ARCHIVE_MAX_BATCH_BYTES / 1024 ** 3, 1)})

    def read(self, name: str) -> bytes:
        relative = safe_name(name)
        info = self.members.get(relative)
        if info is None:
            raise FileRefused(_("Fișierul „%(name)s” lipsește.") % {"name": relative})
        if info.file_size > settings.ARCHIVE_MAX_FILE_BYTES:
            raise _too_big(relative)
        try:
            with self.zip.open(info) as fh:  # the header may lie: never read past the limit
                data = fh.read(settings.ARCHIVE_MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError):
            raise FileRefused(_("Fișierul „%(name)s” din arhivă este deteriorat.") % {"name": relative}) from None
        if len(data) > settings.ARCHIVE_MAX_FILE_BYTES:
            raise _too_big(relative)
        return data

    def close(self) -> None:
        self.zip.close()


def open_source(path: str | Path) -> Source:
    path = Path(path)
    if path.is_dir():
        return FolderSource(path)
    return ZipSource(path)


@dataclass(frozen=True)
class Scan:
    name: str
    data: bytes
    content_type: str
    pages: int


def pdf_pages(data: bytes) -> int:
    """The page count of a PDF (its page tree only: nothing is rendered or decompressed beyond it)."""
    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except (PdfError, ValueError, KeyError, TypeError, RecursionError, AttributeError):
        return 0


def tiff_pages(data: bytes) -> int:
    """The page count of a TIFF; any page over ARCHIVE_MAX_PIXELS refuses the file (decompression bomb)."""
    with Image.open(io.BytesIO(data)) as image:
        count = 0
        while True:
            width, height = image.size
            if width * height > settings.ARCHIVE_MAX_PIXELS:
                raise FileRefused(_("O pagină a scanării are prea mulți pixeli (%(w)s × %(h)s).") % {"w": width, "h": height})
            count += 1
            if count > settings.ARCHIVE_MAX_PAGES:
                return count
            try:
                image.seek(count)
            except EOFError:
                return count


def scan_check(name: str, data: bytes) -> Scan:
    """The bytes of one scan checked: type by content, size, page count."""
    if len(data) > settings.ARCHIVE_MAX_FILE_BYTES:
        raise _too_big(name)
    content_type = sniff(data[:8])
    if content_type is None:
        raise FileRefused(_("Fișierul „%(name)s” nu este PDF sau TIFF (conținutul lui nu este al unei scanări).")
                          % {"name": name})
    try:
        pages = pdf_pages(data) if content_type == PDF else tiff_pages(data)
    except FileRefused:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        pages = 0
    if pages < 1:
        raise FileRefused(_("Fișierul „%(name)s” este deteriorat și nu poate fi citit.") % {"name": name})
    if pages > settings.ARCHIVE_MAX_PAGES:
        raise FileRefused(_("Fișierul „%(name)s” are mai mult de %(n)s pagini.") % {"name": name, "n": settings.ARCHIVE_MAX_PAGES})
    return Scan(name=name, data=data, content_type=content_type, pages=pages)
