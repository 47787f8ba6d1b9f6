"""Loading a checked Batch: COPY into a temporary staging table, then one set-based upsert.

Everything happens in one transaction, so a crash, a database error or Ctrl-C leaves the
parcels exactly as they were. The staging table is TEMP (no WAL, dropped at commit); rows go in
as hex WKB through text COPY, which costs one string join per row in Python. The first load of an
empty table (the big one) skips staging and goes in through binary COPY built column-wise.
"""
from __future__ import annotations

import select
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg.copy import LibpqWriter

from parcels.imports import binary_copy, indexes
from parcels.imports.report import ImportFileError, ImportReport

Progress = Callable[[str, int, int], None]
COPY_CHUNK = 50_000
PARCEL_COLUMNS = ("uat_id", "cadastral_number", "cf_number", "old_cf_number", "topo_number", "geom",
                  "legal_area_m2", "measured_area_m2", "use_category", "address", "updated_at")
DIRECT_TEXT = ("cadastral_number", "cf_number", "old_cf_number", "topo_number", "use_category", "address")
TEXT_COLUMNS = ("siruta", "sirsup", "cadastral_number", "cf_number", "old_cf_number", "topo_number",
                "use_category", "address")
# Dropped first: inside an outer transaction (admin, tests) ON COMMIT DROP has not fired yet.
STAGE_SQL = """
DROP TABLE IF EXISTS pg_temp.parcel_stage, pg_temp.building_stage, pg_temp.building_target;
CREATE TEMP TABLE parcel_stage (
    row integer NOT NULL, uat_id bigint, siruta text, sirsup text, cadastral_number text, cf_number text,
    old_cf_number text, topo_number text, use_category text, address text, legal_area_m2 double precision,
    geom geometry, reason text
) ON COMMIT DROP"""
BUILDING_STAGE_SQL = """
CREATE TEMP TABLE building_stage (
    row integer NOT NULL, parcel_row integer, cadastral_id text, levels integer, height_m double precision,
    destination text, geom geometry
) ON COMMIT DROP"""


@dataclass
class Rows:
    """Accepted rows of a file, or of one stretch of it, as parallel arrays (`rows`: 1-based row
    numbers in the file; `columns`: Arrow string arrays, and legal_area_m2 as NumPy floats;
    `area`: of each geometry, in m²). `wkb_arrow` is the same WKB as the reader's Arrow array,
    when it has one."""

    rows: np.ndarray
    columns: dict[str, pa.Array | np.ndarray]
    wkb: np.ndarray
    area: np.ndarray
    uat_ids: np.ndarray
    wkb_arrow: pa.Array | pa.ChunkedArray | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def subset(self, mask: np.ndarray) -> Rows:
        if mask.all():
            return self
        keep = pa.array(mask)
        return Rows(self.rows[mask], {name: values.filter(keep) if isinstance(values, pa.Array) else values[mask]
                                      for name, values in self.columns.items()},
                    self.wkb[mask], self.area[mask], self.uat_ids[mask],
                    self.wkb_arrow.filter(keep) if self.wkb_arrow is not None else None)

    @staticmethod
    def concat(parts: list[Rows], names: list[str]) -> Rows:
        if not parts:
            empty = np.array([], dtype=object)
            return Rows(np.array([], dtype=np.int64), {name: pa.array([], type=pa.string()) for name in names}, empty,
                        np.array([]), empty)
        if len(parts) == 1:  # e.g. load() given the file's accepted rows already joined: no copy
            return parts[0]
        arrow = None
        if all(part.wkb_arrow is not None for part in parts):
            arrow = pa.chunked_array([chunk for part in parts for chunk in (
                part.wkb_arrow.chunks if isinstance(part.wkb_arrow, pa.ChunkedArray) else [part.wkb_arrow])],
                type=pa.binary())
        return Rows(np.concatenate([part.rows for part in parts]),
                    {name: _concat([part.columns[name] for part in parts]) for name in names},
                    np.concatenate([part.wkb for part in parts]), np.concatenate([part.area for part in parts]),
                    np.concatenate([part.uat_ids for part in parts]), arrow)


def _concat(columns: list) -> np.ndarray | pa.Array:
    return pa.concat_arrays(columns) if isinstance(columns[0], pa.Array) else np.concatenate(columns)


def _as_list(column) -> list:
    return column.to_pylist() if isinstance(column, pa.Array) else column.tolist()


