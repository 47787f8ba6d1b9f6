"""Backup and restore of the database and the stored documents, as one archive with a manifest.

The archive is a plain tar (the dump is already compressed by pg_dump; PDFs and GeoTIFFs gain little):

    database.dump     pg_dump custom format (-Fc) of the whole database
    media/<path>      every file under MEDIA_ROOT (signed acts, uploads, aviz PDFs, rasters)
    manifest.json     format, creation time, the dump's SHA-256, exact row counts per table,
                      and the SHA-256 and size of every media file
    manifest.sig      HMAC-SHA256 of manifest.json's exact bytes with the backup signing key
                      (settings.BACKUP_SIGNING_KEY or BACKUP_SIGNING_KEY_FILE, kept outside the archive)

Signed, not only checksummed: the manifest's digests catch corruption, but whoever can replace a file
can recompute them. The HMAC covers the manifest and through its digests every file and the dump; the
restore verifies it before reading anything else and refuses an archive whose signature does not verify.

Consistency: the row counts and pg_dump read the same exported snapshot (one REPEATABLE READ
transaction), so the counts describe exactly what the dump holds even while the portal keeps writing.
Stored files are written before the transaction that references them commits, so every file the
snapshot references is already on disk when the media walk starts.

The restore never writes into a database or a media directory that already holds data: it creates the
database if needed, restores in one transaction (a failure leaves it empty), writes every file through a
temporary name after checking its digest, then recounts every table against the manifest.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import psycopg
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from psycopg import sql
from psycopg.conninfo import make_conninfo

from gis_portal.storage import fsync_directory

FORMAT = 1
DUMP, MANIFEST, SIGNATURE, MEDIA = "database.dump", "manifest.json", "manifest.sig", "media/"
SIGNING_KEY_MIN_BYTES = 32
CHUNK = 1 << 20
_TABLES_SQL = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%%'
    ORDER BY 1, 2"""


class BackupError(Exception):
    """The backup or restore could not be done, or the restored data differ from the manifest."""


@dataclass
class RestoreReport:
    database: str
    media_root: Path
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)


# ---- connection settings: the same as Django's (DATABASE_URL or the project's own cluster) ---------
# Django-only keys of DATABASES[...]["OPTIONS"]; every other key is a libpq parameter (host, sslmode, …).
_DJANGO_OPTIONS = {"isolation_level", "server_side_binding", "pool", "assume_role", "cursor_factory", "context"}


def _params(alias: str = "default", *, dbname: str | None = None) -> dict[str, Any]:
    s = connections[alias].settings_dict
    params = {"host": s.get("HOST") or "", "port": str(s.get("PORT") or ""), "user": s.get("USER") or "",
              "password": s.get("PASSWORD") or ""}
    params.update({k: str(v) for k, v in (s.get("OPTIONS") or {}).items() if k not in _DJANGO_OPTIONS})
    params["dbname"] = dbname or s["NAME"]
    return {k: v for k, v in params.items() if v}


