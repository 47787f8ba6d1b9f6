"""The archive's pages and API through HTTP: scoping, the upload page, placement, history, downloads."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from archive import services
from archive.files import FolderSource
from archive.models import ArchiveAct, ArchiveFile
from permits.models import Application
from tests.archive.scans import text_pdf, zip_of
from tests.helpers import otp_login

HEADER = "number,year,kind,holder,cadastral_number,address,files\n"


@pytest.fixture
def world(cast, parcel_factory, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    parcel = parcel_factory(cadastral_number="70001", address="Strada Mărășești nr. 1, Bacău")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "ac.pdf").write_bytes(text_pdf(["AUTORIZATIE DE CONSTRUIRE", "garaj din caramida"]))
    (tmp_path / "b" / "annex.pdf").write_bytes(text_pdf(["Anexa: releveu, CNP 1800101040017"]))
    (tmp_path / "b" / "ad.pdf").write_bytes(text_pdf(["AUTORIZATIE DE DESFIINTARE", "sopron"]))
    (tmp_path / "b" / "cu.pdf").write_bytes(text_pdf(["CERTIFICAT DE URBANISM", "informare"]))
    manifest = (HEADER + "5,1984,AC,Ion Vasilescu,70001,,ac.pdf;annex.pdf\n6,1984,CU,Ana Pop,,Str. Marasesti 1,cu.pdf\n"
                "7,1984,AD,Nimeni,,Strada Lipsă 3,ad.pdf\n").encode()
    services.archive_import(issuer=cast["issuer_a"], manifest=manifest, source=FolderSource(tmp_path / "b"))
    for act in ArchiveAct.objects.all():
        services.act_text_extract(act_id=act.pk)
    return {**cast, "parcel": parcel}


def client(user=None, language="ro") -> Client:
    c = Client()
    c.cookies["django_language"] = language
    if user is not None:
        otp_login(c, user)
    return c


@pytest.mark.django_db
def test_search_page_is_for_the_issuers_staff(world):
    page = client(world["carol"]).get("/staff/archive/", {"q": "caramida"})
    assert page.status_code == 200
    assert [a.number for a in page.context["acts"]] == ["5"]
    assert "Ion Vasilescu" in page.content.decode()
    assert client(world["dave"]).get("/staff/archive/", {"q": "caramida"}).context["acts"] == []
    assert client(world["alice"]).get("/staff/archive/").status_code == 403
    assert client().get("/staff/archive/").status_code == 302
    english = client(world["carol"], "en").get("/staff/archive/", {"holder": "ana"}).content.decode()
    assert "Digitised archive" in english and "Urbanism certificate" in english


@pytest.mark.django_db
def test_history_api_staff_see_all_public_sees_issued_ac_ad_only(world):
    parcel = world["parcel"]
    staff = client(world["carol"]).get(f"/api/v1/parcels/{parcel.pk}/acts/").json()
    assert staff["full"] is True
    assert sorted((r["kind"], r["number"]) for r in staff["results"]) == [("ac", "5"), ("cu", "6")]
    ac = next(r for r in staff["results"] if r["kind"] == "ac")
    assert [f["role"] for f in ac["files"]] == ["act", "annex"]
    for who in (None, world["alice"], world["dave"]):
        public = client(who).get(f"/api/v1/parcels/{parcel.pk}/acts/").json()
        assert public["full"] is False
        assert public["results"] == [{"source": "archive", "kind": "ac", "number": "5", "year": 1984, "date": None}]


@pytest.mark.django_db
def test_scans_are_downloaded_only_by_the_issuers_staff(world):
    annex = ArchiveFile.objects.get(role="annex")
    url = f"/api/v1/archive/files/{annex.pk}/"
    answer = client(world["carol"]).get(url)
    assert answer.status_code == 200 and b"".join(answer.streaming_content).startswith(b"%PDF-")
    assert client(world["dave"]).get(url).status_code == 404
    assert client(world["alice"]).get(url).status_code == 404
    assert client().get(url).status_code in (401, 403)


@pytest.mark.django_db
def test_act_page_and_request_page_show_the_history(world, api):
    act = ArchiveAct.objects.get(number="5")
    page = client(world["carol"]).get(f"/staff/archive/{act.pk}/")
    assert page.status_code == 200 and "garaj din caramida" in page.content.decode()
    assert client(world["dave"]).get(f"/staff/archive/{act.pk}/").status_code == 404
    created = api(world["alice"]).post("/api/v1/applications/", {
        "kind": "cu", "parcel_ids": [world["parcel"].pk], "purpose": "construire",
        "applicant_type": "person", "applicant_name": "Alice Popescu", "applicant_id_code": "1800101040017"},
        format="json")
    assert created.status_code == 201, created.content
    app = Application.objects.get(pk=created.json()["id"])
    app.status, app.issuer = "submitted", world["issuer_a"]
    app.save()
    staff_page = client(world["carol"]).get(f"/requests/{app.pk}/").content.decode()
    assert 'id="parcel-history"' in staff_page and "Ion Vasilescu" in staff_page and "Ana Pop" in staff_page
    own_page = client(world["alice"]).get(f"/requests/{app.pk}/").content.decode()
    assert 'id="parcel-history"' not in own_page


@pytest.mark.django_db
def test_queue_page_places_an_act(world):
    queued = ArchiveAct.objects.get(number="7")
    carol = client(world["carol"])
    page = carol.get("/staff/archive/queue/")
    assert [a.number for a in page.context["acts"]] == ["7"]
    centre = world["parcel"].geom.centroid.transform(4326, clone=True)
    far = carol.post("/staff/archive/queue/", {"act": queued.pk, "lon": 23.0, "lat": 45.0})
    assert far.status_code == 200 and "Nicio parcelă a emitentului" in far.content.decode()
    assert client(world["dave"]).post("/staff/archive/queue/", {"act": queued.pk, "lon": centre.x,
                                                                 "lat": centre.y}).status_code == 404
    done = carol.post("/staff/archive/queue/", {"act": queued.pk, "lon": centre.x, "lat": centre.y})
    assert done.status_code == 302
    queued.refresh_from_db()
    assert (queued.parcel_id, queued.matched_by, queued.placed_by_id) == (world["parcel"].pk, "manual", world["carol"].pk)


@pytest.mark.django_db
def test_upload_page_reports_rows_and_refuses_hostile_zips(world):
    carol = client(world["carol"])
    batch = zip_of({"manifest.csv": (HEADER + "9,1990,AC,X,70001,,a.pdf\n10,1990,AC,X,,,evil.pdf\n").encode(),
                    "a.pdf": text_pdf(["ok"]), "evil.pdf": b"MZ\x90\x00 not a scan"})
    answer = carol.post("/staff/archive/import/", {"batch": SimpleUploadedFile("b.zip", batch)})
    report = answer.context["report"]
    assert (report.created, len(report.failed), report.placed) == (1, 1, 1)
    assert "nu este PDF sau TIFF" in answer.content.decode()
    hostile = zip_of({"../../../tmp/x.pdf": text_pdf(["x"])})
    answer = carol.post("/staff/archive/import/", {"batch": SimpleUploadedFile("b.zip", hostile)})
    assert "iese din arhivă" in answer.context["batch_error"]
    answer = client(world["carol"], "en").post("/staff/archive/import/",
                                                 {"batch": SimpleUploadedFile("b.zip", b"not a zip")})
    assert answer.context["batch_error"] == "The uploaded file is not a valid zip archive."
    assert client(world["alice"]).post("/staff/archive/import/", {}).status_code == 403
    assert client(world["root"]).get("/staff/archive/import/").status_code == 403  # no issuer of their own
