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
from pathlib import Path

import numpy as np
from django.db import DatabaseError

from parcels.imports import indexes
from parcels.imports.cgxml import read_cgxml
from parcels.imports.checks import check_geometries, parse, validity_in_background
from parcels.imports.loader import Progress, load
from parcels.imports.report import ImportFileError, ImportReport, IndexBuildError, RowIssue
from parcels.imports.sources import Batch, normalize_text, read_vector, sniff_format
from parcels.models import UAT, Parcel

__all__ = ["ImportFileError", "ImportReport", "IndexBuildError", "RowIssue", "import_parcels_file", "read_batch"]

USE_CATEGORIES = {c.value.upper(): c.value for c in Parcel.UseCategory}
# What str.strip() removes in ASCII text, as a byte lookup table.
ASCII_SPACE = np.zeros(256, dtype=bool)
ASCII_SPACE[list(b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")] = True
MAX_LENGTHS = {"cadastral_number": 32, "cf_number": 32, "old_cf_number": 32, "topo_number": 64}


def read_batch(path: Path, *, srid: int | None = None) -> tuple[Batch, list[str]]:
    fmt = sniff_format(path)
    if fmt == "cgxml":
        return read_cgxml(path, srid)
    return read_vector(path, fmt, srid)


def _has_edge_space(joined: str) -> bool:
    """Whether a value of a NUL-joined ASCII column starts or ends with a blank (vectorised over the
    bytes: ~20x faster than looking for each blank next to each separator)."""
    data = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    space = ASCII_SPACE[data]
    if not space.any():
        return False
    separator = data == 0
    starts = np.concatenate([[True], separator[:-1]])
    ends = np.concatenate([separator[1:], [True]])
    return bool((space & (starts | ends)).any())


def _text_column(values) -> np.ndarray:
    """Normalised text; the common all-ASCII case only pays for a strip()."""
    arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if arr.dtype.kind in "iu":
        return np.array([str(v) for v in arr.tolist()], dtype=object)
    values = arr.tolist()
    if None not in values and all(type(v) is str for v in values[:1000]):
        joined = "\x00".join(values)
        # Fast path: nothing to normalise anywhere in the column (ASCII, no surrounding blanks).
        if joined.isascii() and not _has_edge_space(joined):
            return arr.astype(object)
    return np.array([v.strip() if type(v) is str and v.isascii() else normalize_text(v) for v in arr.tolist()],
                    dtype=object)


def _float_column(values) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        try:
            out[i] = float(v) if v not in (None, "") else np.nan
        except (TypeError, ValueError):
            out[i] = np.nan
    return out


def _check_attributes(columns: dict[str, np.ndarray], report: ImportReport) -> np.ndarray:
    n = len(columns["cadastral_number"])
    ok = np.ones(n, dtype=bool)
    cads = columns["cadastral_number"]
    for i in np.flatnonzero(cads == ""):
        report.reject(i + 1, "", "No cadastral number.")
        ok[i] = False
    for name, limit in MAX_LENGTHS.items():
        col = columns.get(name)
        if col is None or max(map(len, col.tolist()), default=0) <= limit:
            continue
        for i in np.flatnonzero(np.fromiter((len(v) > limit for v in col.tolist()), bool, n)):
            report.reject(i + 1, cads[i], f"{name} is longer than {limit} characters.")
            ok[i] = False
    address = columns.get("address")
    if address is not None:
        for i in np.flatnonzero(np.fromiter((len(v) > 255 for v in address.tolist()), bool, n)):
            address[i] = address[i][:255]
            report.warn(i + 1, cads[i], "Address truncated to 255 characters.")
    for text in (col for col in columns.values() if col.dtype == object):
        if "\ufffd" not in "".join(text.tolist()):
            continue
        for i in np.flatnonzero(np.fromiter(("\ufffd" in v for v in text.tolist()), bool, n)):
            if ok[i]:
                report.reject(i + 1, cads[i], "Text that is not valid in the file's encoding (re-save as UTF-8).")
                ok[i] = False
    use = columns.get("use_category")
    if use is not None:
        values = use.tolist()
        # A column holds a handful of distinct codes: map each once, then look rows up.
        codes = {v: (USE_CATEGORIES.get(v.upper()) if v else "") for v in set(values)}
        mapped = [codes[v] for v in values]
        if None in codes.values():
            for i, value in enumerate(mapped):
                if value is None:
                    report.warn(i + 1, cads[i], f"Unknown use category {use[i]!r}; stored empty.")
                    mapped[i] = ""
        columns["use_category"] = np.array(mapped, dtype=object)
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
        for i, value in enumerate(col.tolist()):
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
    ok, wkb, _geoms = check_geometries(list(b.wkb), srid=batch.srid, identifiers=labels, report=report, what="building")
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


def import_parcels_file(*, path: Path | str, uat_siruta: int | None = None, srid: int | None = None,
                        strict: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import a parcel file (GeoJSON, GeoPackage, zipped Shapefile, CGXML); see module docstring."""
    start = time.perf_counter()
    path = Path(path)
    report = ImportReport(source=path.name)
    batch, warnings = read_batch(path, srid=srid)
    report.format, report.srid, report.total = batch.format, batch.srid, len(batch)
    for message in warnings:
        report.warn(0, "", message)
    if progress:
        progress("checking", 0, len(batch))
    # Parsing needs the GIL; validity does not: it runs on both cores while the attributes are checked.
    geoms = parse(batch.wkb)
    validity = validity_in_background(geoms)
    columns = {name: _text_column(values) for name, values in batch.attrs.items() if name != "legal_area_m2"}
    if "legal_area_m2" in batch.attrs:
        legal = batch.attrs["legal_area_m2"]
        legal = np.asarray(legal, dtype=float) if getattr(legal, "dtype", None) is not None and legal.dtype.kind == "f" \
            else _float_column(legal)
        columns["legal_area_m2"] = legal
    ok = _check_attributes(columns, report)
    geom_ok, wkb, geoms = check_geometries(batch.wkb, srid=batch.srid, identifiers=columns["cadastral_number"].tolist(),
                                           report=report, geoms=geoms, validity=validity)
    ok &= geom_ok
    uat_ids = _uat_ids(columns, uat_siruta, len(batch))
    idx = np.flatnonzero(ok)
    buildings = None
    if batch.buildings is not None:  # the parcel row of each cadastral number, only needed for buildings
        accepted = {str(columns["cadastral_number"][i]): int(i) + 1 for i in idx}
        dupes = {c for c, k in Counter(columns["cadastral_number"][idx].tolist()).items() if k > 1}
        accepted = {c: r for c, r in accepted.items() if c not in dupes}
        buildings = _building_arrays(batch, accepted, report)
    if strict and report.rejected:
        raise ImportFileError(f"{report.rejected} rows were rejected and --strict was given: nothing imported.")
    if len(idx):
        # The reader's Arrow copy of the WKB feeds the binary COPY when no row was rewritten.
        wkb_arrow = batch.wkb_arrow if wkb is batch.wkb else None
        if wkb_arrow is not None and len(idx) < len(batch):
            wkb_arrow = wkb_arrow.take(idx)
        load(rows=idx + 1, columns={k: v[idx] for k, v in columns.items()}, wkb=np.asarray(wkb, dtype=object)[idx],
             wkb_arrow=wkb_arrow,
             geoms=geoms[idx], uat_ids=uat_ids[idx], srid=batch.srid, report=report, buildings=buildings, strict=strict,
             progress=progress)
    report.issues.sort(key=lambda issue: (issue.row, issue.level))
    if progress:
        progress("search index", 0, 1)
    try:
        indexes.build_missing()  # after the commit; also repairs an earlier interrupted build
    except DatabaseError as exc:
        raise IndexBuildError(report, ", ".join(indexes.DEFERRED), exc) from exc
    report.seconds = time.perf_counter() - start
    return report
