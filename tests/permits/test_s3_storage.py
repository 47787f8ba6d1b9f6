"""S3-compatible storage (django-storages' S3Storage over boto3) against a real S3-protocol server on
loopback (moto's server mode): a signed act and an uploaded document are stored in the bucket and read
back through the API; the backup refuses an object store instead of archiving an empty directory."""
from __future__ import annotations

import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer

from ops.services import BackupError, backup_create
from permits.models import Application

pytestmark = pytest.mark.django_db
CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "eu-central-1"}


@pytest.fixture(scope="session")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_server):
    """A fresh bucket, and the default storage pointed at it (as S3_BUCKET/S3_ENDPOINT_URL do)."""
    name = f"gis-portal-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server, **CREDENTIALS)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["region_name"]})
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": name, "endpoint_url": s3_server, "access_key": CREDENTIALS["aws_access_key_id"],
        "secret_key": CREDENTIALS["aws_secret_access_key"], "region_name": CREDENTIALS["region_name"]}}}
    return client, name


def _object(client, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_a_signed_act_and_an_upload_live_in_the_bucket_and_read_back(signing, bucket, submitted_cu, api, cast):
    client, name = bucket
    alice, pk = submitted_cu()
    app = Application.objects.get(pk=pk)
    document = app.documents.first()
    assert _object(client, name, document.file.name) == document.file.open("rb").read()
    downloaded = alice.get(f"/api/v1/documents/{document.pk}/download/")
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == _object(client, name, document.file.name)

    carol = api(cast["carol"])
    url = f"/api/v1/applications/{pk}/transitions/"
    assert carol.post(url, {"action": "accept"}, format="json").status_code == 200
    assert carol.post(f"/api/v1/applications/{pk}/payments/", {"amount_ron": "9.00", "reference": "S3-0001"},
                      format="json").status_code == 201
    issued = api(cast["erin"]).post(url, {"action": "issue", "validity_months": 12}, format="json")  # the chief architect issues
    assert issued.status_code == 200, issued.json()
    act = Application.objects.get(pk=pk).act
    stored = _object(client, name, act.pdf.name)
    assert stored.startswith(b"%PDF") and b"/ETSI.CAdES.detached" in stored
    pdf = b"".join(alice.get(f"/api/v1/applications/{pk}/act.pdf").streaming_content)
    assert pdf == stored


def test_the_backup_refuses_an_object_store(bucket, settings, tmp_path):
    settings.BACKUP_SIGNING_KEY = "k" * 40  # ops signs backups; the refusal must come from the storage
    with pytest.raises(BackupError, match="object store"):
        backup_create(output=tmp_path / "backup.tar")
    assert not (tmp_path / "backup.tar").exists()
