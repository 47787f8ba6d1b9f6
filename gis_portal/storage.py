"""Atomic writes of stored documents: a reader (or a crash) never sees half a file.

Every document (uploads, signed acts, aviz PDFs, raster layers) goes through the default storage,
`AtomicFileSystemStorage`; other files we keep (the demo signing certificate, backup archives,
restored documents) through `write_atomic` or the same temporary-name-then-rename steps. The
content goes to a temporary file in the target directory, is flushed to disk (fsync), and only then
gets its final name, and the directory is synced so the name survives a crash. When the disk is full
(ENOSPC, EDQUOT) the temporary file is removed and the OSError propagates: the surrounding
transaction rolls back (no row points at a missing file) and the request answers 507
(gis_portal.failures).
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


def fsync_directory(directory: str | Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temporary(directory: str | Path, chunks: Iterable[bytes], mode: int | None) -> str:
    """The chunks in a new temporary file of `directory`, synced to disk; its path (removed on failure)."""
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def write_atomic(path: str | Path, data: bytes | Iterable[bytes], *, mode: int | None = None) -> None:
    """Replace `path` with `data` atomically (temporary file in the same directory, fsync, rename)."""
    path = Path(path)
    temporary = _write_temporary(path.parent, [data] if isinstance(data, bytes) else data, mode)
    try:
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    fsync_directory(path.parent)


@deconstructible(path="gis_portal.storage.AtomicFileSystemStorage")
class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files appear complete or not at all.

    Like Django's storage it never overwrites: the synced temporary file is published with link(),
    which fails if the name exists (then the next available name is tried), and the temporary name
    is removed.
    """

    def _save(self, name: str, content) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if not os.path.isdir(directory):
            os.makedirs(directory, exist_ok=True)
            if self.directory_permissions_mode is not None:
                os.chmod(directory, self.directory_permissions_mode)
        if hasattr(content, "seek"):
            content.seek(0)
        temporary = _write_temporary(directory, content.chunks(), self.file_permissions_mode)
        try:
            while True:
                try:
                    os.link(temporary, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            os.unlink(temporary)
        fsync_directory(directory)
        return str(name).replace("\\", "/")
