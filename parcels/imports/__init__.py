"""Parcel and UAT imports, shared by the management commands and (later) the admin.

`import_parcels_file` runs: sniff the format -> read -> check attributes and geometries in bulk
-> COPY + one upsert in a single transaction -> the address search index, if a bulk load dropped
it, in a transaction of its own (parcels.imports.indexes). Rejected rows are listed in the report with
their row number, identifier and reason; a file-level problem raises ImportFileError before
anything is written.

A bulk load (a vector file in Stereo 70, every row's UAT known, no buildings: a county's cadastre)
streams: the key columns are read first (which rows repeat a key), then the geometries batch by
batch, each batch checked while the previous one is in the COPY, so memory holds a few batches and
the keys, however large the file (tests/parcels/test_streaming.py). Other files are read whole.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import pyogrio.errors
from django.db import DatabaseError

from parcels.imports import indexes
from parcels.imports.cgxml import read_cgxml
from parcels.imports.checks import check_geometries
from parcels.imports.facts import FactsAhead
from parcels.imports.loader import Progress, Rows, load, refuse_if_strict, repeated_keys, several_files
from parcels.imports.report import ImportFileError, ImportReport, IndexBuildError, RowIssue
from parcels.imports.sources import Batch, VectorSource, normalize_text, open_vector, sniff_format
from parcels.models import UAT, Parcel

__all__ = ["ImportFileError", "ImportReport", "IndexBuildError", "RowIssue", "import_parcels_file", "import_parcels_files"]

USE_CATEGORIES = {c.value.upper(): c.value for c in Parcel.UseCategory}
# What str.strip() removes around ASCII text (spelled out: RE2's \s has neither \v nor \x1c-\x1f).
EDGE_SPACE = r"^[\t\n\x0b\x0c\r \x1c-\x1f]|[\t\n\x0b\x0c\r \x1c-\x1f]$"
CHECK_CHUNK = 50_000  # rows checked per part of a streamed load
MAX_LENGTHS = {"cadastral_number": 32, "cf_number": 32, "old_cf_number": 32, "topo_number": 64}


def _text_column(values) -> pa.Array:
    """Normalised text as an Arrow string array. The common case (an Arrow string column, all ASCII,
    no surrounding blanks: nothing to normalise) costs two vectorised checks and no Python string."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array) and pa.types.is_integer(values.type):  # a SIRUTA stored as a number
        return pc.fill_null(pc.cast(values, pa.string()), "")
    if isinstance(values, pa.Array):
        if (pa.types.is_string(values.type) and values.null_count == 0
                and pc.all(pc.string_is_ascii(values)).as_py() is not False
                and not pc.any(pc.match_substring_regex(values, EDGE_SPACE)).as_py()):
            return values
        values = values.to_pylist()
    elif isinstance(values, np.ndarray):
        values = values.tolist()
    return pa.array([v.strip() if type(v) is str and v.isascii() else normalize_text(v) for v in values],
                    type=pa.string())


class Labels(Sequence):
    """Row identifiers for messages, read from an Arrow column only for the rows a check reports."""

    def __init__(self, values: pa.Array):
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i) -> str:
        return self.values[int(i)].as_py()


def _float_column(values) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        try:
            out[i] = float(v) if v not in (None, "") else np.nan
        except (TypeError, ValueError):
            out[i] = np.nan
    return out


def _mask(values: pa.Array) -> np.ndarray:
    return values.to_numpy(zero_copy_only=False)


