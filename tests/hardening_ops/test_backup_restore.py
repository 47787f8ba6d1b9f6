"""Backup and restore: real data from the real services, restored into a new database and media
directory on the same cluster, compared table by table and file by file."""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import numpy as np
import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from layers.imports import layer_import
from ops import services as ops
from permits import services
from permits.models import Application, Document, IssuedAct
from tests.conftest import BACAU_E, BACAU_N
from tests.hardening_ops.test_concurrency import _in_review_and_paid
from tests.layers.conftest import write_tiff
from tests.permits.conftest import _signing_and_media  # noqa: F401  (cert + media)

KEY = "backup-signing-key-for-the-tests-0123456789abcdef"


@pytest.fixture(autouse=True)
def _backup_signing_key(settings):
    settings.BACKUP_SIGNING_KEY, settings.BACKUP_SIGNING_KEY_FILE = KEY, ""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): _sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _counts(conn) -> dict[str, int]:
    tables = conn.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN "
                          "('pg_catalog', 'information_schema') ORDER BY 1, 2").fetchall()
    return {f"{s}.{t}": conn.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(s),
                                                                                  sql.Identifier(t))).fetchone()[0]
            for s, t in tables}


def _connect(dbname: str):
    return psycopg.connect(**ops._params(dbname=dbname))


