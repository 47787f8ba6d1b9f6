"""Vectorised parcel and building generation (numpy + shapely 2), no database access.

Intravilan: a grid of blocks between 12 m streets; each block holds two rows of lots whose
dividing lines are jittered, fewer and wider lots in the centre (M2/IS) and in industry (ID).
Extravilan: "tarlale" of long agricultural strips around the village, nearest first.
Lots are clipped against rivers, the lake, roads and the railway (with the setbacks of
demo.layout.SETBACK), slivers are dropped, and the first N by distance from the centre are kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from demo.catalog import BUILDING_KINDS, STREET_NAMES, STREET_PREFIXES
from demo.layout import BLOCK_D, BLOCK_W, PITCH_X, PITCH_Y, STREET_W, CountyLayout, UatLayout

ZONE_CODES = ("L1a", "M2", "ID", "IS", "V", "")  # index into this array; "" = extravilan
LOTS_BY_ZONE = {"M2": 3, "IS": 3, "ID": 2}
FIELD_CATEGORIES = np.array(["A", "P", "F", "L", "V"])
FIELD_WEIGHTS = np.array([0.66, 0.14, 0.12, 0.04, 0.04])


class NotEnoughRoom(Exception):
    """The layout holds fewer lots than asked for; the caller retries with a larger one."""


@dataclass
class ParcelSet:
    """Parcels of one UAT, in final order (index = position), with their buildings."""

    geoms: np.ndarray  # shapely MultiPolygons
    zone: np.ndarray  # index into ZONE_CODES
    category: np.ndarray
    address: list[str]
    cadastral: np.ndarray
    legal_area: np.ndarray
    # Buildings: parcel index, cadastral id, footprint, levels, height, destination.
    b_parcel: np.ndarray
    b_id: list[str]
    b_geom: np.ndarray
    b_levels: np.ndarray
    b_height: np.ndarray
    b_dest: list[str]
    street_names: list[str]  # horizontal streets (rows + 1), then vertical streets (cols + 1)


def street_names(rng: np.random.Generator, count: int) -> list[str]:
    combos = [f"{p} {n}" for p in STREET_PREFIXES for n in STREET_NAMES]
    order = rng.permutation(len(combos))
    names = [combos[i] for i in order]
    while len(names) < count:  # very large counties: numbered variants, as new districts have
        names += [f"{n} {len(names) // len(combos) + 1}" for n in names[: len(combos)]]
    return names[:count]


def _clip(geoms: np.ndarray, clips: list, boundary) -> np.ndarray:
    """Cut lots by the hard features and the UAT boundary; only lots that touch them are touched."""
    geoms = geoms.copy()
    for clip in clips:
        shapely.prepare(clip)
        hit = shapely.intersects(clip, geoms)
        if hit.any():
            geoms[hit] = shapely.set_precision(shapely.difference(geoms[hit], clip), 0.01)
    inner = boundary.buffer(-0.05)
    shapely.prepare(inner)
    out = ~shapely.contains_properly(inner, geoms)
    if out.any():
        geoms[out] = shapely.set_precision(shapely.intersection(geoms[out], inner), 0.01)
    return geoms


def _to_multi(geoms: np.ndarray) -> np.ndarray:
    parts, index = shapely.get_parts(geoms, return_index=True)
    # Keep only polygonal parts (a cut can leave a stray line) and rebuild one multipolygon per lot.
    keep = shapely.get_type_id(parts) == 3
    return shapely.multipolygons(parts[keep], indices=index[keep])


def intravilan_candidates(lay: UatLayout, rng: np.random.Generator, county: CountyLayout):
    x0, y0, _, _ = lay.intra.bounds
    ii, jj = np.meshgrid(np.arange(lay.cols), np.arange(lay.rows), indexing="ij")
    ii, jj = ii.ravel(), jj.ravel()
    bx, by = x0 + STREET_W + ii * PITCH_X, y0 + STREET_W + jj * PITCH_Y
    centres = shapely.points(bx + BLOCK_W / 2, by + BLOCK_D / 2)
    zone = np.zeros(len(bx), dtype=np.int8)
    for code, geom in lay.zones.items():  # later zones do not overlap earlier ones (a partition)
        zone[shapely.intersects(geom, centres)] = ZONE_CODES.index(code)
    nlots = np.array([LOTS_BY_ZONE.get(ZONE_CODES[z], 6) for z in zone])
    ymid = by + BLOCK_D / 2 + rng.uniform(-4, 4, len(bx))
    out: dict[str, list[Any]] = {k: [] for k in ("xmin", "xmax", "ymin", "ymax", "zone", "row", "street", "block", "lot")}
    for nl in np.unique(nlots):
        sel = np.flatnonzero(nlots == nl)
        step = BLOCK_W / nl
        d = bx[sel, None] + np.arange(nl + 1) * step
        d[:, 1:-1] += rng.uniform(-0.15 * step, 0.15 * step, (len(sel), nl - 1))
        for row in (0, 1):
            lo = by[sel] if row == 0 else ymid[sel]
            hi = ymid[sel] if row == 0 else by[sel] + BLOCK_D
            out["xmin"].append(d[:, :-1].ravel())
            out["xmax"].append(d[:, 1:].ravel())
            out["ymin"].append(np.repeat(lo, nl))
            out["ymax"].append(np.repeat(hi, nl))
            out["zone"].append(np.repeat(zone[sel], nl))
            out["row"].append(np.full(len(sel) * nl, row))
            out["street"].append(np.repeat(jj[sel] + row, nl))
            out["block"].append(np.repeat(sel, nl))
            out["lot"].append(np.tile(np.arange(nl), len(sel)))
    c = {k: np.concatenate(v) for k, v in out.items()}
    for k in ("xmin", "xmax", "ymin", "ymax"):
        c[k] = np.round(c[k], 2)
    cx, cy = lay.centre
    c["dist"] = np.hypot((c["xmin"] + c["xmax"]) / 2 - cx, (c["ymin"] + c["ymax"]) / 2 - cy)
    c["geom"] = shapely.box(c["xmin"], c["ymin"], c["xmax"], c["ymax"])
    return c


def field_candidates(lay: UatLayout, rng: np.random.Generator):
    """Agricultural strips: tarlale of 400 x 200 m split into ~25 m strips, outside the intravilan."""
    tw, td, road, n = 400.0, 200.0, 8.0, 16
    rx0, ry0, rx1, ry1 = lay.rect.bounds
    ti, tj = np.meshgrid(np.arange(int((rx1 - rx0) // (tw + road))), np.arange(int((ry1 - ry0) // (td + road))),
                         indexing="ij")
    tx, ty = rx0 + road + ti.ravel() * (tw + road), ry0 + road + tj.ravel() * (td + road)
    ix0, iy0, ix1, iy1 = lay.intra.buffer(40.0).bounds
    outside = (tx + tw < ix0) | (tx > ix1) | (ty + td < iy0) | (ty > iy1)
    tx, ty = tx[outside], ty[outside]
    cx, cy = lay.centre
    order = np.argsort(np.hypot(tx + tw / 2 - cx, ty + td / 2 - cy), kind="stable")
    tx, ty = tx[order], ty[order]
    d = tx[:, None] + np.arange(n + 1) * (tw / n)
    d[:, 1:-1] += rng.uniform(-6, 6, (len(tx), n - 1))
    cat = rng.choice(len(FIELD_CATEGORIES), size=len(tx), p=FIELD_WEIGHTS)
    return {
        "geom": shapely.box(np.round(d[:, :-1], 2).ravel(), np.repeat(ty, n),
                            np.round(d[:, 1:], 2).ravel(), np.repeat(ty + td, n)),
        "tarla": np.repeat(np.arange(1, len(tx) + 1), n),
        "strip": np.tile(np.arange(1, n + 1), len(tx)),
        "category": np.repeat(FIELD_CATEGORIES[cat], n),
    }


def generate_uat(lay: UatLayout, county: CountyLayout, rng: np.random.Generator) -> ParcelSet:
    intra = intravilan_candidates(lay, rng, county)
    order = np.argsort(intra["dist"], kind="stable")
    intra = {k: v[order] for k, v in intra.items()}
    geoms = _clip(intra["geom"], county.clips, lay.boundary)
    ok = shapely.area(geoms) >= 80.0
    idx = np.flatnonzero(ok)[: lay.n_intra]
    if len(idx) < lay.n_intra:
        raise NotEnoughRoom(lay.spec.key)
    intra = {k: v[idx] for k, v in intra.items()}
    intra_geoms = _to_multi(geoms[idx])

    fields = field_candidates(lay, rng)
    # Clip only as many strips as can be needed: they are already ordered by distance.
    head = min(len(fields["geom"]), int(lay.n_extra * 1.6) + 64)
    fields = {k: v[:head] for k, v in fields.items()}
    fgeoms = _clip(fields["geom"], county.clips, lay.boundary)
    fidx = np.flatnonzero(shapely.area(fgeoms) >= 400.0)[: lay.n_extra]
    if len(fidx) < lay.n_extra:
        raise NotEnoughRoom(lay.spec.key)
    fields = {k: v[fidx] for k, v in fields.items()}
    field_geoms = _to_multi(fgeoms[fidx])

    names = street_names(rng, lay.rows + lay.cols + 2)
    x0 = lay.intra.bounds[0]
    house = ((intra["xmin"] - x0) // 11).astype(int)
    number = np.where(intra["row"] == 0, 2 * house + 1, 2 * house + 2)
    town = lay.spec.name
    address = [f"{names[s]} nr. {n}, {town}" for s, n in zip(intra["street"], number, strict=True)]
    address += [f"Extravilan, tarla {t}, parcela {p}, {town}" for t, p in zip(fields["tarla"], fields["strip"], strict=True)]

    n_all = len(idx) + len(fidx)
    all_geoms = np.concatenate([intra_geoms, field_geoms])
    gaps = rng.choice([1, 1, 1, 2], size=n_all)
    cad = np.empty(n_all, dtype=np.int64)
    cad[rng.permutation(n_all)] = lay.spec.cad_start + np.cumsum(gaps) - gaps[0]
    measured = shapely.area(all_geoms)
    legal = np.round(measured * (1 + rng.normal(0, 0.015, n_all)))
    zone = np.concatenate([intra["zone"], np.full(len(fidx), ZONE_CODES.index(""))])
    category = np.concatenate([np.full(len(idx), "CC"), fields["category"]])
    b_parcel, b_id, b_geom, b_levels, b_height, b_dest = _buildings(intra, intra_geoms, rng)
    return ParcelSet(all_geoms, zone, category, address, cad, legal, b_parcel, b_id, b_geom, b_levels, b_height,
                     b_dest, street_names=names)


def _buildings(c: dict, geoms: np.ndarray, rng: np.random.Generator):
    """C1 on most lots (set back from the street), C2 (annex) at the back of some of them."""
    n = len(geoms)
    w, dpt = c["xmax"] - c["xmin"], c["ymax"] - c["ymin"]
    front = rng.uniform(3.0, 6.0, n)
    side = rng.uniform(1.0, 2.0, n)
    zone = c["zone"]
    zcode = np.array(ZONE_CODES)[zone]
    bw = np.minimum(w - 2 * side, np.where(zcode == "L1a", rng.uniform(9, 13, n), 0.8 * w))
    bd = np.minimum(np.where(zcode == "L1a", rng.uniform(9, 14, n), rng.uniform(14, 22, n)), dpt - front - 6)
    x1 = c["xmin"] + side + rng.uniform(0, 1, n) * np.maximum(w - 2 * side - bw, 0)
    # Row 0 lots face the street to the south, row 1 lots the street to the north.
    south = c["row"] == 0
    y1 = np.where(south, c["ymin"] + front, c["ymax"] - front - bd)
    c1 = shapely.box(np.round(x1, 2), np.round(y1, 2), np.round(x1 + bw, 2), np.round(y1 + bd, 2))
    has_c1 = (rng.random(n) < 0.85) & (bw >= 5) & (bd >= 6) & shapely.within(c1, geoms)
    ax = np.round(c["xmin"] + 1.5, 2)
    ay = np.where(south, c["ymax"] - 2.0 - 6.0, c["ymin"] + 2.0)
    c2 = shapely.box(ax, np.round(ay, 2), ax + 5.5, np.round(ay + 6.0, 2))
    has_c2 = has_c1 & (rng.random(n) < 0.4) & shapely.within(c2, geoms) & (shapely.distance(c1, c2) >= 3.0)
    levels = np.ones(n, dtype=np.int16)
    height = np.zeros(n)
    dest = np.empty(n, dtype=object)
    for code, (destination, choices, storey, roof) in BUILDING_KINDS.items():
        sel = zcode == code
        levels[sel] = rng.choice(choices, size=sel.sum())
        height[sel] = np.round(levels[sel] * storey + roof + rng.uniform(-0.4, 0.4, sel.sum()), 1)
        dest[sel] = destination
    p1, p2 = np.flatnonzero(has_c1), np.flatnonzero(has_c2)
    b_parcel = np.concatenate([p1, p2])
    b_id = ["C1"] * len(p1) + ["C2"] * len(p2)
    b_geom = np.concatenate([shapely.multipolygons(c1[p1][:, None]) if len(p1) else c1[:0],
                             shapely.multipolygons(c2[p2][:, None]) if len(p2) else c2[:0]])
    b_levels = np.concatenate([levels[p1], np.ones(len(p2), dtype=np.int16)])
    b_height = np.concatenate([height[p1], np.round(rng.uniform(2.6, 3.4, len(p2)), 1)])
    annex = rng.choice(["anexă gospodărească", "garaj"], size=len(p2))
    b_dest = list(dest[p1]) + list(annex)
    return b_parcel, b_id, b_geom, b_levels, b_height, b_dest
