"""The admin's layer import page: upload a file, get a new current version and the per-row report."""
from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from layers.models import Feature, Layer, LayerVersion
from tests.conftest import BACAU_E, BACAU_N
from tests.helpers import otp_login
from tests.layers.conftest import lonlat

pytestmark = pytest.mark.django_db


def monuments_upload(name: str = "monumente.geojson", *, bowtie: bool = False) -> SimpleUploadedFile:
    lon, lat = lonlat(BACAU_E, BACAU_N)
    features = [
        {"type": "Feature", "properties": {"cod": "BC-II-m-A-00839", "name": "Biserica Precista"},
         "geometry": {"type": "Point", "coordinates": [lon, lat]}},
        {"type": "Feature", "properties": {"cod": "BC-II-m-B-00845", "name": "Casa Ghika"},
         "geometry": {"type": "Point", "coordinates": [lon + 0.001, lat]}},
    ]
    if bowtie:  # self-intersecting: repaired by ST_MakeValid and listed in the report
        d = 0.0005
        features.append({"type": "Feature", "properties": {"cod": "BOWTIE", "name": "Zonă"}, "geometry": {
            "type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat + d], [lon + d, lat], [lon, lat + d],
                                                [lon, lat]]]}})
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return SimpleUploadedFile(name, body, content_type="application/geo+json")


def admin_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    otp_login(client, user)
    return client


def csrf_token(client: Client) -> str:
    response = client.get("/manage/")
    assert response.status_code == 200
    return response.cookies["csrftoken"].value


def test_an_admin_uploads_a_geojson_and_sees_the_new_current_version_with_its_report(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = admin_client(cast["root"])
    token = csrf_token(client)
    for expected_number in (1, 2):
        response = client.post("/manage/", {"file": monuments_upload(bowtie=True), "theme": "lmi_monument",
                                            "name": "Monumente istorice", "srid": "", "on_invalid": "repair",
                                            "csrfmiddlewaretoken": token})
        assert response.status_code == 302, response.content.decode()[:2000]
        html = client.get("/manage/").content.decode()
        assert f"Monumente istorice v{expected_number}" in html
        assert "3 obiecte importate, 1 reparate, 0 respinse." in html
        assert 'class="import-repaired"' in html and "BOWTIE" in html
    layer = Layer.objects.get(slug="lmi-monument")
    versions = list(LayerVersion.objects.filter(layer=layer).order_by("number").values_list("number", "is_current"))
    assert versions == [(1, False), (2, True)]
    current = LayerVersion.objects.get(layer=layer, is_current=True)
    assert current.source_name == "monumente.geojson"
    assert Feature.objects.filter(version=current).count() == 3
    page = client.get("/manage/").content.decode()
    assert 'data-version="lmi-monument-v2" data-current="true"' in page
    assert 'data-version="lmi-monument-v1"' in page
    assert "Raport de import" not in page  # shown once, after the import


def test_a_file_the_service_rejects_is_a_400_on_the_form_and_writes_nothing(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = admin_client(cast["root"])
    token = csrf_token(client)
    broken = SimpleUploadedFile("broken.geojson", b'{"type": "FeatureCollection", "features": [', "application/json")
    response = client.post("/manage/", {"file": broken, "theme": "lmi_monument", "on_invalid": "repair",
                                        "csrfmiddlewaretoken": token})
    assert response.status_code == 400
    assert "Cannot read broken.geojson" in response.content.decode()
    wrong_type = SimpleUploadedFile("notes.txt", b"hello", "text/plain")
    response = client.post("/manage/", {"file": wrong_type, "theme": "lmi_monument", "on_invalid": "repair",
                                        "csrfmiddlewaretoken": token})
    assert response.status_code == 400 and "Tip de fișier nepermis" in response.content.decode()
    assert not Layer.objects.filter(slug="lmi-monument").exists()
    assert not LayerVersion.objects.exists()


def test_the_upload_needs_the_csrf_token(cast):
    client = admin_client(cast["root"])
    client.get("/manage/")
    response = client.post("/manage/", {"file": monuments_upload(), "theme": "lmi_monument", "on_invalid": "repair"})
    assert response.status_code == 403
    assert not LayerVersion.objects.exists()


@pytest.mark.parametrize("who", ["carol", "frank", "alice", None])
def test_only_admins_may_import_a_layer(cast, who):
    client = Client()
    if who:
        otp_login(client, cast[who])
    response = client.post("/manage/", {"file": monuments_upload(), "theme": "lmi_monument", "on_invalid": "repair"})
    assert response.status_code == (403 if who else 302)
    if not who:
        assert "/login/" in response["Location"]
    assert not LayerVersion.objects.exists()


def test_the_import_form_is_translated_when_english_is_chosen(cast):
    client = Client()
    otp_login(client, cast["root"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/manage/"})
    html = client.get("/manage/").content.decode()
    assert "Import as a new version" in html and "Importă ca versiune nouă" not in html