@pytest.fixture
def restored_db():
    """A database name that does not exist yet on the test cluster; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"

    def drop():
        with psycopg.connect(**ops._params(dbname="postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    drop()
    yield name
    drop()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_new_database_has_every_row_and_every_document(
        cast, parcel_factory, settings, tmp_path, restored_db):
    # An issued CU (signed PDF) with its four uploaded documents, and a DEM raster layer.
    pk = _in_review_and_paid(cast, parcel_factory(e=BACAU_E + 200, n=BACAU_N + 200))
    services.application_act(application=Application(pk=pk), action="issue", by=cast["erin"], validity_months=12)
    dem = write_tiff(tmp_path / "dem.tif", np.tile(100 + 0.1 * np.arange(50), (50, 1)),
                     west=BACAU_E - 250, north=BACAU_N + 250, res=10.0)
    raster = layer_import(path=dem, theme="dem", name="DEM Bacău").version
    media = Path(settings.MEDIA_ROOT)
    source_files = _files(media)
    assert len(source_files) == 6  # 4 uploads + the signed act + the raster
    assert any(rel.startswith("rasters/") for rel in source_files)
    with _connect(connection.settings_dict["NAME"]) as conn:
        source_counts = _counts(conn)
    assert source_counts["public.permits_issuedact"] == 1 and source_counts["public.permits_document"] == 4

    archive = tmp_path / "backups" / "portal.tar"
    call_command("backup", output=archive, stdout=io.StringIO())
    manifest = ops.manifest_read(archive)
    assert manifest["database"]["tables"] == source_counts
    assert {rel: f["sha256"] for rel, f in manifest["media"]["files"].items()} == source_files

    target_media = tmp_path / "restored-media"
    out = io.StringIO()
    call_command("restore", str(archive), database=restored_db, media_root=target_media, stdout=out)
    assert "manifest verified" in out.getvalue()

    # Compared independently of the manifest: every table's row count, every file's digest.
    with _connect(restored_db) as conn:
        assert _counts(conn) == source_counts
        act_name, act_sha = conn.execute("SELECT pdf, sha256 FROM permits_issuedact").fetchone()
        raster_name = conn.execute("SELECT raster_file FROM layers_layerversion WHERE id = %s",
                                   [raster.pk]).fetchone()[0]
        documents = conn.execute("SELECT file FROM permits_document ORDER BY id").fetchall()
    assert _files(target_media) == source_files
    # The restored rows point at the restored files, and the act's recorded digest still matches.
    assert act_name == IssuedAct.objects.get().pdf.name and _sha(target_media / act_name) == act_sha
    assert (target_media / raster_name).read_bytes() == (media / raster.raster_file.name).read_bytes()
    assert [d for (d,) in documents] == list(Document.objects.order_by("id").values_list("file", flat=True))


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_already_holds_tables_and_writes_nothing(territory, tmp_path):
    archive = tmp_path / "b.tar"
    ops.backup_create(output=archive, media_root=tmp_path / "no-media")
    target_media = tmp_path / "restored"
    with pytest.raises(ops.BackupError, match="already holds"):
        ops.backup_restore(archive=archive, database=connection.settings_dict["NAME"], media_root=target_media)
    assert not target_media.exists() or not any(target_media.iterdir())


def _archive(path: Path, members: dict[str, bytes], manifest: dict, *, key: str = KEY,
             signature: bytes | None = None) -> Path:
    """A hand-made archive, its manifest signed with `key` (or carrying the given signature)."""
    signed = json.dumps(manifest).encode()
    signature = signature if signature is not None else ops.manifest_signature(signed, key.encode())
    with tarfile.open(path, "w") as tar:
        for name, body in {**members, ops.MANIFEST: signed, ops.SIGNATURE: signature}.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def _manifest(files: dict[str, bytes], dump: bytes = b"dump") -> dict:
    return {"format": ops.FORMAT, "database": {"sha256": hashlib.sha256(dump).hexdigest(), "tables": {}},
            "media": {"files": {k: {"sha256": hashlib.sha256(v).hexdigest(), "size": len(v)}
                                for k, v in files.items()}}}


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil", "/etc/passwd", "a/../../b", "a\\..\\b"])
def test_restore_refuses_path_traversal_in_the_archive_before_writing_anything(tmp_path, name):
    body = b"owned"
    archive = _archive(tmp_path / "evil.tar", {ops.DUMP: b"dump", ops.MEDIA + name: body},
                       _manifest({name: body}))
    with pytest.raises(ops.BackupError, match="unsafe file name"):
        ops.backup_restore(archive=archive, database="never_created_hard_b", media_root=tmp_path / "m")
    assert not (tmp_path / "m").exists()
    assert sorted(os.listdir(tmp_path)) == ["evil.tar"]


@pytest.mark.django_db
def test_a_damaged_document_in_the_archive_is_detected_before_the_database_is_created(tmp_path):
    good, bad = b"%PDF-1.7 signed act", b"%PDF-1.7 forged act"
    archive = _archive(tmp_path / "damaged.tar", {ops.DUMP: b"dump", ops.MEDIA + "permits/acts/a.pdf": bad},
                       _manifest({"permits/acts/a.pdf": good}))
    with pytest.raises(ops.BackupError, match="permits/acts/a.pdf: SHA-256"):
        ops.backup_restore(archive=archive, database="never_created_hard_b", media_root=tmp_path / "m")
    assert list((tmp_path / "m").rglob("*.*")) == []  # the staged copy was removed
    with psycopg.connect(**ops._params(dbname="postgres")) as conn:
        assert conn.execute("SELECT 1 FROM pg_database WHERE datname = 'never_created_hard_b'").fetchone() is None


def test_an_archive_without_a_manifest_is_rejected(tmp_path):
    with tarfile.open(tmp_path / "x.tar", "w") as tar:
        tar.addfile(tarfile.TarInfo("database.dump"), io.BytesIO(b""))
    with pytest.raises(ops.BackupError, match="no manifest.json"):
        ops.manifest_read(tmp_path / "x.tar")


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


@pytest.mark.django_db(transaction=True)
def test_a_replaced_pdf_with_a_recomputed_manifest_is_refused_and_nothing_is_restored(territory, tmp_path,
                                                                                     restored_db):
    media = tmp_path / "media"
    (media / "permits" / "acts").mkdir(parents=True)
    (media / "permits" / "acts" / "cu-1.pdf").write_bytes(b"%PDF-1.7 the signed act")
    archive = tmp_path / "portal.tar"
    ops.backup_create(output=archive, media_root=media)
    members = _members(archive)
    assert ops.manifest_read(archive)["media"]["files"]["permits/acts/cu-1.pdf"]["size"] == 23

    # The forger swaps the act and recomputes every digest in the manifest, but has no key.
    forged_pdf = b"%PDF-1.7 a forged act, other terms"
    manifest = json.loads(members[ops.MANIFEST])
    manifest["media"]["files"]["permits/acts/cu-1.pdf"] = {"sha256": hashlib.sha256(forged_pdf).hexdigest(),
                                                           "size": len(forged_pdf)}
    forged = {ops.DUMP: members[ops.DUMP], ops.MEDIA + "permits/acts/cu-1.pdf": forged_pdf}
    for name, kwargs in (("kept-signature.tar", {"signature": members[ops.SIGNATURE]}),
                         ("other-key.tar", {"key": "a-key-the-forger-made-up-0123456789abcdef"}),
                         ("unsigned.tar", {"signature": b""})):
        with pytest.raises(ops.BackupError, match="signature does not verify|not signed"):
            ops.backup_restore(archive=_archive(tmp_path / name, forged, manifest, **kwargs),
                               database=restored_db, media_root=tmp_path / "restored")
    assert not (tmp_path / "restored").exists()
    with psycopg.connect(**ops._params(dbname="postgres")) as conn:
        assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [restored_db]).fetchone() is None


def test_an_archive_without_its_signature_member_is_refused(tmp_path):
    archive = _archive(tmp_path / "a.tar", {ops.DUMP: b"dump"}, _manifest({}))
    members = _members(archive)
    del members[ops.SIGNATURE]
    with tarfile.open(tmp_path / "b.tar", "w") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    with pytest.raises(ops.BackupError, match="is not signed"):
        ops.manifest_read(tmp_path / "b.tar")


def test_backup_and_restore_need_the_signing_key_and_say_so(settings, tmp_path):
    settings.BACKUP_SIGNING_KEY, settings.BACKUP_SIGNING_KEY_FILE = "", ""
    archive = _archive(tmp_path / "a.tar", {ops.DUMP: b"dump"}, _manifest({}))
    with pytest.raises(ops.BackupError, match="set BACKUP_SIGNING_KEY or BACKUP_SIGNING_KEY_FILE"):
        ops.backup_create(output=tmp_path / "never.tar", media_root=tmp_path)
    with pytest.raises(ops.BackupError, match="set BACKUP_SIGNING_KEY or BACKUP_SIGNING_KEY_FILE"):
        ops.manifest_read(archive)
    assert not (tmp_path / "never.tar").exists()
    key_file = tmp_path / "backup.key"
    key_file.write_text(KEY + "\n")  # a key file outside the archive works the same (trailing newline ignored)
    settings.BACKUP_SIGNING_KEY_FILE = str(key_file)
    assert ops.manifest_read(archive)["format"] == ops.FORMAT
