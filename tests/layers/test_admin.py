"""The layer admin: list, versions inline, file import form, read-only features."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from layers.models import Layer
from tests.helpers import otp_login

pytestmark = pytest.mark.django_db


def test_an_admin_imports_a_file_and_sees_the_new_version(layers_world, root, client, tmp_path):
    otp_login(client, root)
    assert client.get("/admin/layers/layer/").status_code == 200
    upload = SimpleUploadedFile("mon.geojson", (tmp_path / "mon.geojson").read_bytes())
    response = client.post("/admin/layers/layer/import/", {"file": upload, "theme": "lmi_monument"})
    layer = Layer.objects.get(slug="lmi-monument")
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/layers/layer/{layer.pk}/change/")
    assert list(layer.versions.values_list("number", "is_current")) == [(2, True), (1, False)]
    page = client.get(response["Location"])
    assert page.status_code == 200 and "mon.geojson" in page.content.decode()


def test_a_bad_upload_shows_the_reason_and_imports_nothing(layers_world, root, client):
    otp_login(client, root)
    upload = SimpleUploadedFile("notes.txt", b"hello")
    response = client.post("/admin/layers/layer/import/", {"file": upload, "theme": "lmi_monument"})
    assert response.status_code == 200 and "Unsupported file type" in response.content.decode()
    assert Layer.objects.get(slug="lmi-monument").versions.count() == 1


def test_features_are_read_only_in_the_admin(layers_world, root, client):
    otp_login(client, root)
    feature = layers_world["version"].features.first()
    assert client.get("/admin/layers/feature/").status_code == 200
    assert client.get(f"/admin/layers/feature/{feature.pk}/change/").status_code == 200
    assert client.get("/admin/layers/feature/add/").status_code == 403
    assert client.get("/admin/layers/zoningunit/").status_code == 200