def _libpq_args(params: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """`-d conninfo` for pg_dump/pg_restore; the password goes in the child's environment, never in argv."""
    public = {k: v for k, v in params.items() if k != "password"}
    env = {**os.environ, **({"PGPASSWORD": params["password"]} if "password" in params else {})}
    return ["-d", make_conninfo(**public)], env


def _tool(name: str, server_version: str) -> str:
    """pg_dump/pg_restore of the server's major version when installed side by side (Debian layout):
    an older pg_dump refuses a newer server."""
    major = server_version.split(".")[0].split()[0]
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    return str(candidate) if candidate.exists() else name


def _scalar(conn: psycopg.Connection, query: Any) -> Any:
    """The one value of a one-row query."""
    row = conn.execute(query).fetchone()
    assert row is not None, query
    return row[0]


def _count_rows(conn: psycopg.Connection) -> dict[str, int]:
    counts = {}
    for schema, table in conn.execute(_TABLES_SQL).fetchall():
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        counts[f"{schema}.{table}"] = _scalar(conn, query)
    return counts


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """A file wrapper that hashes what tarfile reads from it (one pass per file, not two)."""

    def __init__(self, fh):
        self.fh, self.digest = fh, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data


def _media_root() -> Path:
    backend = settings.STORAGES["default"]["BACKEND"]
    if not isinstance(storages["default"], FileSystemStorage):
        raise BackupError(f"Stored documents are in {backend}: back them up with the object store's own tools.")
    return Path(settings.MEDIA_ROOT)


# ---- signature -----------------------------------------------------------------------------------
def signing_key() -> bytes:
    """The backup signing key: the contents of BACKUP_SIGNING_KEY_FILE, else BACKUP_SIGNING_KEY."""
    key_file = settings.BACKUP_SIGNING_KEY_FILE
    if key_file:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise BackupError(f"Cannot read the backup signing key file {key_file}: {exc.strerror}.") from exc
    else:
        key = settings.BACKUP_SIGNING_KEY.encode()
    if len(key) < SIGNING_KEY_MIN_BYTES:
        raise BackupError("Backups are signed: set BACKUP_SIGNING_KEY or BACKUP_SIGNING_KEY_FILE to a secret of at "
                          f"least {SIGNING_KEY_MIN_BYTES} characters kept outside the archive "
                          "(e.g. `openssl rand -hex 32`), the same for backup and restore.")
    return key


def manifest_signature(body: bytes, key: bytes) -> bytes:
    """manifest.sig: the hex HMAC-SHA256 of the manifest's exact bytes."""
    return hmac.new(key, body, hashlib.sha256).hexdigest().encode()


# ---- backup --------------------------------------------------------------------------------------
def backup_create(*, output: Path, media_root: Path | None = None, alias: str = "default") -> dict:
    """Write the archive to `output` (through a temporary name) and return its manifest."""
    output = Path(output)
    key = signing_key()  # before any work: an unsigned archive is never written
    media_root = Path(media_root) if media_root is not None else _media_root()
    output.parent.mkdir(parents=True, exist_ok=True)
    params = _params(alias)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="backup-", dir=output.parent) as tmp:
        dump = Path(tmp) / DUMP
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = _scalar(conn, "SELECT pg_export_snapshot()")
            server = _scalar(conn, "SHOW server_version")
            target, env = _libpq_args(params)
            done = subprocess.run([_tool("pg_dump", server), "-Fc", "--snapshot", snapshot, "-f", str(dump),
                                   *target],
                                  env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
            counts = _count_rows(conn)
            conn.execute("COMMIT")
        manifest: dict[str, Any] = {"format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "database": {"name": params["dbname"], "server_version": server, "dump": DUMP,
                                 "sha256": _sha256_file(dump), "size": dump.stat().st_size, "tables": counts},
                    "media": {"files": {}}}
        files = manifest["media"]["files"]
        try:
            _write_archive(partial, dump, media_root, manifest, files, key)
        except BaseException:
            partial.unlink(missing_ok=True)  # a full disk leaves no partial archive behind
            raise
    os.replace(partial, output)  # a crash above never leaves an archive that looks complete
    fsync_directory(output.parent)
    return manifest


def _write_archive(partial: Path, dump: Path, media_root: Path, manifest: dict, files: dict, key: bytes) -> None:
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(dump, arcname=DUMP)
        for path in _walk(media_root):
            rel = path.relative_to(media_root).as_posix()
            info = tar.gettarinfo(str(path), arcname=MEDIA + rel)
            with open(path, "rb") as fh:
                reader = _HashingReader(fh)
                tar.addfile(info, reader)
            files[rel] = {"sha256": reader.digest.hexdigest(), "size": info.size}
        body = json.dumps(manifest, indent=1, sort_keys=True).encode()
        for name, content in ((MANIFEST, body), (SIGNATURE, manifest_signature(body, key))):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(content), int(dt.datetime.now().timestamp()), 0o644
            tar.addfile(info, io.BytesIO(content))
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())


def _walk(root: Path):
    """Regular files under root, sorted; symbolic links are not followed (they could point anywhere)."""
    if not root.exists():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink() and not name.endswith(".restoring"):
                yield path


# ---- restore -------------------------------------------------------------------------------------
def manifest_read(archive: Path) -> dict:
    """The archive's manifest, once its signature verifies with the configured key."""
    key = signing_key()
    with tarfile.open(archive, "r") as tar:
        try:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            body = member.read()
        except KeyError:
            raise BackupError(f"{archive} has no {MANIFEST}: not a backup of this portal.") from None
        try:
            signed = tar.extractfile(SIGNATURE)
            if signed is None:
                raise KeyError(SIGNATURE)
            signature = signed.read().strip()
        except KeyError:
            raise BackupError(f"{archive} is not signed ({SIGNATURE} is missing): refused.") from None
    if not hmac.compare_digest(signature, manifest_signature(body, key)):
        raise BackupError("The archive's signature does not verify: it was made with another key or changed "
                          "after the backup. Nothing was restored.")
    manifest = json.loads(body)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (expected {FORMAT}).")
    return manifest


def _safe_relpath(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts) or "\\" in rel:
        raise BackupError(f"Refusing the unsafe file name {rel!r} in the archive.")
    return path


def _database_missing(params: dict[str, Any]) -> bool:
    """True if the target database must be created; raise if it exists and holds tables of its own."""
    name = params["dbname"]
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return True
    with psycopg.connect(**params) as conn:
        own = _scalar(conn,
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg\\_%%' AND NOT EXISTS (SELECT 1 FROM pg_depend d"
            "  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')")
    if own:
        raise BackupError(f"The database {name!r} already holds {own} tables: restore into a new or empty one.")
    return False


def _database_create(params: dict[str, Any]) -> None:
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["dbname"])))


