"""Hostile batches are refused with a clear reason, row by row, and the rest of the batch goes on."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from archive import files, services
from archive.models import ArchiveAct, ArchiveFile
from tests.archive.scans import image_tiff, text_pdf, zip_of

HEADER = "number,year,kind,holder,cadastral_number,address,files\n"


def _import(territory, members: dict[str, bytes], rows: list[str]):
    manifest = (HEADER + "\n".join(rows) + "\n").encode()
    source = files.ZipSource(io.BytesIO(zip_of(members)))
    return services.archive_import(issuer=territory["issuer_a"], manifest=manifest, source=source)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.mark.django_db
def test_bad_rows_are_reported_and_the_batch_goes_on(territory, media, settings):
    settings.ARCHIVE_MAX_FILE_BYTES = 4000
    settings.ARCHIVE_MAX_PAGES = 1
    report = _import(territory, {
        "ok.pdf": text_pdf(["ok"]),
        "big.pdf": text_pdf(["x" * 80] * 60),  # over 4000 bytes
        "fake.pdf": b"<html><script>alert(1)</script></html>",  # named .pdf, is HTML
        "photo.tif": b"\x89PNG\r\n\x1a\n" + b"0" * 100,  # named .tif, is a PNG
        "two-pages.tif": image_tiff(["one"], ["two"]),
        "broken.pdf": b"%PDF-1.4\n garbage",
    }, [
        "1,1990,AC,A,,,ok.pdf",
        "2,1990,AC,A,,,big.pdf",
        "3,1990,AC,A,,,fake.pdf",
        "4,1990,AC,A,,,photo.tif",
        "5,1990,AC,A,,,two-pages.tif",
        "6,1990,AC,A,,,broken.pdf",
        "7,1990,AC,A,,,../../etc/passwd",
        "8,1990,ZZ,A,,,ok.pdf",
        "9,year,AC,A,,,ok.pdf",
        "10,1990,AC,A,,,",
        "11,1990,AC,A,,,absent.pdf",
    ])
    reasons = {r.row - 1: " ".join(r.errors) for r in report.rows}
    assert report.created == 1 and len(report.failed) == 10
    assert "depășește 0 MB" in reasons[2] or "depășește" in reasons[2]
    assert "nu este PDF sau TIFF" in reasons[3] and "nu este PDF sau TIFF" in reasons[4]
    assert "mai mult de 1 pagini" in reasons[5]
    assert "deteriorat" in reasons[6]
    assert "iese din arhivă" in reasons[7]
    assert "Tipul „ZZ”" in reasons[8]
    assert "Anul „year”" in reasons[9]
    assert "niciun fișier" in reasons[10]
    assert "„absent.pdf” lipsește" in reasons[11]
    assert list(ArchiveAct.objects.values_list("number", flat=True)) == ["1"]
    assert ArchiveFile.objects.count() == 1


@pytest.mark.django_db
def test_a_page_with_too_many_pixels_is_refused_before_decoding(territory, media, settings):
    settings.ARCHIVE_MAX_PIXELS = 10_000
    report = _import(territory, {"huge.tif": image_tiff(["a big page"])}, ["1,1990,AC,A,,,huge.tif"])
    assert "prea mulți pixeli" in " ".join(report.failed[0].errors)


def test_zip_with_a_path_leaving_it_is_refused_whole():
    data = zip_of({"ok.pdf": text_pdf(["ok"]), "../../outside.pdf": text_pdf(["x"])})
    with pytest.raises(files.FileRefused, match="iese din arhivă"):
        files.ZipSource(io.BytesIO(data))
    data = zip_of({"/etc/cron.d/evil": b"x"})
    with pytest.raises(files.FileRefused, match="iese din arhivă"):
        files.ZipSource(io.BytesIO(data))


def test_zip_with_a_symlink_member_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        info = zipfile.ZipInfo("link.pdf")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(files.FileRefused, match="iese din arhivă"):
        files.ZipSource(io.BytesIO(out.getvalue()))


def test_zip_bomb_is_refused_from_its_directory(settings):
    settings.ARCHIVE_MAX_BATCH_BYTES = 10 * 1024 * 1024
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.pdf", b"%PDF-" + b"\0" * (20 * 1024 * 1024))  # 20 MB in about 20 KB
    assert len(out.getvalue()) < 100_000
    with pytest.raises(files.FileRefused, match="ar depăși"):
        files.ZipSource(io.BytesIO(out.getvalue()))


def test_a_member_whose_header_lies_about_its_size_is_cut_at_the_limit(settings):
    settings.ARCHIVE_MAX_FILE_BYTES = 1000
    data = bytearray(zip_of({"a.pdf": b"%PDF-" + b"1" * 5000}))
    # Rewrite the declared sizes (local header and central directory) to 10 bytes.
    small = (10).to_bytes(4, "little")
    local = data.index(b"PK\x03\x04")
    data[local + 22:local + 26] = small
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = small
    source = files.ZipSource(io.BytesIO(bytes(data)))
    with pytest.raises(files.FileRefused):
        source.read("a.pdf")


def test_not_a_zip_and_a_folder_traversal(tmp_path):
    with pytest.raises(files.FileRefused, match="nu este o arhivă zip"):
        files.ZipSource(io.BytesIO(b"%PDF-1.4 not a zip"))
    (tmp_path / "batch").mkdir()
    (tmp_path / "secret.pdf").write_bytes(text_pdf(["secret"]))
    (tmp_path / "batch" / "link.pdf").symlink_to(tmp_path / "secret.pdf")
    source = files.FolderSource(tmp_path / "batch")
    for name in ("../secret.pdf", "link.pdf", "/etc/passwd"):
        with pytest.raises(files.FileRefused, match="iese din arhivă"):
            source.read(name)


@pytest.mark.django_db
def test_manifest_without_required_columns_or_not_utf8(territory):
    source = files.ZipSource(io.BytesIO(zip_of({})))
    with pytest.raises(ValidationError, match="lipsesc coloanele: year, kind, files"):
        services.archive_import(issuer=territory["issuer_a"], manifest=b"number\n1\n", source=source)
    with pytest.raises(ValidationError, match="UTF-8"):
        services.archive_import(issuer=territory["issuer_a"], manifest="number;an\nă".encode("utf-16"), source=source)
