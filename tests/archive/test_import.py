"""An archive of 200 scanned acts imported with a manifest: matched, queued, OCR'd, searchable, idempotent.

What is OCR'd for real: 16 of the 200 documents are pure images (12 TIFFs, four of them multi-page,
and 4 image-only PDFs rasterised by pdftoppm) read by tesseract in Romanian; the other 184 are
"searchable PDFs" whose text layer is used as is (no OCR). Every document's text is extracted through
the same job (`archive_extract_text`) the import deferred.
"""
from __future__ import annotations

import csv
import io
import time

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.management import CommandError, call_command
from procrastinate.contrib.django.models import ProcrastinateJob

from archive import selectors, services
from archive.files import FolderSource
from archive.matching import fold
from archive.models import ArchiveAct, ArchiveFile
from parcels.models import Parcel
from tests.archive.scans import image_pdf, image_tiff, text_pdf
from tests.conftest import BACAU_E, BACAU_N

STREETS = ["Mărășești", "Ștefan cel Mare", "Calea Moldovei"]
UNIQUE_WORD = "ȘURUBELNIȚĂ"  # only inside the image of act 1039
OCR_ROWS = set(range(3, 195, 12))  # 16 image scans


def parcel_address(j: int) -> str:
    street = STREETS[j % 3]
    prefix = "" if street.startswith("Calea") else "Strada "
    return f"{prefix}{street} nr. {j + 1}, Bacău"


def manifest_address(j: int) -> str:
    """The same address as a clerk of 1985 wrote it: abbreviated, without or with cedilla diacritics."""
    street = STREETS[j % 3]
    if j % 3 == 0:
        return [f"Str. Marasesti {j + 1}", f"Strada Mărăşeşti nr. {j + 1}, Bacău"][j % 2]
    if j % 3 == 1:
        return f"Bacău, str. Ştefan cel Mare nr.{j + 1}"
    return f"{street} {j + 1}"


def _square(e: float, n: float, size: float = 18.0) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((e, n, e + size, n + size)), srid=3844)