def _check_attributes(columns: dict, report: ImportReport, first_row: int = 1) -> np.ndarray:
    """Reject rows with a missing or over-long identifier or undecodable text; truncate long
    addresses and map use categories (with warnings). Text columns are Arrow arrays: a clean
    column costs a few vectorised passes."""
    cads = columns["cadastral_number"]
    label = Labels(cads)
    ok = np.ones(len(cads), dtype=bool)
    for i in np.flatnonzero(_mask(pc.equal(cads, ""))):
        report.reject(first_row + i, "", "No cadastral number.")
        ok[i] = False
    for name, limit in MAX_LENGTHS.items():
        col = columns.get(name)
        if col is None:
            continue
        for i in np.flatnonzero(_mask(pc.utf8_length(col)) > limit):
            report.reject(first_row + i, label[i], f"{name} is longer than {limit} characters.")
            ok[i] = False
    address = columns.get("address")
    if address is not None:
        long = np.flatnonzero(_mask(pc.utf8_length(address)) > 255)
        if len(long):
            columns["address"] = pc.utf8_slice_codeunits(address, 0, 255)
        for i in long:
            report.warn(first_row + i, label[i], "Address truncated to 255 characters.")
    for text in (col for col in columns.values() if isinstance(col, pa.Array)):
        for i in np.flatnonzero(_mask(pc.match_substring(text, "\ufffd")) & ok):
            report.reject(first_row + i, label[i], "Text that is not valid in the file's encoding (re-save as UTF-8).")
            ok[i] = False
    use = columns.get("use_category")
    if use is not None:
        # A column holds a handful of distinct codes: map each once, then look rows up.
        distinct = pc.unique(use)
        mapped = [USE_CATEGORIES.get(v.upper()) if v else "" for v in distinct.to_pylist()]
        where = pc.index_in(use, distinct)
        for i in np.flatnonzero(np.isin(_mask(where), [k for k, m in enumerate(mapped) if m is None])):
            report.warn(first_row + i, label[i], f"Unknown use category {use[int(i)].as_py()!r}; stored empty.")
        columns["use_category"] = pc.take(pa.array([m or "" for m in mapped], type=pa.string()), where)
    return ok


def _uat_ids(columns: dict[str, np.ndarray], uat_siruta: int | None, n: int) -> np.ndarray:
    """UAT per row from --uat, else from a SIRUTA attribute (the UAT's or, in CGXML, its SIRSUP);
    None leaves it to the spatial lookup in SQL."""
    if uat_siruta is not None:
        uat = UAT.objects.filter(siruta=uat_siruta).values_list("id", flat=True).first()
        if uat is None:
            raise ImportFileError(f"No UAT with SIRUTA {uat_siruta}: import the UATs first (import_uats).")
        return np.full(n, uat, dtype=object)
    uats = list(UAT.objects.values_list("siruta", "id"))
    known = pa.array([str(siruta) for siruta, _pk in uats], type=pa.string())
    pks = np.array([pk for _siruta, pk in uats], dtype=object)
    out = np.full(n, None, dtype=object)
    for name in ("sirsup", "siruta"):  # siruta last: a UAT-level SIRUTA beats the superior unit
        col = columns.get(name)
        if col is None:
            continue
        where = pc.index_in(col, value_set=known)  # position in `known`, null when unknown
        found = _mask(pc.is_valid(where))
        out[found] = pks[_mask(where.filter(pc.is_valid(where)))]
    return out


def _building_arrays(batch: Batch, accepted_rows: dict[str, int], report: ImportReport) -> dict | None:
    b = batch.buildings
    if b is None:
        return None
    n = len(b.rows)
    labels = [f"building {cid} of {ref}" for cid, ref in zip(b.cadastral_id, b.parcel_ref, strict=False)]
    ok, wkb, _area = check_geometries(list(b.wkb), srid=batch.srid, identifiers=labels, report=report, what="building")
    parcel_row = np.zeros(n, dtype=np.int64)
    seen: set[tuple[int, str]] = set()
    for i in range(n):
        ref = b.parcel_ref[i]
        row = ref + 1 if isinstance(ref, int) and ref >= 0 else accepted_rows.get(str(ref), 0)
        key = (row, b.cadastral_id[i])
        if ok[i] and (row == 0 or not b.cadastral_id[i]):
            report.reject(b.rows[i], labels[i], "Building without a known parcel or without a cadastral id (C1…).")
            ok[i] = False
        elif ok[i] and key in seen:
            report.reject(b.rows[i], labels[i], "Duplicate building id on the same parcel in this file.")
            ok[i] = False
        seen.add(key)
        parcel_row[i] = row
    idx = np.flatnonzero(ok)
    pick = lambda values: np.asarray(values, dtype=object)[idx]  # noqa: E731
    levels = [int(v) if v is not None and v == v else None for v in pick(b.levels).tolist()]
    return {"rows": np.asarray(b.rows)[idx], "parcel_row": parcel_row[idx], "cadastral_id": pick(b.cadastral_id),
            "levels": np.array(levels, dtype=object), "height_m": pick(b.height_m),
            "destination": pick(b.destination), "wkb": pick(wkb)}


