"""Hostile input: every malformed geometry, lying file, zip bomb, traversal name or control character
is refused with a 4xx that names the field and the reason, and nothing is written."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcels.models import Parcel
from permits.models import Application, Document
from rules.models import Analysis
from tests.conftest import BACAU_E, BACAU_N
from tests.permits.conftest import VALID_CNP, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

LON, LAT = 26.913, 46.567  # Bacău


def ring(lon=LON, lat=LAT, d=0.0005):
    return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]


def polygon(coords):
    return {"type": "Polygon", "coordinates": coords}


def huge_vertices():
    n = 20_000
    import math

    pts = [[LON + 0.001 * math.cos(2 * math.pi * i / n), LAT + 0.001 * math.sin(2 * math.pi * i / n)]
           for i in range(n)]
    return polygon([pts + [pts[0]]])


# name -> (GeoJSON value, a word the reason must contain)
BAD_GEOMETRIES = {
    "self-intersecting bow tie": (polygon([[[LON, LAT], [LON + .001, LAT + .001], [LON + .001, LAT],
                                             [LON, LAT + .001], [LON, LAT]]]), "invalidă"),
    "empty polygon": ({"type": "Polygon", "coordinates": []}, "goală"),
    "empty ring": (polygon([[]]), "goală"),
    "3D coordinates": (polygon([[[x, y, 100.0] for x, y in ring()]]), "3d"),
    "NaN coordinate": (polygon([[[float("nan"), LAT]] + ring()[1:]]), "nan"),
    "Infinity coordinate": (polygon([[[float("inf"), LAT]] + ring()[1:]]), "infinity"),
    "string coordinates": (polygon([[[str(x), str(y)] for x, y in ring()]]), "numere"),
    "unclosed ring": (polygon([ring()[:-1]]), "greșit formată"),
    "too many vertices": (huge_vertices(), "vârfuri"),
    "larger than the area limit": (polygon([ring(d=0.5)]), "limit"),
    "axis swapped lat/lon": (polygon([[[y, x] for x, y in ring()]]), "inversate"),
    "Stereo 70 metres declared as lon/lat": (polygon([[[BACAU_E, BACAU_N], [BACAU_E + 50, BACAU_N],
                                                       [BACAU_E + 50, BACAU_N + 50], [BACAU_E, BACAU_N]]]),
                                             "stereo 70"),
    "outside Romania": (polygon([ring(lon=2.35, lat=48.85)]), "în afara româniei"),
    "unknown CRS": ({**polygon([ring()]), "crs": {"type": "name", "properties": {"name": "EPSG:2154"}}}, "nu este acceptat"),
    "user-supplied PROJ string": ({**polygon([ring()]),
                                   "crs": {"type": "name", "properties": {"name": "+proj=longlat +init=/etc/passwd"}}},
                                  "necunoscut"),
    "not a geometry type": ({"type": "Circle", "coordinates": [LON, LAT]}, "neacceptat"),
    "point where a polygon is needed": ({"type": "Point", "coordinates": [LON, LAT]}, "nu este acceptat"),
    "no coordinates": ({"type": "Polygon"}, "nu are coordonate"),
    "a JSON string that is not JSON": ("{not json", "json"),
    "a list instead of an object": ([1, 2, 3], "geojson"),
    "deeply nested arrays": (polygon([[[[[[[[LON, LAT]]]]]]]]), "poziție"),
}


def _counts():
    return (Analysis.objects.count(), Application.objects.count(), Document.objects.count(), Parcel.objects.count())


def _post_json(client, url: str, payload):
    """JSON as a careless or hostile client writes it: NaN and Infinity as bare literals."""
    return client.generic("POST", url, json.dumps(payload), content_type="application/json")


def _assert_refused(response, word: str | None = None):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert body["detail"] and body.get("errors"), body
    if word:
        assert word.lower() in json.dumps(body, ensure_ascii=False).lower(), body


@pytest.mark.parametrize("name", list(BAD_GEOMETRIES))
def test_a_hostile_geometry_is_refused_by_the_analysis(name, cast, api):
    geometry, word = BAD_GEOMETRIES[name]
    before = _counts()
    response = _post_json(api(cast["bob"]), "/api/v1/analyses/", {"geometry": geometry})
    _assert_refused(response, word)
    assert _counts() == before


@pytest.mark.parametrize("name", list(BAD_GEOMETRIES))
def test_a_hostile_works_footprint_is_refused_on_an_application(name, cast, api, parcel_factory):
    geometry, word = BAD_GEOMETRIES[name]
    parcel = parcel_factory(e=BACAU_E + 100, n=BACAU_N + 100)
    before = _counts()
    response = _post_json(api(cast["alice"]), "/api/v1/applications/", {
        "kind": "cu", "applicant_type": "person", "applicant_name": "Alice", "applicant_id_code": VALID_CNP,
        "parcel_ids": [parcel.pk], "footprint": geometry})
    _assert_refused(response, word)
    assert _counts() == before


@pytest.mark.parametrize("name", ["self-intersecting bow tie", "NaN coordinate", "too many vertices",
                                  "axis swapped lat/lon", "a JSON string that is not JSON"])
def test_a_hostile_footprint_is_refused_by_the_clip_helper(name, cast, api, parcel_factory):
    geometry, word = BAD_GEOMETRIES[name]
    parcel = parcel_factory()
    response = _post_json(api(), "/api/v1/parcels/footprint-clip/", {"footprint": geometry, "parcels": [parcel.pk]})
    _assert_refused(response, word)


BAD_BBOXES = {
    "three numbers": "26.8,46.5,26.9",
    "NaN": "nan,46.5,26.9,46.6",
    "Infinity": "26.8,46.5,inf,46.6",
    "inverted": "26.9,46.6,26.8,46.5",
    "swapped axes": "46.5,26.8,46.6,26.9",
    "outside Romania": "2.2,48.8,2.4,48.9",
    "huge numbers": "1e308,1e308,1e309,1e309",
    "text": "a,b,c,d",
    "NUL byte": "26.8\x00,46.5,26.9,46.6",
    "very long": ",".join(["26.8"] * 10_000),
}


@pytest.mark.parametrize("name", list(BAD_BBOXES))
@pytest.mark.parametrize("url", ["/api/v1/parcels/", "/api/v1/layers/lmi/features/"])
def test_a_hostile_bbox_is_refused(name, url, cast, api):
    from layers.models import Layer
    from layers.services import layer_version_publish, layer_version_start

    layer = Layer.objects.create(slug="lmi", name="LMI", kind=Layer.Kind.CONSTRAINT, theme="lmi_monument")
    layer_version_publish(version=layer_version_start(layer=layer))
    response = api().get(url, {"bbox": BAD_BBOXES[name]})
    _assert_refused(response, "bbox")


@pytest.mark.parametrize("params", [
    {"lon": "nan", "lat": "46.5"}, {"lon": "46.5", "lat": "26.9"}, {"lon": "inf", "lat": "46.5"},
    {"lon": "26.9"}, {"x": "646868", "y": "564814", "crs": "+proj=merc"}, {"lon": "26.9\x00", "lat": "46.5"},
    {"x": "64686", "y": "564814", "crs": "3844"}, {"lon": "9" * 5000, "lat": "46.5"},
])
def test_a_hostile_point_is_refused_by_parcels_at(params, cast, api):
    _assert_refused(api().get("/api/v1/parcels/at/", params))


@pytest.mark.parametrize("params", [
    {"cadastral_number": "60001\x00"}, {"uat": "20297\x00"}, {"crs": "EPSG:4326\x00"}, {"limit": "10\x00"},
])
def test_nul_bytes_in_query_parameters_are_a_400_not_a_database_error(params, cast, api):
    _assert_refused(api().get("/api/v1/parcels/", params))


@pytest.fixture
def draft(cast, api, parcel_factory):
    parcel = parcel_factory(e=BACAU_E + 100, n=BACAU_N + 100)
    client = api(cast["alice"])
    response = client.post("/api/v1/applications/", {
        "kind": "cu", "applicant_type": "person", "applicant_name": "Alice", "applicant_id_code": VALID_CNP,
        "parcel_ids": [parcel.pk]}, format="json")
    assert response.status_code == 201
    return client, response.json()["id"]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


# name -> (file name, bytes, word of the reason)
BAD_FILES = {
    "a PNG named .pdf that is really an executable": ("plan.pdf", b"MZ\x90\x00" + b"\x00" * 200, "neacceptat"),
    "an ELF binary named .pdf": ("plan.pdf", b"\x7fELF" + b"\x00" * 200, "neacceptat"),
    "an HTML page named .png": ("photo.png", b"<html><script>alert(1)</script></html>", "neacceptat"),
    "an SVG with script named .png": ("photo.png", b"<svg onload=alert(1)></svg>", "neacceptat"),
    "a truncated PDF": ("plan.pdf", pdf_bytes()[:60], "nu poate fi citit"),
    "a PNG header with garbage": ("photo.png", png_bytes()[:20] + b"garbage", "nu poate fi citit"),
    "an empty file": ("plan.pdf", b"", None),
    "a zip archive named .pdf": ("plan.pdf", _zip({"a.txt": b"hello"}), "neacceptat"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_file_that_lies_about_its_type_is_refused(name, draft):
    client, pk = draft
    filename, content, word = BAD_FILES[name]
    upload = SimpleUploadedFile(filename, content, content_type="application/pdf")
    response = client.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": "plan_situatie", "file": upload},
                           format="multipart")
    _assert_refused(response, word)
    assert Document.objects.count() == 0


def test_an_oversize_document_is_refused(draft, settings):
    settings.DOCUMENT_MAX_BYTES = 50_000
    client, pk = draft
    content = pdf_bytes() + b"%" + b"x" * 60_000
    response = client.post(f"/api/v1/applications/{pk}/documents/",
                           {"doc_type": "plan_situatie", "file": SimpleUploadedFile("big.pdf", content)},
                           format="multipart")
    _assert_refused(response, "limit")
    assert Document.objects.count() == 0


@pytest.mark.parametrize("filename", ["../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/passwd",
                                      "plan\x00.pdf.exe", "a" * 1000 + ".pdf", "<script>.pdf"])
def test_a_traversal_or_hostile_upload_name_never_reaches_the_file_system(filename, draft, settings):
    client, pk = draft
    response = client.post(f"/api/v1/applications/{pk}/documents/",
                           {"doc_type": "plan_situatie", "file": SimpleUploadedFile(filename, pdf_bytes())},
                           format="multipart")
    if response.status_code == 201:
        doc = Document.objects.get()
        # Stored under a generated name inside MEDIA_ROOT; the client's name is only a label.
        stored = (settings.MEDIA_ROOT / doc.file.name).resolve()
        assert stored.is_relative_to(settings.MEDIA_ROOT.resolve())
        assert ".." not in doc.file.name and "passwd" not in doc.file.name and "\x00" not in doc.original_name
        assert len(doc.original_name) <= 200
    else:
        _assert_refused(response)
        assert Document.objects.count() == 0


@pytest.mark.parametrize(("field", "value"), [
    ("applicant_name", "Alice\x00Popescu"), ("applicant_name", "x" * 100_000), ("works_description", "a\x00b"),
    ("applicant_address", "\x00"), ("applicant_id_code", "1800101040017\x00"),
])
def test_control_characters_and_very_long_strings_in_text_fields_are_a_400(field, value, cast, api, parcel_factory):
    parcel = parcel_factory()
    before = _counts()
    payload = {"kind": "cu", "applicant_type": "person", "applicant_name": "Alice", "applicant_id_code": VALID_CNP,
               "parcel_ids": [parcel.pk], field: value}
    response = api(cast["alice"]).post("/api/v1/applications/", payload, format="json")
    _assert_refused(response, field)
    assert _counts() == before


@pytest.mark.parametrize("works", [
    {"kind": "house\x00"}, {"function": "a" * 1000}, {"window_facades": [{"type": "LineString", "coordinates": "x"}]},
    {"footprint": {"type": "Polygon", "coordinates": [[["\x00", 1]]]}}, {"levels": 10 ** 30},
])
def test_hostile_works_in_an_analysis_are_a_400(works, cast, api, parcel_factory):
    parcel = parcel_factory()
    before = _counts()
    response = api(cast["bob"]).post("/api/v1/analyses/", {"parcels": [parcel.pk], "works": works}, format="json")
    _assert_refused(response)
    assert _counts() == before


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe\x00", b'{"geometry": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                                  b'{"geometry": {"type": "Polygon", "coordinates": [[[NaN, 1]]]}}'],
                         ids=["truncated", "not utf-8", "5000 nested arrays", "NaN literal"])
def test_malformed_json_bodies_are_a_400(body, cast, api):
    response = api(cast["bob"]).generic("POST", "/api/v1/analyses/", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert Analysis.objects.count() == 0


def _zip_file(tmp_path, members: dict[str, bytes], name="upload.zip"):
    path = tmp_path / name
    path.write_bytes(_zip(members))
    return path


ZIP_ATTACKS = {
    # 64 MB of zeros compress to ~64 kB: a ratio no shapefile reaches.
    "a zip bomb member": (lambda: {"parcels.shp": b"\x00" * (64 * 1024 * 1024), "parcels.dbf": b"x"}, "bomb"),
    "too many members": (lambda: {f"m{i}.txt": b"x" for i in range(100)} | {"parcels.shp": b"x"}, "members"),
    "a member climbing out with ..": (lambda: {"../../etc/passwd": b"root:x:0:0", "parcels.shp": b"x"}, "unsafe"),
    "an absolute member path": (lambda: {"/etc/cron.d/evil": b"* * * * * root sh", "parcels.shp": b"x"}, "unsafe"),
    "a Windows drive member path": (lambda: {"C:/Windows/evil.dll": b"MZ", "parcels.shp": b"x"}, "unsafe"),
}


@pytest.mark.parametrize("name", list(ZIP_ATTACKS))
def test_a_hostile_zip_is_refused_by_the_parcel_import_before_anything_is_read(name, tmp_path, territory):
    from parcels.imports import import_parcels_file
    from parcels.imports.report import ImportFileError

    members, word = ZIP_ATTACKS[name]
    path = _zip_file(tmp_path, members())
    with pytest.raises(ImportFileError, match=f"(?i){word}"):
        import_parcels_file(path=path, uat_siruta=20297, srid=3844)
    assert Parcel.objects.count() == 0
    assert not (tmp_path.parent / "etc").exists()


@pytest.mark.parametrize("name", list(ZIP_ATTACKS))
def test_a_hostile_zip_is_refused_by_the_layer_import(name, tmp_path, db):
    from django.core.exceptions import ValidationError

    from layers.imports.service import layer_import
    from layers.models import Feature, Layer, LayerVersion

    members, word = ZIP_ATTACKS[name]
    path = _zip_file(tmp_path, members())
    with pytest.raises(ValidationError, match=f"(?i){word}"):
        layer_import(path=path, theme="lmi_monument", slug="lmi", srid=3844)
    assert (Layer.objects.count(), LayerVersion.objects.count(), Feature.objects.count()) == (0, 0, 0)


def test_the_total_uncompressed_size_of_a_zip_is_limited(tmp_path, territory, settings):
    from parcels.imports import import_parcels_file
    from parcels.imports.report import ImportFileError

    settings.ZIP_MAX_UNCOMPRESSED_BYTES = 1_000_000
    rng = __import__("random").Random(7)
    path = _zip_file(tmp_path, {"parcels.shp": rng.randbytes(600_000), "parcels.dbf": rng.randbytes(600_000)})
    with pytest.raises(ImportFileError, match="expands to 1200000 bytes"):
        import_parcels_file(path=path, uat_siruta=20297, srid=3844)
    assert Parcel.objects.count() == 0


@pytest.mark.parametrize("url", ["/api/v1/institutions/?limit=86740484735141918277632",
                                 "/api/v1/institutions/?offset=86740484735141918277632",
                                 "/api/v1/applications/?limit=99999999999999999999999"])
def test_a_huge_limit_or_offset_is_capped_not_a_database_error(url, cast, api):
    response = api(cast["root"]).get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 1000