def backup_restore(*, archive: Path, database: str | None = None, media_root: Path | None = None,
                   alias: str = "default") -> RestoreReport:
    """Restore `archive` into `database` (same server and credentials as Django) and `media_root`.

    Raises BackupError before writing anything if the target is not empty or the archive is damaged,
    and after restoring if a row count or a file differs from the manifest (report.problems lists each).
    """
    archive = Path(archive)
    manifest = manifest_read(archive)
    params = _params(alias, dbname=database)
    media_root = Path(media_root) if media_root is not None else _media_root()
    expected_files = manifest["media"]["files"]
    for rel in expected_files:
        _safe_relpath(rel)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"The media directory {media_root} is not empty: restore into a new or empty one.")
    create = _database_missing(params)
    report = RestoreReport(database=params["dbname"], media_root=media_root)

    with tarfile.open(archive, "r") as tar, tempfile.TemporaryDirectory(prefix="restore-", dir=archive.parent) as tmp:
        members = {m.name: m for m in tar.getmembers()}
        unexpected = [n for n in members if n not in (DUMP, MANIFEST, SIGNATURE)
                      and not (n.startswith(MEDIA) and n[len(MEDIA):] in expected_files)]
        if unexpected:
            raise BackupError(f"Files in the archive that the manifest does not list: {unexpected[:5]}")
        dump = Path(tmp) / DUMP
        if _extract(tar, members.get(DUMP), dump) != manifest["database"]["sha256"]:
            raise BackupError("The database dump does not match the manifest's SHA-256.")
        # Every file is extracted under a temporary name and checked before the database is touched:
        # a damaged archive leaves neither a half-restored database nor a half-filled media directory.
        media_root.mkdir(parents=True, exist_ok=True)
        staged = []
        try:
            for rel, meta in sorted(expected_files.items()):
                target = media_root / _safe_relpath(rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                temp = target.with_name(target.name + ".restoring")
                staged.append(temp)
                digest = _extract(tar, members.get(MEDIA + rel), temp)
                if digest != meta["sha256"]:
                    report.problems.append(f"file {rel}: SHA-256 {digest or 'missing'} != {meta['sha256']}")
            if report.problems:
                raise BackupError("The archive is damaged:\n  " + "\n  ".join(report.problems))
            if create:
                _database_create(params)
            target_args, env = _libpq_args(params)
            # pg_restore of the dump's major version (it must not be older than the pg_dump that wrote it).
            restore = _tool("pg_restore", manifest["database"]["server_version"])
            done = subprocess.run([restore, "--no-owner", "--exit-on-error", "--single-transaction",
                                   *target_args, str(dump)], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise BackupError(f"pg_restore failed (the database is left empty): {done.stderr.strip()}")
        except BaseException:
            for temp in staged:
                temp.unlink(missing_ok=True)
            raise
        for (rel, meta), temp in zip(sorted(expected_files.items()), staged, strict=True):
            os.replace(temp, media_root / rel)
            report.files += 1
            report.bytes += meta["size"]
        for directory in {(media_root / rel).parent for rel in expected_files}:
            fsync_directory(directory)

    report.problems += backup_verify(manifest=manifest, database=params["dbname"], media_root=media_root,
                                     alias=alias, report=report)
    if report.problems:
        raise BackupError("The restore differs from the manifest:\n  " + "\n  ".join(report.problems))
    return report


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo | None, target: Path) -> str | None:
    """Stream a regular-file member to target, returning its SHA-256 (None if absent or not a file)."""
    if member is None or not member.isfile():
        return None
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    if source is None:
        return None
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())  # synced before os.replace gives it its final name
    return digest.hexdigest()


def backup_verify(*, manifest: dict, database: str, media_root: Path, alias: str = "default",
                  report: RestoreReport | None = None) -> list[str]:
    """Compare a database and a media directory with a manifest: every row count, every file digest."""
    problems = []
    with psycopg.connect(**_params(alias, dbname=database)) as conn:
        counts = _count_rows(conn)
    expected = manifest["database"]["tables"]
    for table in sorted(set(expected) | set(counts)):
        if expected.get(table) != counts.get(table):
            problems.append(f"table {table}: {counts.get(table)} rows, manifest says {expected.get(table)}")
    files = {p.relative_to(media_root).as_posix(): p for p in _walk(media_root)}
    for rel, meta in manifest["media"]["files"].items():
        path = files.get(rel)
        if path is None:
            problems.append(f"file {rel}: missing")
        elif _sha256_file(path) != meta["sha256"]:
            problems.append(f"file {rel}: SHA-256 differs from the manifest")
    problems += [f"file {rel}: not in the manifest" for rel in sorted(set(files) - set(manifest["media"]["files"]))]
    if report is not None:
        report.tables, report.rows = len(counts), sum(counts.values())
    return sorted(set(problems), key=problems.index)