def _repeated_keys(cads: pa.Array, uat_ids: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Rows among `ok` whose (UAT, cadastral number) occurs more than once among them."""
    held = np.zeros(len(ok), dtype=bool)
    idx = np.flatnonzero(ok)
    held[idx] = repeated_keys(uat_ids[idx], cads if ok.all() else cads.filter(pa.array(ok)))
    return held


@dataclass
class _Piece:
    """A stretch of a file's rows with what is known of them before their geometries are checked:
    normalised columns, the attribute checks' verdict (`ok`), each row's UAT and whether its key
    repeats in the file (`held`). `lo` is the 0-based index of its first row."""

    lo: int
    wkb: np.ndarray
    wkb_arrow: pa.Array | None
    columns: dict[str, pa.Array | np.ndarray]
    ok: np.ndarray
    uat_ids: np.ndarray
    held: np.ndarray


def _columns(attrs: dict) -> dict[str, pa.Array | np.ndarray]:
    """Text normalised (Arrow), the legal area as NumPy floats."""
    columns: dict[str, pa.Array | np.ndarray] = {name: _text_column(values) for name, values in attrs.items()
                                                 if name != "legal_area_m2"}
    if "legal_area_m2" in attrs:
        legal = attrs["legal_area_m2"]
        legal = legal.to_numpy(zero_copy_only=False) if isinstance(legal, pa.Array | pa.ChunkedArray) else np.asarray(legal)
        columns["legal_area_m2"] = legal.astype(float) if legal.dtype.kind in "fiu" else _float_column(legal)
    return columns


def _checked_parts(pieces: Iterable[_Piece], facts: FactsAhead, *, srid: int, total: int, report: ImportReport,
                   progress: Progress | None) -> Iterator[Rows]:
    """Check the geometries piece by piece (their facts computed a few pieces ahead) and yield the
    accepted rows of each piece; the `held` rows (a repeated key) are yielded together at the end."""
    later = []
    for piece, piece_facts in facts.run(pieces, lambda piece: piece.wkb):
        hi = piece.lo + len(piece.wkb)
        geom_ok, out, area = check_geometries(piece.wkb, srid=srid, identifiers=Labels(piece.columns["cadastral_number"]),
                                              report=report, first_row=piece.lo + 1, facts=piece_facts)
        # The reader's Arrow copy of the WKB feeds the binary COPY when no row was rewritten.
        part = Rows(np.arange(piece.lo + 1, hi + 1), piece.columns, np.asarray(out, dtype=object), area,
                    piece.uat_ids, piece.wkb_arrow if out is piece.wkb else None)
        accepted = piece.ok & geom_ok
        if (accepted & piece.held).any():
            later.append(part.subset(accepted & piece.held))
        if progress:
            progress("checking", hi, total)
        yield part.subset(accepted & ~piece.held)
    if later:
        yield Rows.concat(later, list(later[0].columns))


def _stretches(batch: Batch, columns: dict, ok: np.ndarray, uat_ids: np.ndarray, held: np.ndarray) -> Iterator[_Piece]:
    """A file read whole, CHECK_CHUNK rows at a time."""
    for lo in range(0, len(batch), CHECK_CHUNK):
        hi = min(lo + CHECK_CHUNK, len(batch))
        arrow = batch.wkb_arrow.slice(lo, hi - lo) if batch.wkb_arrow is not None else None
        yield _Piece(lo, np.asarray(batch.wkb[lo:hi], dtype=object), arrow,
                     {name: values[lo:hi] for name, values in columns.items()}, ok[lo:hi], uat_ids[lo:hi],
                     held[lo:hi])


def _check_and_load(batch: Batch, report: ImportReport, *, uat_siruta: int | None, strict: bool,
                    progress: Progress | None) -> None:
    """A file read whole (CGXML, a file with buildings, in another CRS, or with parcels placed by
    their location): attributes checked on every row, then geometries stretch by stretch."""
    if progress:
        progress("checking", 0, len(batch))
    columns = _columns(batch.attrs)
    ok = _check_attributes(columns, report)
    uat_ids = _uat_ids(columns, uat_siruta, len(batch))
    uats_known = None not in uat_ids.tolist()
    # A bulk load into Stereo 70 streams: each stretch of rows is checked while the previous one is
    # being loaded. Rows whose key repeats wait until the end, so that which of them is a duplicate
    # is decided once all their geometries are checked (as when everything is checked first).
    stream = batch.srid == 3844 and batch.buildings is None and uats_known
    held = _repeated_keys(columns["cadastral_number"], uat_ids, ok) if stream else np.zeros(len(batch), dtype=bool)
    facts = FactsAhead(len(batch))
    try:
        # (A streamed load shows one "loading" bar: checking and loading alternate stretch by stretch.)
        parts: Iterable[Rows] = _checked_parts(_stretches(batch, columns, ok, uat_ids, held), facts, srid=batch.srid,
                                               total=len(batch), report=report, progress=None if stream else progress)
        buildings = None
        if not stream:
            rows = Rows.concat(list(parts), list(columns))
            if batch.buildings is not None:  # the parcel row of each cadastral number, only needed for buildings
                cads = cast(pa.Array, rows.columns["cadastral_number"]).to_pylist()
                dupes = {c for c, k in Counter(cads).items() if k > 1}
                accepted = {c: int(r) for c, r in zip(cads, rows.rows.tolist(), strict=True) if c not in dupes}
                buildings = _building_arrays(batch, accepted, report)
            parts = [rows] if len(rows) else []
        refuse_if_strict(strict, report)  # rows rejected so far (a streamed load refuses later ones itself)
        if stream or parts:  # a streamed load runs its checks inside load(), even when no row is accepted yet
            load(parts=parts, srid=batch.srid, uats_known=uats_known, report=report, total=len(batch),
                 buildings=buildings, strict=strict, progress=progress,
                 uats=set(uat_ids.tolist()) if uats_known else ())
    finally:
        facts.close()


def _stream_plan(vector: VectorSource, uat_siruta: int | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(UAT of each row, rows whose key repeats) when the file can be loaded batch by batch: Stereo 70,
    no buildings layer, every row's UAT known from --uat or a SIRUTA column. Only the key columns
    are read for this, no geometry. `held` may hold more rows than will prove duplicates (a row
    rejected later for another column): those only wait until the end, where duplicates are decided."""
    if vector.srid != 3844 or vector.building_layer is not None:
        return None
    keys = {name: _text_column(values) for name, values in vector.keys().items()}
    n = len(keys["cadastral_number"])
    if n == 0:
        return None  # read whole: "The file contains no features."
    uat_ids = _uat_ids(keys, uat_siruta, n)
    if None in uat_ids.tolist():
        return None
    cads = keys["cadastral_number"]
    return uat_ids, _repeated_keys(cads, uat_ids, _mask(pc.not_equal(cads, "")))


def _batches(vector: VectorSource, report: ImportReport, uat_ids: np.ndarray, held: np.ndarray) -> Iterator[_Piece]:
    """A file read CHECK_CHUNK rows at a time, each batch's attributes checked as it arrives."""
    lo = 0
    for wkb, attrs in vector.batches(CHECK_CHUNK):
        hi = lo + len(wkb)
        if hi > len(uat_ids):
            raise ImportFileError("The file changed while it was being imported.")
        columns = _columns(attrs)
        ok = _check_attributes(columns, report, first_row=lo + 1)
        yield _Piece(lo, wkb.to_numpy(zero_copy_only=False), wkb if wkb.type == pa.binary() else None, columns, ok,
                     uat_ids[lo:hi], held[lo:hi])
        lo = hi
    if lo != len(uat_ids):
        raise ImportFileError("The file changed while it was being imported.")


def _stream_load(vector: VectorSource, report: ImportReport, uat_ids: np.ndarray, held: np.ndarray, *,
                 strict: bool, progress: Progress | None) -> None:
    """A bulk load read batch by batch: memory holds a few batches of geometries, never the file."""
    n = len(uat_ids)
    facts = FactsAhead(n)  # forks its workers now, before the reader and the COPY start threads
    try:
        parts = _checked_parts(_batches(vector, report, uat_ids, held), facts, srid=3844, total=n, report=report,
                               progress=None)
        load(parts=parts, srid=3844, uats_known=True, report=report, total=n, strict=strict, progress=progress,
             uats=set(uat_ids.tolist()))
    finally:
        facts.close()


def import_parcels_files(*, paths: Sequence[Path | str], srid: int | None = None, strict: bool = False,
                         progress: Progress | None = None) -> list[ImportReport]:
    """Import several parcel files as one load (`loader.several_files`: one transaction, rows only
    added, indexes rebuilt once when the load at least doubles the table). The files are read one
    after another, each batch by batch, so memory does not grow with the files' size or number."""
    files = [Path(p) for p in paths]
    total = sum(_feature_count(p) for p in files)
    reports: list[ImportReport] = []
    with several_files(total=total):
        for path in files:
            reports.append(import_parcels_file(path=path, srid=srid, strict=strict, progress=progress,
                                               search_index=False))
    try:
        indexes.build_missing()
    except DatabaseError as exc:
        raise IndexBuildError(reports[-1], ", ".join(indexes.DEFERRED), exc) from exc
    return reports


def _feature_count(path: Path) -> int:
    """Rows of a GeoPackage, from its header (0 for other formats: then no index rebuild unless the
    table is empty)."""
    if sniff_format(path) != "gpkg":
        return 0
    try:
        return max(0, int(pyogrio.read_info(str(path)).get("features", 0)))
    except pyogrio.errors.DataSourceError:
        return 0


def import_parcels_file(*, path: Path | str, uat_siruta: int | None = None, srid: int | None = None,
                        strict: bool = False, progress: Progress | None = None,
                        search_index: bool = True) -> ImportReport:
    """Import a parcel file (GeoJSON, GeoPackage, zipped Shapefile, CGXML); see module docstring.
    `search_index=False`: leave a dropped address index to the caller (several files in one load)."""
    start = time.perf_counter()
    path = Path(path)
    report = ImportReport(source=path.name)
    fmt = sniff_format(path)
    vector = open_vector(path, fmt, srid) if fmt != "cgxml" else None
    plan = _stream_plan(vector, uat_siruta) if vector is not None else None
    if vector is not None and plan is not None:
        report.format, report.srid, report.total = fmt, vector.srid, len(plan[0])
        _stream_load(vector, report, *plan, strict=strict, progress=progress)
        warnings = vector.warnings
    else:
        batch, warnings = read_cgxml(path, srid) if vector is None else (vector.read_whole(), vector.warnings)
        report.format, report.srid, report.total = batch.format, batch.srid, len(batch)
        _check_and_load(batch, report, uat_siruta=uat_siruta, strict=strict, progress=progress)
    for message in warnings:
        report.warn(0, "", message)
    report.issues.sort(key=lambda issue: (issue.row, issue.level))
    if not search_index:
        report.seconds = time.perf_counter() - start
        return report
    if progress:
        progress("search index", 0, 1)
    try:
        indexes.build_missing()  # after the commit; also repairs an earlier interrupted build
    except DatabaseError as exc:
        raise IndexBuildError(report, ", ".join(indexes.DEFERRED), exc) from exc
    report.seconds = time.perf_counter() - start
    return report
