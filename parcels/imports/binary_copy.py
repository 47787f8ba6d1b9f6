"""PostgreSQL binary COPY payloads built column-wise with NumPy and Arrow (no per-row Python).

A binary COPY row is: int16 field count, then per field an int32 byte length (-1 for NULL) and
the value in network byte order. Each field is built as one Arrow binary array of
"length + value" for all rows at once, the fields are concatenated element-wise in C++
(`binary_join_element_wise`), and the values buffer of the result is already the rows back to
back. The server then skips the text parsing of COPY (hex geometry, floats, timestamps), and
Python never formats a row.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # + flags, extension length
TRAILER = b"\xff\xff"
NULL = b"\xff\xff\xff\xff"
PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
POLYGON_LE, MULTIPOLYGON_LE = b"\x01\x03\x00\x00\x00", b"\x01\x06\x00\x00\x00"


def _from_fixed(data: np.ndarray) -> pa.Array:
    """A binary array over the rows of a structured (fixed-size) NumPy array, zero-copy."""
    n, size = len(data), data.dtype.itemsize
    offsets = np.arange(n + 1, dtype=np.int32) * size
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())])


def fixed_fields(n: int, count: int, fields: list[tuple[str, np.ndarray | int]]) -> pa.Array:
    """The row header (field count) and NOT NULL fixed-size fields: [(">i8" | ">f8", values), ...]."""
    dtype = [("count", ">i2")] + [item for i, (kind, _v) in enumerate(fields)
                                  for item in ((f"l{i}", ">i4"), (f"v{i}", kind))]
    data = np.empty(n, dtype=dtype)
    data["count"] = count
    for i, (kind, values) in enumerate(fields):
        data[f"l{i}"] = np.dtype(kind).itemsize
        data[f"v{i}"] = values
    return _from_fixed(data)


def nullable_float8(values: np.ndarray) -> pa.Array:
    """float8 field where NaN means NULL."""
    values = np.asarray(values, dtype=float)
    data = np.empty(len(values), dtype=[("l", ">i4"), ("v", ">f8")])
    data["l"], data["v"] = 8, values
    field = _from_fixed(data)
    nulls = np.isnan(values)
    if not nulls.any():
        return field
    return pc.if_else(pa.array(nulls), pa.scalar(NULL, pa.binary()), field)


def _length_prefixed(values: pa.Array) -> list[pa.Array]:
    lengths = pc.binary_length(values).to_numpy(zero_copy_only=False).astype(">i4")
    return [_from_fixed(lengths.view([("l", ">i4")])), values]


def text_field(values: pa.Array | list[str]) -> list[pa.Array]:
    """NOT NULL text field (UTF-8), as [lengths, values] pieces."""
    values = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    return _length_prefixed(values.cast(pa.binary()))


def multipolygon_ewkb_field(wkb: pa.Array, srid: int) -> list[pa.Array]:
    """Little-endian 2D Polygon/MultiPolygon WKB → EWKB MultiPolygon with SRID, by byte prefixes:
    a Polygon becomes the single member of a MultiPolygon. Other encodings must have been
    rewritten before (see loader)."""
    polygon_prefix = pa.scalar(b"\x01" + np.array([0x20000006, srid, 1], dtype="<u4").tobytes(), pa.binary())
    multi_prefix = pa.scalar(b"\x01" + np.array([0x20000006, srid], dtype="<u4").tobytes(), pa.binary())
    is_polygon = pc.equal(pc.binary_slice(wkb, 0, 5), pa.scalar(POLYGON_LE, pa.binary()))
    as_polygon = lambda values: pc.binary_join_element_wise(polygon_prefix, values, b"")  # noqa: E731
    as_multi = lambda values: pc.binary_join_element_wise(multi_prefix, pc.binary_slice(values, 5, 2**31 - 1), b"")  # noqa: E731
    # A layer holds one type almost always: only the branch that is needed is built.
    if pc.all(is_polygon).as_py():
        ewkb = as_polygon(wkb)
    elif not pc.any(is_polygon).as_py():
        ewkb = as_multi(wkb)
    else:
        ewkb = pc.if_else(is_polygon, as_polygon(wkb), as_multi(wkb))
    return _length_prefixed(ewkb)


def is_plain_polygon_wkb(wkb: pa.Array) -> np.ndarray:
    """Rows whose WKB is a little-endian 2D Polygon or MultiPolygon (what GDAL and GEOS write)."""
    head = pc.binary_slice(wkb, 0, 5)
    return (pc.equal(head, pa.scalar(POLYGON_LE, pa.binary())).to_numpy(zero_copy_only=False)
            | pc.equal(head, pa.scalar(MULTIPOLYGON_LE, pa.binary())).to_numpy(zero_copy_only=False))


def timestamptz_value(when: dt.datetime) -> int:
    """Microseconds since 2000-01-01 UTC: the binary form of timestamptz."""
    if when.tzinfo is None:  # USE_TZ off: naive datetimes are UTC here
        when = when.replace(tzinfo=dt.UTC)
    delta = when - PG_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def rows_payload(pieces: list[pa.Array]) -> memoryview:
    """The rows of one COPY chunk, back to back (no signature or trailer)."""
    joined = pc.binary_join_element_wise(*pieces, b"")
    _validity, offsets_buf, data_buf = joined.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=len(joined) + 1, offset=joined.offset * 4)
    return memoryview(data_buf)[offsets[0]:offsets[-1]]
