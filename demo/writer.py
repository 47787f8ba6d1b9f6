"""Set-based writes for the demo county: COPY for parcels, buildings and features.

A million ORM saves would take an hour; COPY with pre-reserved ids takes seconds and lets
buildings reference their parcels without reading the ids back.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import shapely
from django.db import connection

SRID = 3844


def ewkb_hex(geoms: np.ndarray) -> np.ndarray:
    return shapely.to_wkb(shapely.set_srid(geoms, SRID), hex=True, include_srid=True)


def reserve_ids(table: str, count: int) -> int:
    """Reserve `count` consecutive ids from the table's identity sequence; returns the first."""
    if count == 0:
        return 0
    with connection.cursor() as cur:
        cur.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        last = cur.fetchone()[0]
    return last - count + 1


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY rows into a table inside the current transaction; returns the number written."""
    n = 0
    with connection.cursor() as cur:
        raw = cur.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def copy_features(*, version_id: int, source_ids: Sequence[str], names: Sequence[str],
                  attrs: Sequence[dict], geoms: Sequence) -> int:
    """Insert the features of one layer version (geometries are shapely, EPSG:3844)."""
    hexes = ewkb_hex(np.asarray(geoms, dtype=object))
    rows = ((version_id, s, n, json.dumps(a, ensure_ascii=False), h)
            for s, n, a, h in zip(source_ids, names, attrs, hexes, strict=True))
    return copy_rows("layers_feature", ("version_id", "source_id", "name", "attrs", "geom"), rows)


def execute(sql: str, params: Sequence | None = None) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.rowcount


@contextlib.contextmanager
def gist_indexes_deferred(table: str, *, enabled: bool = True) -> Iterator[None]:
    """Drop the table's GiST indexes during a bulk load and rebuild them after.

    Building a GiST index once over a million rows is several times faster than updating it
    row by row. Runs inside the caller's transaction, so a failure restores the indexes too.
    The definitions are read back from pg_indexes, so the owning app's migrations stay the truth.
    """
    if not enabled:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                    " AND tablename = %s AND indexdef ILIKE '%%USING gist%%'", [table])
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cur:
        # Deferred foreign-key checks of the loaded rows must run before an index can be built.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _, definition in indexes:
            cur.execute(definition)