def _escape(value: Any) -> str:
    """COPY text format: NULL is \\N; backslash, tab and newlines must be escaped."""
    if value is None:
        return r"\N"
    if isinstance(value, float):
        return repr(value) if value == value else r"\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _text_column(values: list, *, null: str = r"\N") -> list[str]:
    """Escape a whole column; the usual case (no special character anywhere) costs one join."""
    if None in values:
        values = [null if v is None else v for v in values]
    joined = "\x1f".join(values)
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        return [v if v == null else _escape(v) for v in values]
    return values


def _float_column(values: np.ndarray) -> list[str]:
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), r"\N", values.astype(str)).tolist()


class DrainingWriter(LibpqWriter):
    """psycopg's COPY writer, waiting before each block until the previous one has left libpq's
    output buffer. psycopg runs libpq in non-blocking mode and does not flush after each block (on
    Linux), so whatever the server has not taken yet piles up in that buffer, which grows without
    bound: importing a file faster than the server ingests it held most of the file's COPY data
    in memory (measured: ~0.6 MB more for each batch of 500 large parcels). Waiting before, not
    after, keeps one block in flight while the next is built (psycopg's documented Writer hook)."""

    def write(self, data) -> None:
        pgconn = self.connection.pgconn
        while pgconn.flush() == 1:  # 1: data left to send; wait until the socket takes more
            select.select([], [pgconn.socket], [])
        super().write(data)


def _copy(cursor, table: str, columns: tuple[str, ...], data: list[list[str]], n: int,
          progress: Progress | None, stage: str) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN", writer=DrainingWriter(cursor)) as copy:
        for start in range(0, n, COPY_CHUNK):
            stop = min(start + COPY_CHUNK, n)
            lines = map("\t".join, zip(*(col[start:stop] for col in data), strict=False))
            copy.write("\n".join(lines) + "\n")
            if progress:
                progress(stage, stop, n)


def _geom_sql(srid: int, column: str = "s.geom") -> str:
    # Reprojection runs in PostGIS by EPSG code (PROJ picks the EPSG operation, not a proj4 towgs84).
    if srid == 3844:
        return f"ST_Multi(ST_SetSRID({column}, 3844))"
    return f"ST_Multi(ST_Transform(ST_SetSRID({column}, {int(srid)}), 3844))"


def _bulk_drop(cursor) -> list[str]:
    """Drop every index and constraint of parcels_parcel but NOT NULL, and the foreign keys of other
    tables that reference it; return the SQL that restores them, primary key first.

    Used only for a load into an empty table (the usual first import of a county): building a GiST
    index or a btree once, sorted, is many times faster than a million incremental inserts, and
    re-adding a foreign key checks it with one join instead of a trigger per row (PostgreSQL manual,
    "Populating a Database"). Unique indexes and the primary key go too: the rows were de-duplicated
    in Python and numbered from the sequence, and rebuilding each in a single sort still proves it.
    The tables that reference parcels cannot hold a row while the table is empty; their foreign keys
    come back, checked, before the commit (meanwhile their writers wait on the import's locks).
    """
    cursor.execute("""SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                      WHERE x.indrelid = 'parcels_parcel'::regclass
                        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                                        AND c.conrelid = x.indrelid)""")
    dropped = cursor.fetchall()
    cursor.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                      WHERE (conrelid = 'parcels_parcel'::regclass AND contype IN ('p', 'u', 'f'))
                         OR (confrelid = 'parcels_parcel'::regclass AND contype = 'f')
                      ORDER BY contype = 'p', conrelid = 'parcels_parcel'::regclass, contype DESC""")
    constraints = cursor.fetchall()  # referencing keys first, the primary key last: the drop order
    for table, name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in dropped:
        cursor.execute(f'DROP INDEX "{name}"')
    # The deferred ones are rebuilt after the commit (parcels.imports.indexes).
    restore = [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
               for table, name, definition in reversed(constraints)]
    return restore[:1] + [definition for name, definition in dropped if name not in indexes.DEFERRED] + restore[1:]


@dataclass
class _Several:
    """A load of several files in one transaction (`several_files`): whether its indexes are down."""

    indexes_dropped: bool


_several: ContextVar[_Several | None] = ContextVar("parcel_import_several", default=None)


@contextmanager
def several_files(*, total: int) -> Iterator[None]:
    """Load several files (a country's counties, say) as one import: one transaction, one table lock.

    Every file must be able to take the bulk path (Stereo 70, a UAT per row, no buildings); its rows
    are only added, never updated — a (UAT, cadastral number) already in the table or in two files
    makes the whole load fail and roll back (the unique index proves it). When the load at least
    doubles the table (`total` rows against the table's estimate), its indexes are dropped once and
    rebuilt once at the end, sorted, instead of being updated row by row; meanwhile readers of the
    parcels wait (the rebuild needs an ACCESS EXCLUSIVE lock): that is a first national load, before
    opening. A smaller load keeps them and readers go on.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE parcels_parcel IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM parcels_parcel), "
                       "greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'parcels_parcel'::regclass")
        empty, estimate = cursor.fetchone()
        rebuild = empty or total >= estimate
        restore = _bulk_drop(cursor) if rebuild else []
        token = _several.set(_Several(indexes_dropped=rebuild))
        try:
            yield
            for statement in restore:
                cursor.execute(statement)
        except IntegrityError as exc:
            raise ImportFileError(
                "A parcel's UAT and cadastral number are already in the database or in two of the files: "
                "several files at once only add parcels; import that file alone to update its parcels.") from exc
        finally:
            _several.reset(token)


