"""Synthetic national geography for `bench/national.py`: 42 counties, ~3,200 UATs, their layers, and
parcel files written county segment by county segment, in chunks (never a whole file in memory).

Geography (EPSG:3844, Stereo 70): Romania's extent E 150–850 km, N 250–730 km cut into 7 × 6
county cells of 100 × 80 km; each county into 8 × 10 UAT cells of 12.5 × 8 km, 76 or 77 of them
used (3,200 UATs in all; the country has 3,181). Each UAT holds one block of 20 × 30 m parcels with
jittered corners, 100 parcels a row, starting 1 km inside its cell: the same density at every
size, so growth measures the table, not denser tiles. UATs are filled in order; a size of N
parcels is the first N / per_uat UATs.

Layers (published through layers.services, like any upload): per UAT two UTR zones (L1a west, M2
east, with their ZoningUnit regulations), a flood zone and a national road axis crossing the
block, a 20 kV power line, and a Natura 2000 site on every third UAT.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

COUNTY_COLS, COUNTY_ROWS, COUNTY_W, COUNTY_H = 7, 6, 100_000.0, 80_000.0
E0, N0 = 150_000.0, 250_000.0
UAT_COLS, UAT_W, UAT_H = 8, 12_500.0, 8_000.0
UATS = 3_200
LOT_W, LOT_H, ROW_LOTS, MARGIN = 20.0, 30.0, 100, 1_000.0
USES = np.array(["CC", "A", "CC", "CC", "A", "P", "L", "V", "DR", "CC"], dtype=object)


@dataclass(frozen=True)
class Uat:
    index: int  # 0..UATS-1, filling order
    county: int
    siruta: int
    x0: float  # south-west corner of its cell
    y0: float

    @property
    def code(self) -> str:  # two letters, like a county's code
        return chr(65 + self.county // 26) + chr(65 + self.county % 26)

    def cell(self) -> tuple[float, float, float, float]:
        return self.x0, self.y0, self.x0 + UAT_W, self.y0 + UAT_H

    def block(self, per_uat: int) -> tuple[float, float, float, float]:
        rows = math.ceil(per_uat / ROW_LOTS)
        bx, by = self.x0 + MARGIN, self.y0 + MARGIN
        return bx, by, bx + ROW_LOTS * LOT_W, by + rows * LOT_H


def uats() -> list[Uat]:
    """3,200 UATs: 42 counties, the first 8 with 77 UATs, the others with 76."""
    out: list[Uat] = []
    for county in range(COUNTY_COLS * COUNTY_ROWS):
        cx, cy = E0 + (county % COUNTY_COLS) * COUNTY_W, N0 + (county // COUNTY_COLS) * COUNTY_H
        for k in range(77 if county < 8 else 76):
            out.append(Uat(len(out), county, 1_000_000 + county * 1000 + k,
                           cx + (k % UAT_COLS) * UAT_W, cy + (k // UAT_COLS) * UAT_H))
    assert len(out) == UATS
    return out


def parcels_of(uat: Uat, per_uat: int, seed: int = 70) -> tuple[np.ndarray, list[np.ndarray], list[str]]:
    """WKB polygons and attribute columns of one UAT's parcels (deterministic)."""
    import shapely

    rng = np.random.default_rng([seed, uat.index])
    i = np.arange(per_uat)
    x0 = uat.x0 + MARGIN + (i % ROW_LOTS) * LOT_W
    y0 = uat.y0 + MARGIN + (i // ROW_LOTS) * LOT_H
    jitter = rng.uniform(-2.0, 2.0, size=(per_uat, 4, 2))
    corners = np.stack([np.column_stack([x0, y0]), np.column_stack([x0 + LOT_W, y0]),
                        np.column_stack([x0 + LOT_W, y0 + LOT_H]), np.column_stack([x0, y0 + LOT_H])],
                       axis=1) + jitter
    rings = np.concatenate([corners, corners[:, :1]], axis=1).round(2)
    polygons = shapely.polygons(rings)
    cad = np.array([str(100000 + k) for k in range(per_uat)], dtype=object)
    fields = [cad, cad.copy(), USES[i % len(USES)], np.round(shapely.area(polygons), 0),
              np.full(per_uat, uat.siruta, dtype=np.int32)]
    return shapely.to_wkb(polygons), fields, ["cadastral_number", "cf_number", "use_category", "legal_area_m2",
                                                "siruta"]


def segments(all_uats: list[Uat], sizes: list[int], per_uat: int) -> list[tuple[int, list[Uat]]]:
    """(step, UATs) of each file: the UATs added by each size, cut at county boundaries."""
    out: list[tuple[int, list[Uat]]] = []
    done = 0
    for step, size in enumerate(sizes):
        upto = size // per_uat
        if upto > len(all_uats) or upto <= done:
            raise SystemExit(f"size {size}: needs 1..{len(all_uats)} UATs of {per_uat} parcels, growing")
        group: list[Uat] = []
        for uat in all_uats[done:upto]:
            if group and group[-1].county != uat.county:
                out.append((step, group))
                group = []
            group.append(uat)
        out.append((step, group))
        done = upto
    return out


def write_segment(path: Path, group: list[Uat], per_uat: int) -> None:
    """One GeoPackage of these UATs' parcels, written UAT by UAT (never the whole file in memory).

    GDAL creates the (empty) layer; the rows go in through SQLite itself as GeoPackage geometry
    blobs (header, envelope, little-endian WKB) — GDAL's per-feature writer was 20x slower, the
    largest part of the benchmark's run time. No spatial index: the readers scan the file."""
    import sqlite3
    import struct

    import pyogrio.raw
    import shapely

    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    wkb, fields, names = parcels_of(group[0], 1)
    pyogrio.raw.write(str(tmp), wkb[:0], [f[:0] for f in fields], fields=names, layer="parcels", driver="GPKG",
                      geometry_type="Polygon", crs="EPSG:3844", layer_options={"SPATIAL_INDEX": "NO"})
    db = sqlite3.connect(tmp)
    try:
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA journal_mode = OFF")
        # GDAL's per-row feature-count trigger: the count is set once at the end instead.
        db.execute("DROP TRIGGER IF EXISTS trigger_insert_feature_count_parcels")
        (geom_col,) = db.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = 'parcels'").fetchone()
        sql = (f'INSERT INTO parcels ("{geom_col}", {", ".join(names)}) '
               f'VALUES ({", ".join("?" * (len(names) + 1))})')
        head = b"GP\x00\x03" + struct.pack("<i", 3844)  # version 0, little-endian, xy envelope
        for uat in group:
            wkb, fields, _ = parcels_of(uat, per_uat)
            bounds = shapely.bounds(shapely.from_wkb(wkb))  # minx, miny, maxx, maxy
            blobs = [head + struct.pack("<4d", b[0], b[2], b[1], b[3]) + w for b, w in zip(bounds, wkb, strict=True)]
            columns = [c.tolist() for c in fields]
            db.executemany(sql, zip(blobs, *columns, strict=True))
        x0, y0 = group[0].x0, group[0].y0
        db.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = 'parcels'",
                   [x0, y0, group[-1].x0 + UAT_W, group[-1].y0 + UAT_H])
        db.execute("UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM parcels) "
                   "WHERE lower(table_name) = 'parcels'")
        db.commit()
    finally:
        db.close()
    tmp.rename(path)


