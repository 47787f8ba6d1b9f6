"""A full disk (issue 14, item 12): a real small tmpfs as MEDIA_ROOT, filled to the last byte.

Storing a document then fails with ENOSPC at the operating-system level. The answer is a clear 507
(JSON for the API, a page for the web), and nothing is left behind: no partial or temporary file,
no row pointing at a missing file. Mounting needs root (CI runs as root); elsewhere the tests skip.
"""
from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from layers.models import Layer, LayerVersion
from permits.models import Document
from tests.conftest import BACAU_E, BACAU_N
from tests.helpers import otp_login
from tests.layers.conftest import write_tiff
from tests.permits.conftest import _signing_and_media, pdf_upload  # noqa: F401  (cert + media)


def _fill(directory: Path) -> None:
    """Write until the filesystem refuses (ENOSPC): not one byte left."""
    with open(directory / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    with open(directory / "filler-tail", "wb", buffering=0) as fh:
        try:
            while fh.write(b"\0" * 512):
                pass
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.fixture
def full_media(settings, tmp_path):
    mount = tmp_path / "full-media"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        (mount / "permits").mkdir()
        _fill(mount)
        settings.MEDIA_ROOT = mount
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _left_behind(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and not p.name.startswith("filler"))


@pytest.mark.django_db
def test_an_upload_on_a_full_disk_answers_json_507_and_leaves_nothing(api, cast, parcel_factory, full_media):
    from tests.permits.conftest import draft_payload

    client = api(cast["alice"])
    created = client.post("/api/v1/applications/", draft_payload([parcel_factory()]), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    response = client.post(f"/api/v1/applications/{pk}/documents/",
                           {"doc_type": "extras_cf", "file": pdf_upload("cf.pdf")}, format="multipart")
    assert response.status_code == 507, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("Spațiul de stocare este plin")
    assert Document.objects.filter(application_id=pk).count() == 0
    assert _left_behind(full_media) == []


@pytest.mark.django_db
def test_a_raster_import_on_a_full_disk_answers_a_507_page_and_leaves_nothing(cast, full_media, tmp_path):
    dem = write_tiff(tmp_path / "dem.tif", np.tile(100 + 0.1 * np.arange(40), (40, 1)),
                     west=BACAU_E - 200, north=BACAU_N + 200, res=10.0)
    client = Client(raise_request_exception=False)
    otp_login(client, cast["root"])
    upload = SimpleUploadedFile("dem.tif", dem.read_bytes(), content_type="image/tiff")
    response = client.post("/manage/", {"file": upload, "theme": "dem", "name": "DEM", "srid": "",
                                        "on_invalid": "repair"})
    assert response.status_code == 507
    assert response["Content-Type"].startswith("text/html")
    assert "Stocare plină" in response.content.decode()
    assert not LayerVersion.objects.exists() and not Layer.objects.filter(slug__startswith="dem").exists()
    assert _left_behind(full_media) == []