def load(*, parts: Iterable[Rows], srid: int, uats_known: bool, report: ImportReport, total: int,
         buildings: dict[str, np.ndarray] | None = None, strict: bool = False, progress: Progress | None = None,
         uats: Iterable[int] = ()) -> None:
    """Load the accepted rows, given in parts (checked while the previous part is being loaded, on
    the bulk path); fill report counts and SQL-level rejections. `uats_known`: every row has its UAT;
    `uats`: the UAT ids of the file's rows (when known, a file of UATs without parcels yet is appended
    through the bulk path: nothing to update, no key can clash)."""
    several = _several.get()
    if several is not None:
        if not (srid == 3844 and uats_known and buildings is None):
            raise ImportFileError("Several files at once must each be in Stereo 70 (EPSG:3844), give every "
                                  "parcel's SIRUTA and hold no buildings: import this file alone.")
        with transaction.atomic(), connection.cursor() as cursor:
            _direct_load(cursor, parts=parts, report=report, strict=strict, progress=progress, total=total,
                         rebuild_indexes=False)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # One import at a time: a concurrent upsert of the same parcels would otherwise deadlock.
        cursor.execute("LOCK TABLE parcels_parcel IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM parcels_parcel)")
        empty = cursor.fetchone()[0]
        if srid == 3844 and uats_known and buildings is None and (empty or _new_uats(cursor, uats)):
            _direct_load(cursor, parts=parts, report=report, strict=strict, progress=progress, total=total,
                         rebuild_indexes=empty)
            return
        _staged_load(cursor, parts=parts, srid=srid, report=report, buildings=buildings, strict=strict,
                     progress=progress, total=total)


def refuse_if_strict(strict: bool, report: ImportReport) -> None:
    if strict and report.rejected:
        raise ImportFileError(f"{report.rejected} rows were rejected and --strict was given: nothing imported.")


def _stage_part(cursor, part: Rows) -> None:
    n = len(part)
    data = [[str(r) for r in part.rows.tolist()],
            _text_column([None if u is None else str(u) for u in part.uat_ids.tolist()])]
    for name in TEXT_COLUMNS:
        col = part.columns.get(name)
        data.append(_text_column(_as_list(col)) if col is not None else [r"\N"] * n)
    legal = part.columns.get("legal_area_m2")
    data.append(_float_column(legal) if legal is not None else [r"\N"] * n)
    data.append(shapely.to_wkb(shapely.from_wkb(part.wkb), hex=True).tolist())
    _copy(cursor.cursor, "parcel_stage", ("row", "uat_id") + TEXT_COLUMNS + ("legal_area_m2", "geom"), data, n, None,
          "staging")