def uat_rows(group: list[Uat]) -> Iterator[tuple]:
    for u in group:
        x0, y0, x1, y1 = u.cell()
        yield (u.siruta, f"UAT sintetic {u.siruta}", f"Județ sintetic {u.code}", u.code,
               "comuna", f"SRID=3844;MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))")


def layer_features(group: list[Uat], per_uat: int) -> dict[str, list[tuple]]:
    """(source_id, name, attrs, shapely geometry) per layer theme for these UATs."""
    from shapely.geometry import LineString, Polygon, box

    out: dict[str, list[tuple]] = {t: [] for t in ("utr_polygon", "flood_hazard_zone", "road_axis_national",
                                                   "power_line_20kV", "natura2000_site")}
    a = np.linspace(0, 2 * math.pi, 96, endpoint=False)
    for u in group:
        bx0, by0, bx1, by1 = u.block(per_uat)
        mid = (bx0 + bx1) / 2
        s = u.siruta
        out["utr_polygon"].append((f"UTR-{s}-L1a", "L1a", {"utr_code": "L1a", "siruta": s},
                                   box(bx0 - 200, by0 - 200, mid, by1 + 200)))
        out["utr_polygon"].append((f"UTR-{s}-M2", "M2", {"utr_code": "M2", "siruta": s},
                                   box(mid, by0 - 200, bx1 + 200, by1 + 200)))
        cx, cy, r = bx0 + 0.25 * (bx1 - bx0), by0 + 0.3 * (by1 - by0), 0.2 * (bx1 - bx0)
        wobble = 1 + 0.2 * np.sin(3 * a + s % 7)
        out["flood_hazard_zone"].append((f"INUND-{s}", f"Zonă inundabilă {s}", {"return_period": "1%"},
                                         Polygon(np.column_stack([cx + r * wobble * np.cos(a),
                                                                  cy + r * wobble * np.sin(a)]).round(2))))
        ym = (by0 + by1) / 2
        out["road_axis_national"].append((f"DN-{s}", f"DN sintetic {s}", {"category": "DN"},
                                          LineString([(u.x0, ym), (u.x0 + UAT_W, ym + 150)])))
        out["power_line_20kV"].append((f"LEA-{s}", f"LEA 20 kV {s}", {"voltage_kv": 20},
                                       LineString([(bx0 - 300, by0 - 300), (bx1 + 300, by1 + 300)])))
        if u.index % 3 == 0:
            out["natura2000_site"].append((f"ROSCI9{s}", f"Sit sintetic {s}", {"site_code": f"ROSCI9{s}"},
                                           box(mid + 300, ym, bx1 + 500, by1 + 500)))
    return out
