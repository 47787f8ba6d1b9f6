"""Parcel and UAT imports, shared by the management commands and (later) the admin.

`import_parcels_file` runs: sniff the format -> read -> check attributes and geometries in bulk
-> COPY + one upsert in a single transaction -> the address search index, if a bulk load dropped
it, in a transaction of its own (parcels.imports.indexes). Rejected rows are listed in the report with
their row number, identifier and reason; a file-level problem raises ImportFileError before
anything is written.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
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
from parcels.imports.facts import FactsOfStretches
from parcels.imports.loader import Progress, Rows, keys_are_unique, load, refuse_if_strict, several_files
from parcels.imports.report import ImportFileError, ImportReport, IndexBuildError, RowIssue
from parcels.imports.sources import Batch, normalize_text, read_vector, sniff_format
from parcels.models import UAT, Parcel

__all__ = ["ImportFileError", "ImportReport", "IndexBuildError", "RowIssue", "import_parcels_file", "import_parcels_files",
           "read_batch"]

USE_CATEGORIES = {c.value.upper(): c.value for c in Parcel.UseCategory}
# What str.strip() removes around ASCII text (spelled out: RE2's \s has neither \v nor \x1c-\x1f).
EDGE_SPACE = r"^[\t\n\x0b\x0c\r \x1c-\x1f]|[\t\n\x0b\x0c\r \x1c-\x1f]$"
CHECK_CHUNK = 50_000  # rows checked per part of a streamed load
MAX_LENGTHS = {"cadastral_number": 32, "cf_number": 32, "old_cf_number": 32, "topo_number": 64}


def read_batch(path: Path, *, srid: int | None = None) -> tuple[Batch, list[str]]:
    fmt = sniff_format(path)
    if fmt == "cgxml":
        return read_cgxml(path, srid)
    return read_vector(path, fmt, srid)


def _text_column(values) -> pa.Array:
    """Normalised text as an Arrow string array. The common case (an Arrow string column, all ASCII,
    no surrounding blanks: nothing to normalise) costs two vectorised checks and no Python string."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
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


def _check_attributes(columns: dict, report: ImportReport) -> np.ndarray:
    """Reject rows with a missing or over-long identifier or undecodable text; truncate long
    addresses and map use categories (with warnings). Text columns are Arrow arrays: a clean
    column costs a few vectorised passes."""
    cads = columns["cadastral_number"]
    label = Labels(cads)
    ok = np.ones(len(cads), dtype=bool)
    for i in np.flatnonzero(_mask(pc.equal(cads, ""))):
        report.reject(i + 1, "", "No cadastral number.")
        ok[i] = False
    for name, limit in MAX_LENGTHS.items():
        col = columns.get(name)
        if col is None:
            continue
        for i in np.flatnonzero(_mask(pc.utf8_length(col)) > limit):
            report.reject(i + 1, label[i], f"{name} is longer than {limit} characters.")
            ok[i] = False
    address = columns.get("address")
    if address is not None:
        long = np.flatnonzero(_mask(pc.utf8_length(address)) > 255)
        if len(long):
            columns["address"] = pc.utf8_slice_codeunits(address, 0, 255)
        for i in long:
            report.warn(i + 1, label[i], "Address truncated to 255 characters.")
    for text in (col for col in columns.values() if isinstance(col, pa.Array)):
        for i in np.flatnonzero(_mask(pc.match_substring(text, "\ufffd")) & ok):
            report.reject(i + 1, label[i], "Text that is not valid in the file's encoding (re-save as UTF-8).")
            ok[i] = False
    use = columns.get("use_category")
    if use is not None:
        # A column holds a handful of distinct codes: map each once, then look rows up.
        distinct = pc.unique(use)
        mapped = [USE_CATEGORIES.get(v.upper()) if v else "" for v in distinct.to_pylist()]
        where = pc.index_in(use, distinct)
        for i in np.flatnonzero(np.isin(_mask(where), [k for k, m in enumerate(mapped) if m is None])):
            report.warn(i + 1, label[i], f"Unknown use category {use[int(i)].as_py()!r}; stored empty.")
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
    known = {str(s): pk for s, pk in UAT.objects.values_list("siruta", "id")}
    out = np.full(n, None, dtype=object)
    for name in ("sirsup", "siruta"):  # siruta last: a UAT-level SIRUTA beats the superior unit
        col = columns.get(name)
        if col is None:
            continue
        for i, value in enumerate(cast(pa.Array, col).to_pylist()):
            pk = known.get(value)
            if pk is not None:
                out[i] = pk
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
    idx = np.flatnonzero(ok)
    held = np.zeros(len(ok), dtype=bool)
    accepted = cads if ok.all() else cads.filter(pa.array(ok))
    if keys_are_unique(uat_ids[idx], accepted):
        return held
    keys = list(zip(uat_ids[idx].tolist(), accepted.to_pylist(), strict=True))
    counts = Counter(keys)
    held[idx[[counts[key] > 1 for key in keys]]] = True
    return held


