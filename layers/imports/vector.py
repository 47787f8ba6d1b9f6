"""Vector files (GeoJSON, GeoPackage, zipped Shapefile) into Features of a new layer version.

Rows go through a temporary table so that reprojection (ST_Transform, EPSG codes through PROJ),
validation and repair (ST_MakeValid) happen in PostGIS in a few set-based statements, not per row
in Python.
"""
from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection

from gis_portal.api.crs import RO_LONLAT, RO_STEREO70
from layers.imports.common import srid_from_crs

ID_COLUMNS = ("source_id", "id", "fid", "cod", "code")
NAME_COLUMNS = ("name", "nume", "denumire")


def ogr_path(path: Path) -> str:
    """GDAL reads zipped Shapefiles through /vsizip/."""
    return f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)


def read_rows(path: Path, *, declared_srid: int | None) -> tuple[int, list[tuple]]:
    """Read a vector file: (source EPSG code, [(row_no, source_id, name, attrs_json, wkb)])."""
    import pyogrio
    import shapely

    try:
        df = pyogrio.read_dataframe(ogr_path(path), fid_as_index=True)
    except Exception as exc:  # noqa: BLE001 - GDAL errors come in many types
        raise ValidationError({"file": [f"Cannot read {path.name} as a vector file: {exc}"]}) from None
    crs = df.crs.to_string() if df.crs is not None else None
    if crs is None and declared_srid is None and path.suffix.lower() in (".geojson", ".json"):
        crs = "EPSG:4326"  # RFC 7946: GeoJSON without a crs member is WGS 84
    srid = srid_from_crs(crs, declared=declared_srid)
    columns = [c for c in df.columns if c != df.geometry.name]
    lower = {c.lower(): c for c in columns}
    id_col = next((lower[c] for c in ID_COLUMNS if c in lower), None)
    name_col = next((lower[c] for c in NAME_COLUMNS if c in lower), None)
    # pandas turns dates, numpy numbers and NaN into plain JSON values.
    attrs = (json.loads(df[columns].to_json(orient="records", date_format="iso", default_handler=str))
             if columns else [{} for _ in range(len(df))])
    wkbs = shapely.to_wkb(df.geometry.values, output_dimension=2)
    rows = []
    for i, (fid, record, wkb) in enumerate(zip(df.index, attrs, wkbs, strict=True), start=1):
        source_id = record.get(id_col) if id_col else fid
        name = record.get(name_col) if name_col else ""
        rows.append((i, str(source_id if source_id is not None else "")[:100], str(name or "")[:255],
                     json.dumps(record), wkb))
    return srid, rows


def features_load(*, version_id: int, srid: int, rows: list[tuple], on_invalid: str) -> tuple[int, list, list]:
    """Insert the rows as Features of the version; return (imported, repaired, rejected)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE TEMP TABLE _import_rows (row_no int, source_id text, name text, attrs jsonb, g geometry,
                                            status text DEFAULT 'ok', reason text) ON COMMIT DROP
        """)
        cursor.executemany(
            "INSERT INTO _import_rows (row_no, source_id, name, attrs, g) VALUES (%s, %s, %s, %s, ST_GeomFromWKB(%s, %s))",
            [(*row, srid) for row in rows],
        )
        cursor.execute("UPDATE _import_rows SET status = 'rejected', reason = 'empty or missing geometry' "
                       "WHERE g IS NULL OR ST_IsEmpty(g)")
        # Check plausibility in the source CRS first: PROJ fails on, e.g., metres declared as degrees.
        source_box = {4326: RO_LONLAT, 4258: RO_LONLAT, 3844: RO_STEREO70, 31700: RO_STEREO70}.get(srid)
        if source_box:
            cursor.execute(
                """UPDATE _import_rows SET status = 'rejected', reason = %s
                   WHERE status = 'ok' AND NOT ST_Within(g, ST_MakeEnvelope(%s, %s, %s, %s, %s))""",
                [f"outside Romania in EPSG:{srid} (check the CRS or --srid)", *source_box, srid],
            )
        cursor.execute("UPDATE _import_rows SET g = ST_Transform(g, 3844) WHERE status = 'ok'")
        cursor.execute(
            """UPDATE _import_rows SET status = 'rejected', reason = 'outside Romania (check the CRS or --srid)'
               WHERE status = 'ok' AND NOT ST_Within(g, ST_MakeEnvelope(%s, %s, %s, %s, 3844))""",
            list(RO_STEREO70),
        )
        cursor.execute("UPDATE _import_rows SET status = 'invalid', reason = ST_IsValidReason(g) "
                       "WHERE status = 'ok' AND NOT ST_IsValid(g)")
        if on_invalid == "reject":
            cursor.execute("UPDATE _import_rows SET status = 'rejected', reason = 'invalid: ' || reason "
                           "WHERE status = 'invalid'")
        else:
            # Keep only the parts of the original dimension (a polygon stays polygonal).
            cursor.execute("""
                UPDATE _import_rows SET status = 'repaired',
                       g = ST_CollectionExtract(ST_MakeValid(g), ST_Dimension(g) + 1)
                WHERE status = 'invalid'
            """)
            cursor.execute("UPDATE _import_rows SET status = 'rejected', reason = 'invalid, not repairable: ' || reason "
                           "WHERE status = 'repaired' AND (ST_IsEmpty(g) OR NOT ST_IsValid(g))")
        cursor.execute(
            """INSERT INTO layers_feature (version_id, source_id, name, attrs, geom)
               SELECT %s, source_id, name, attrs, g FROM _import_rows WHERE status IN ('ok', 'repaired')
               ORDER BY row_no""",
            [version_id],
        )
        imported = cursor.rowcount
        cursor.execute("SELECT row_no, source_id, status, reason FROM _import_rows "
                       "WHERE status IN ('repaired', 'rejected') ORDER BY row_no")
        report = [{"row": r, "source_id": s, "status": st, "reason": reason} for r, s, st, reason in cursor.fetchall()]
        cursor.execute("DROP TABLE _import_rows")
    repaired = [r for r in report if r["status"] == "repaired"]
    rejected = [r for r in report if r["status"] == "rejected"]
    return imported, repaired, rejected


def coverage_wkb_from_file(path: Path, *, declared_srid: int | None) -> bytes:
    """The union of a coverage file's polygons, in EPSG:3844, as WKB."""
    srid, rows = read_rows(path, declared_srid=declared_srid)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ST_AsBinary(ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Transform(
                   ST_Union(ST_GeomFromWKB(w, %s)), 3844)), 3)))
               FROM unnest(%s::bytea[]) AS w""",
            [srid, [row[4] for row in rows if row[4] is not None]],
        )
        wkb = cursor.fetchone()[0]
    if wkb is None:
        raise ValidationError({"coverage": [f"{path.name} holds no polygon."]})
    return bytes(wkb)