@pytest.fixture
def county(territory):
    """180 parcels of Bacău with addresses, two sharing one address, one of Hemeiuș (another issuer)."""
    uat_a, uat_b = territory["uat_a"], territory["uat_b"]
    parcels = [Parcel(uat=uat_a, cadastral_number=str(80000 + j), geom=_square(BACAU_E + (j % 20) * 20, BACAU_N + (j // 20) * 20),
                      measured_area_m2=324, address=parcel_address(j)) for j in range(180)]
    parcels += [Parcel(uat=uat_a, cadastral_number=str(89000 + k), geom=_square(BACAU_E - 300 + 20 * k, BACAU_N - 300),
                       measured_area_m2=324, address="Strada Dublă nr. 1, Bacău") for k in range(2)]
    parcels.append(Parcel(uat=uat_b, cadastral_number="99001", geom=_square(BACAU_E - 5000, BACAU_N),
                          measured_area_m2=324, address="Strada Principală nr. 1, Hemeiuș"))
    Parcel.objects.bulk_create(parcels)
    by_cad = {p.cadastral_number: p for p in Parcel.objects.all()}
    return {**territory, "by_cad": by_cad}


def _row(i: int) -> tuple[dict, int | None]:
    """The manifest row of act i and the index of the parcel it must land on (None: review queue)."""
    row = {"number": str(1000 + i), "year": str(1970 + i % 50), "kind": ["AC", "CU", "AD", "other", "ac"][i % 5],
           "holder": f"Titular {i}", "cadastral_number": "", "address": "", "files": f"scans/act-{i}.pdf"}
    if i < 100:  # by cadastral number (a few typed with spaces)
        row["cadastral_number"] = f"{80000 + i}"
        if i % 7 == 0:
            row["cadastral_number"] = f"80{i:03d}"[:2] + " " + f"80{i:03d}"[2:]
        return row, i
    if i < 180:  # by address; some carry a cadastral number of another issuer's UAT, which must not win
        row["address"] = manifest_address(i)
        if i % 10 == 0:
            row["cadastral_number"] = "99001"
        return row, i
    if i < 190:
        row["address"] = f"Strada Inexistentă nr. {i}"
        row["cadastral_number"] = str(70000 + i)
    elif i < 195:
        row["address"] = "Str. Dubla nr. 1"  # two parcels: ambiguous, a clerk decides
    else:
        row["cadastral_number"] = "99001"  # Hemeiuș: not this issuer's
    return row, None


def _write_archive(folder) -> tuple[bytes, dict[int, int | None]]:
    (folder / "scans").mkdir(parents=True)
    rows, expected = [], {}
    for i in range(200):
        row, target = _row(i)
        expected[i] = target
        lines = [f"AUTORIZATIE nr. {1000 + i}/{row['year']}", f"Titular {i}", "Primaria municipiului Bacau"]
        if i in OCR_ROWS:
            words = ["AUTORIZAȚIE DE CONSTRUIRE", f"nr. {1000 + i} din anul {row['year']}", "Beneficiar: familia Țăranu"]
            if i == 39:
                words[2] = f"Lucrări: magazie pentru {UNIQUE_WORD}"
            if i % 16 == 3:  # the image-only PDFs: rasterised, then OCR
                data, name = image_pdf(words), f"scans/act-{i}.pdf"
            else:
                pages = [words, ["Anexa 1: plan de situație"]] if i % 48 == 15 else [words]
                data, name = image_tiff(*pages), f"scans/act-{i}.tif"
        else:
            data, name = text_pdf(lines), f"scans/act-{i}.pdf"
        (folder / name).write_bytes(data)
        row["files"] = name
        if i % 25 == 1:  # an annex (a text-layer PDF) after the act
            (folder / f"scans/annex-{i}.pdf").write_bytes(text_pdf(["Anexa - plan de situatie", f"act {i}"]))
            row["files"] += f";scans/annex-{i}.pdf"
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(), expected


def _run_jobs(after: int) -> int:
    """Run the text jobs deferred since job `after` (browser tests' live servers may leave older ones)."""
    jobs = list(ProcrastinateJob.objects.filter(task_name="archive_extract_text", status="todo", id__gt=after)
                .order_by("id"))
    for job in jobs:
        services.act_text_extract(act_id=job.args["act_id"])
    ProcrastinateJob.objects.filter(pk__in=[j.pk for j in jobs]).update(status="succeeded")
    return len(jobs)


@pytest.mark.django_db
def test_two_hundred_scans_matched_queued_ocr_searchable(county, cast, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    manifest, expected = _write_archive(tmp_path / "batch")
    issuer = county["issuer_a"]
    assert len(OCR_ROWS) == 16

    last_job = ProcrastinateJob.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started = time.monotonic()
    report = services.archive_import(issuer=issuer, manifest=manifest, source=FolderSource(tmp_path / "batch"),
                                     by=cast["carol"])
    imported = time.monotonic() - started
    assert report.count("created") == 200 and report.count("error") == 0, [r.errors for r in report.rows if r.errors]
    assert (report.placed, report.queued) == (180, 20)

    acts = {int(a.number) - 1000: a for a in ArchiveAct.objects.select_related("parcel")}
    assert len(acts) == 200
    assert ArchiveAct.objects.filter(parcel__isnull=False).count() == 180
    assert selectors.review_queue(cast["carol"]).count() == 20
    assert selectors.review_queue(cast["dave"]).count() == 0  # another issuer's clerk
    for i, target in expected.items():
        act = acts[i]
        if target is None:
            assert act.parcel_id is None and act.matched_by == "", i
        else:
            assert act.parcel.cadastral_number == str(80000 + target), (i, act.parcel.cadastral_number)
            assert act.matched_by == ("cadastral" if i < 100 else "address"), i
    assert ArchiveFile.objects.count() == 200 + 8  # rows 1, 26, …, 176 have an annex
    assert ArchiveFile.objects.filter(role="annex").count() == 8

    started = time.monotonic()
    assert _run_jobs(last_job) == 200
    extracted = time.monotonic() - started
    assert ArchiveFile.objects.filter(text_source="ocr").count() == 16
    assert ArchiveFile.objects.filter(text_source="layer").count() == 192
    assert not ArchiveAct.objects.exclude(text_status="done").exists()
    print(f"\nimport {imported:.1f} s, text of 208 files {extracted:.1f} s (16 OCR)")

    # A word that exists only inside one scanned image, typed without diacritics, with comma-below
    # and with cedilla letters.
    for query in ("surubelnita", UNIQUE_WORD, "şurubelniţă"):
        found = list(selectors.search(cast["carol"], q=query))
        assert [a.number for a in found] == ["1039"], query
    assert "SURUBELNI" in fold(ArchiveAct.objects.get(number="1039").text).upper()
    assert "ț" in ArchiveAct.objects.get(number="1015").text.lower()  # OCR kept the Romanian letters
    assert not selectors.search(cast["dave"], q="surubelnita").exists()  # scoped to the issuer
    assert selectors.search(cast["carol"], q="Țăranu").count() == 16 - 1
    assert [a.number for a in selectors.search(cast["carol"], number="1150", year=1970)] == ["1150"]
    assert selectors.search(cast["carol"], holder="titular 17").filter(number="1017").exists()

    # A clerk places one act of the queue: a point inside parcel 80005 → that parcel.
    queued = acts[186]  # a CU: not public
    target = county["by_cad"]["80005"]
    centre = target.geom.centroid.transform(4326, clone=True)
    placed = services.act_place(act=queued, by=cast["carol"], lon=centre.x, lat=centre.y)
    assert (placed.parcel_id, placed.matched_by, placed.placed_by) == (target.pk, "manual", cast["carol"])
    assert selectors.review_queue(cast["carol"]).count() == 19

    # Idempotent: the same batch again changes nothing, defers no job, keeps the clerk's placement.
    jobs = ProcrastinateJob.objects.count()
    again = services.archive_import(issuer=issuer, manifest=manifest, source=FolderSource(tmp_path / "batch"))
    assert again.count("unchanged") == 200
    assert ArchiveAct.objects.count() == 200 and ArchiveFile.objects.count() == 208
    assert ProcrastinateJob.objects.count() == jobs

    assert ArchiveAct.objects.get(pk=queued.pk).parcel_id == target.pk
    # History of parcel 80005: staff see every act (with holder and scans); the public the AC/AD only.
    history = selectors.parcel_history(target, cast["carol"])
    assert {r["number"] for r in history} == {"1005", "1186"}
    assert all("files" in r and r["holder"] for r in history)
    public = selectors.parcel_history(target, None)
    assert [(r["number"], r["kind"]) for r in public] == [("1005", "ac")]
    assert "holder" not in public[0] and "files" not in public[0]


@pytest.mark.django_db
def test_place_refuses_points_far_from_parcels_and_other_issuers_clerks(county, cast):
    act = ArchiveAct.objects.create(issuer=county["issuer_a"], kind="ac", number="1", year=1990)
    with pytest.raises(services.PermissionDenied):
        services.act_place(act=act, by=cast["dave"], lon=26.9, lat=46.56)
    with pytest.raises(services.ValidationError) as error:
        services.act_place(act=act, by=cast["carol"], lon=23.0, lat=45.0)
    assert "Nicio parcelă" in str(error.value)


@pytest.mark.django_db
def test_command_imports_a_zip_and_reports_rows_in_english(county, tmp_path, settings, capsys):
    from tests.archive.scans import zip_of

    settings.MEDIA_ROOT = str(tmp_path / "media")
    manifest = (b"number,year,kind,holder,cadastral_number,address,files\n"
                b"7,1980,AC,Ion,80001,,a.pdf\n"
                b"8,1981,XX,Ion,80002,,b.pdf\n"
                b"9,1982,AD,Ion,80003,,missing.pdf\n")
    batch = tmp_path / "batch.zip"
    batch.write_bytes(zip_of({"manifest.csv": manifest, "a.pdf": text_pdf(["one"]), "b.pdf": text_pdf(["two"])}))
    call_command("import_archive", str(batch), "--issuer", str(county["uat_a"].siruta), "--language", "en",
                 "--extract-now")
    out = capsys.readouterr()
    assert "Row 3:" in out.err and "The kind" in out.err
    assert "Row 4:" in out.err and "missing.pdf" in out.err and "is missing" in out.err
    assert "1 new" in out.out and "2 with errors" in out.out
    act = ArchiveAct.objects.get()
    assert (act.number, act.parcel.cadastral_number, act.text_status) == ("7", "80001", "done")
    with pytest.raises(CommandError):
        call_command("import_archive", str(tmp_path / "nothing"), "--issuer", str(county["uat_a"].siruta))