def _stretches(n: int) -> list[tuple[int, int]]:
    return [(lo, min(lo + CHECK_CHUNK, n)) for lo in range(0, n, CHECK_CHUNK)]


def _checked_parts(batch: Batch, facts: FactsOfStretches, columns: dict[str, pa.Array | np.ndarray], ok: np.ndarray,
                   uat_ids: np.ndarray, held: np.ndarray, report: ImportReport,
                   progress: Progress | None) -> Iterator[Rows]:
    """Check the geometries CHECK_CHUNK rows at a time and yield the accepted rows of each stretch;
    the `held` rows (a repeated key) are yielded together at the end."""
    n = len(batch)
    cads = columns["cadastral_number"]
    later = []
    for k, (lo, hi) in enumerate(facts.stretches):
        wkb = batch.wkb[lo:hi]
        geom_ok, out, area = check_geometries(wkb, srid=batch.srid, identifiers=Labels(cads[lo:hi]), report=report,
                                              first_row=lo + 1, facts=facts.get(k))
        # The reader's Arrow copy of the WKB feeds the binary COPY when no row was rewritten.
        arrow = batch.wkb_arrow.slice(lo, hi - lo) if batch.wkb_arrow is not None and out is wkb else None
        part = Rows(np.arange(lo + 1, hi + 1), {name: values[lo:hi] for name, values in columns.items()},
                    np.asarray(out, dtype=object), area, uat_ids[lo:hi], arrow)
        accepted = ok[lo:hi] & geom_ok
        if (accepted & held[lo:hi]).any():
            later.append(part.subset(accepted & held[lo:hi]))
        if progress:
            progress("checking", hi, n)
        yield part.subset(accepted & ~held[lo:hi])
    if later:
        yield Rows.concat(later, list(columns))


def _check_and_load(batch: Batch, facts: FactsOfStretches, report: ImportReport, *, uat_siruta: int | None,
                    strict: bool, progress: Progress | None) -> None:
    if progress:
        progress("checking", 0, len(batch))
    columns = {name: _text_column(values) for name, values in batch.attrs.items() if name != "legal_area_m2"}
    if "legal_area_m2" in batch.attrs:
        legal = batch.attrs["legal_area_m2"]
        legal = legal.to_numpy(zero_copy_only=False) if isinstance(legal, pa.Array) else np.asarray(legal)
        columns["legal_area_m2"] = legal.astype(float) if legal.dtype.kind in "fiu" else _float_column(legal)
    ok = _check_attributes(columns, report)
    uat_ids = _uat_ids(columns, uat_siruta, len(batch))
    uats_known = None not in uat_ids.tolist()
    # A bulk load into Stereo 70 streams: each stretch of rows is checked while the previous one is
    # being loaded. Rows whose key repeats wait until the end, so that which of them is a duplicate
    # is decided once all their geometries are checked (as when everything is checked first).
    stream = batch.srid == 3844 and batch.buildings is None and uats_known
    held = _repeated_keys(columns["cadastral_number"], uat_ids, ok) if stream else np.zeros(len(batch), dtype=bool)
    # (A streamed load shows one "loading" bar: checking and loading alternate stretch by stretch.)
    parts: Iterable[Rows] = _checked_parts(batch, facts, columns, ok, uat_ids, held, report,
                                           None if stream else progress)
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
             buildings=buildings, strict=strict, progress=progress, uats=set(uat_ids.tolist()) if uats_known else ())


def import_parcels_files(*, paths: Sequence[Path | str], srid: int | None = None, strict: bool = False,
                         progress: Progress | None = None) -> list[ImportReport]:
    """Import several parcel files as one load (`loader.several_files`: one transaction, rows only
    added, indexes rebuilt once when the load at least doubles the table). The files are read one
    after another, so memory holds one file at a time, however many there are."""
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
    batch, warnings = read_batch(path, srid=srid)
    report.format, report.srid, report.total = batch.format, batch.srid, len(batch)
    for message in warnings:
        report.warn(0, "", message)
    # The geometry facts are computed from here on (in worker processes for a large file) while
    # the attributes are checked and the rows stream into COPY.
    facts = FactsOfStretches(batch.wkb, _stretches(len(batch)))
    try:
        _check_and_load(batch, facts, report, uat_siruta=uat_siruta, strict=strict, progress=progress)
    finally:
        facts.close()
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