def _staged_load(cursor, *, parts: Iterable[Rows], srid, report, buildings, strict, progress, total) -> None:
    """General path: stage (part by part, as the rows are checked), resolve UATs spatially, reject
    duplicates in SQL, upsert, buildings."""
    cursor.execute(STAGE_SQL)
    staged = 0
    for part in parts:
        if len(part):
            _stage_part(cursor, part)
            staged += len(part)
            if progress:
                progress("staging", int(part.rows[-1]), total)
    refuse_if_strict(strict, report)
    if not staged:
        return
    # Parcels with no UAT from --uat or a SIRUTA attribute: the UAT containing them.
    cursor.execute(f"""UPDATE parcel_stage s SET uat_id = u.id FROM parcels_uat u
                      WHERE s.uat_id IS NULL AND ST_Intersects(u.boundary, ST_PointOnSurface({_geom_sql(srid)}))""")
    cursor.execute("""UPDATE parcel_stage SET reason = 'No UAT: no SIRUTA in the file or --uat matches a UAT, '
                      'and the parcel lies inside no UAT boundary.' WHERE uat_id IS NULL""")
    # Duplicates are reported, never resolved silently by "last row wins".
    cursor.execute("""
        WITH dup AS (SELECT uat_id, cadastral_number, string_agg(row::text, ', ' ORDER BY row) AS rows_
                     FROM parcel_stage WHERE uat_id IS NOT NULL
                     GROUP BY 1, 2 HAVING count(*) > 1)
        UPDATE parcel_stage s SET reason = 'Duplicate cadastral number ' || s.cadastral_number
               || ' in this file (rows ' || dup.rows_ || '); none of these rows was imported.'
        FROM dup WHERE s.uat_id = dup.uat_id AND s.cadastral_number = dup.cadastral_number""")
    cursor.execute("SELECT row, cadastral_number, reason FROM parcel_stage WHERE reason IS NOT NULL ORDER BY row")
    for row, cad, reason in cursor.fetchall():
        report.reject(row, cad, reason)
    refuse_if_strict(strict, report)
    if progress:
        progress("upserting", 0, 1)
    _upsert(cursor, srid, report)
    if buildings is not None and len(buildings["rows"]):
        _load_buildings(cursor, srid, buildings, report)
    if progress:
        progress("upserting", 1, 1)


def _plain_wkb(wkb: np.ndarray, arrow: pa.ChunkedArray | None) -> pa.Array | pa.ChunkedArray:
    """WKB as an Arrow array, every row a little-endian 2D Polygon/MultiPolygon (what GDAL and GEOS
    write; the rare big-endian or extended row is rewritten by GEOS). `arrow`, the same rows as the
    reader's Arrow array, saves converting ~200 MB of bytes objects."""
    arr = arrow if arrow is not None else pa.array(wkb, type=pa.binary())
    odd = np.flatnonzero(~binary_copy.is_plain_polygon_wkb(arr))
    if len(odd):
        values = wkb.tolist()
        for i in odd.tolist():
            values[i] = shapely.to_wkb(shapely.from_wkb(values[i]), byte_order=1, output_dimension=2, flavor="iso")
        arr = pa.array(values, type=pa.binary())
    return arr


def repeated_keys(uat_ids: np.ndarray, cads: pa.Array) -> np.ndarray:
    """Mask of the rows whose (UAT, cadastral number) occurs more than once: the keys sorted in
    Arrow and each compared with its neighbour (~20 bytes a row, no hash table, no Python tuple)."""
    n = len(cads)
    repeated = np.zeros(n, dtype=bool)
    if n < 2:
        return repeated
    uats = pa.array(np.asarray(uat_ids, dtype=np.int64))
    order = pc.sort_indices(pa.table({"uat": uats, "cad": cads}), sort_keys=[("uat", "ascending"), ("cad", "ascending")])
    uats, cads = uats.take(order), cads.take(order)
    same = pc.and_(pc.equal(uats[1:], uats[:-1]), pc.equal(cads[1:], cads[:-1])).to_numpy(zero_copy_only=False)
    if not same.any():
        return repeated
    in_order = np.zeros(n, dtype=bool)
    in_order[1:] |= same
    in_order[:-1] |= same
    repeated[order.to_numpy()] = in_order
    return repeated


def _without_duplicates(part: Rows, report: ImportReport, strict: bool) -> Rows:
    """The part without rows whose (UAT, cadastral number) repeats in it, each of them reported."""
    if not repeated_keys(part.uat_ids, part.columns["cadastral_number"]).any():
        return part
    cads = cast(pa.Array, part.columns["cadastral_number"]).to_pylist()
    keys = list(zip(part.uat_ids.tolist(), cads, strict=True))
    counts = Counter(keys)
    where: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        if counts[key] > 1:
            where.setdefault(key, []).append(i)
    keep = np.ones(len(part), dtype=bool)
    for key, idx in where.items():
        listed = ", ".join(str(part.rows[i]) for i in idx)
        for i in idx:
            keep[i] = False
            report.reject(int(part.rows[i]), key[1], f"Duplicate cadastral number {key[1]} in this file (rows "
                                                     f"{listed}); none of these rows was imported.")
    refuse_if_strict(strict, report)
    return part.subset(keep)


def _new_uats(cursor, uats: Iterable[int]) -> bool:
    """Whether none of these UATs has a parcel yet (the next county of a national load)."""
    ids = sorted(set(uats))
    if not ids:
        return False
    cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM parcels_parcel WHERE uat_id = ANY(%s))", [ids])
    return bool(cursor.fetchone()[0])


def _direct_load(cursor, *, parts: Iterable[Rows], report, strict, progress, total, rebuild_indexes: bool) -> None:
    """Fast path for the first load of an empty table, or of UATs without parcels yet, in Stereo 70:
    rows checked in Python are COPied straight into parcels_parcel in binary format (built
    column-wise, see binary_copy); no staging table, no second pass. Into an empty table the
    indexes and foreign key are rebuilt once at the end; into a table that already holds other
    UATs' parcels they stay and are maintained row by row, so readers are never locked out (a
    rebuild would take an ACCESS EXCLUSIVE lock on the whole country's parcels) — the table lock
    taken by load() keeps other writers away, and the UATs' emptiness means no key can clash.
    Each part is checked (by the caller's iterator) while the server ingests the previous one.
    A repeated (UAT, cadastral number) can only occur within one part: the caller holds back
    every row whose key repeats in the file and yields those rows together, last."""
    restore = _bulk_drop(cursor) if rebuild_indexes else []
    names = ("id", "uat_id", "measured_area_m2", "updated_at", "legal_area_m2", *DIRECT_TEXT, "geom")
    now = binary_copy.timestamptz_value(timezone.now())
    first_id = _reserve_ids(cursor, total)
    inserted = 0
    # The writer keeps one chunk in flight, so the next chunk is checked and built while the server
    # ingests the previous one, and no more than that waits in memory.
    sql = f"COPY parcels_parcel ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
    with cursor.cursor.copy(sql, writer=DrainingWriter(cursor.cursor)) as copy:
        copy.write(binary_copy.SIGNATURE)
        for part in parts:
            part = _without_duplicates(part, report, strict)
            for start in range(0, len(part), COPY_CHUNK):
                piece = slice(start, min(start + COPY_CHUNK, len(part)))
                copy.write(_binary_rows(part, piece, len(names), now, first_id + inserted + start))
            inserted += len(part)
            if progress and len(part):
                progress("loading", int(part.rows[-1]), total)
        copy.write(binary_copy.TRAILER)
    refuse_if_strict(strict, report)  # rows rejected while they streamed: roll everything back
    if inserted < total:  # hand the ids of rejected rows back (no gap after a load with rejections)
        cursor.execute(f"SELECT setval({_ID_SEQUENCE}, %s, %s)",
                       [first_id + inserted - 1 if inserted else first_id, inserted > 0])
    if progress:
        progress("indexing", 0, 1)
    for statement in restore:
        cursor.execute(statement)
    report.inserted = inserted


_ID_SEQUENCE = "pg_get_serial_sequence('parcels_parcel', 'id')"


def _reserve_ids(cursor, count: int) -> int:
    """The first of `count` consecutive new parcel ids, taken from the identity sequence at once:
    the column default, evaluated per row, cost ~1.8 µs of server time per row (a third of the
    COPY's own work on a 2-core VM). Nobody else takes ids meanwhile: inserting a parcel needs a
    lock that conflicts with the import's table lock."""
    if count < 1:
        return 1
    cursor.execute(f"SELECT setval({_ID_SEQUENCE}, nextval({_ID_SEQUENCE}) + %s - 1) - %s + 1", [count, count])
    return cursor.fetchone()[0]


def _binary_rows(part: Rows, piece: slice, count: int, now: int, first_id: int) -> memoryview:
    size = piece.stop - piece.start
    arrow = part.wkb_arrow[piece] if part.wkb_arrow is not None else None
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    pieces = [binary_copy.fixed_fields(size, count, [
        (">i8", np.arange(first_id, first_id + size, dtype=np.int64)),
        (">i8", np.asarray(part.uat_ids[piece], dtype=np.int64)), (">f8", part.area[piece]), (">i8", now)])]
    legal = part.columns.get("legal_area_m2")
    pieces.append(binary_copy.nullable_float8(legal[piece] if legal is not None else np.full(size, np.nan)))
    for name in DIRECT_TEXT:
        pieces += binary_copy.text_field(part.columns[name][piece] if name in part.columns else [""] * size)
    pieces += binary_copy.multipolygon_ewkb_field(_plain_wkb(part.wkb[piece], arrow), 3844)
    return binary_copy.rows_payload(pieces)


def _upsert(cursor, srid: int, report: ImportReport) -> None:
    cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM parcels_parcel)")
    bulk = cursor.fetchone()[0]
    select = f"""
        SELECT s.uat_id, s.cadastral_number, coalesce(s.cf_number, ''), coalesce(s.old_cf_number, ''),
               coalesce(s.topo_number, ''), g.geom, s.legal_area_m2, ST_Area(g.geom), coalesce(s.use_category, ''),
               coalesce(s.address, ''), now()
        FROM parcel_stage s, LATERAL (SELECT {_geom_sql(srid)} AS geom) g
        WHERE s.reason IS NULL"""
    columns = f"({', '.join(PARCEL_COLUMNS)})"
    if bulk:
        restore = _bulk_drop(cursor)
        cursor.execute(f"INSERT INTO parcels_parcel {columns} {select}")
        report.inserted = cursor.rowcount
        for statement in restore:
            cursor.execute(statement)
        return
    cursor.execute(f"""
        WITH up AS (
            INSERT INTO parcels_parcel {columns} {select}
            ON CONFLICT (uat_id, cadastral_number) DO UPDATE SET
                cf_number = EXCLUDED.cf_number, old_cf_number = EXCLUDED.old_cf_number,
                topo_number = EXCLUDED.topo_number, geom = EXCLUDED.geom, legal_area_m2 = EXCLUDED.legal_area_m2,
                measured_area_m2 = EXCLUDED.measured_area_m2, use_category = EXCLUDED.use_category,
                address = EXCLUDED.address, updated_at = EXCLUDED.updated_at
            RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up""")
    report.inserted, report.updated = cursor.fetchone()


def _load_buildings(cursor, srid: int, b: dict[str, np.ndarray], report: ImportReport) -> None:
    """Buildings of the imported parcels: the file is the new truth for those parcels, so buildings
    it no longer lists are removed and the others upserted by (parcel, cadastral id)."""
    cursor.execute(BUILDING_STAGE_SQL)
    data = [[str(v) for v in b[k].tolist()] for k in ("rows", "parcel_row")]
    data += [[_escape(v) for v in b[k].tolist()] for k in ("cadastral_id", "levels", "height_m", "destination")]
    data.append([w.hex() for w in b["wkb"].tolist()])
    _copy(cursor.cursor, "building_stage", ("row", "parcel_row", "cadastral_id", "levels", "height_m",
                                            "destination", "geom"), data, len(b["rows"]), None, "buildings")
    cursor.execute("""
        CREATE TEMP TABLE building_target ON COMMIT DROP AS
        SELECT b.*, p.id AS parcel_id FROM building_stage b
        JOIN parcel_stage s ON s.row = b.parcel_row AND s.reason IS NULL
        JOIN parcels_parcel p ON p.uat_id = s.uat_id AND p.cadastral_number = s.cadastral_number""")
    cursor.execute("""
        SELECT b.row, b.cadastral_id FROM building_stage b
        WHERE NOT EXISTS (SELECT 1 FROM building_target t WHERE t.row = b.row) ORDER BY b.row""")
    for row, cadastral_id in cursor.fetchall():
        report.reject(row, f"building {cadastral_id}", "Its parcel is not in this file or was rejected.")
    cursor.execute("""
        DELETE FROM parcels_building d USING (SELECT DISTINCT parcel_id FROM building_target) t
        WHERE d.parcel_id = t.parcel_id
          AND NOT EXISTS (SELECT 1 FROM building_target k WHERE k.parcel_id = d.parcel_id
                          AND k.cadastral_id = d.cadastral_id)""")
    cursor.execute(f"""
        INSERT INTO parcels_building (parcel_id, cadastral_id, footprint, levels, height_m, built_area_m2, destination)
        SELECT t.parcel_id, t.cadastral_id, g.geom, coalesce(t.levels, 1), t.height_m, ST_Area(g.geom),
               coalesce(t.destination, '')
        FROM building_target t, LATERAL (SELECT {_geom_sql(srid, 't.geom')} AS geom) g
        ON CONFLICT (parcel_id, cadastral_id) DO UPDATE SET footprint = EXCLUDED.footprint,
            levels = EXCLUDED.levels, height_m = EXCLUDED.height_m, built_area_m2 = EXCLUDED.built_area_m2,
            destination = EXCLUDED.destination""")
    report.buildings = cursor.rowcount
