"""The plan of the demo county: where each demo UAT's intravilan, river, road and line lies.

Everything is computed from the number of parcels and the seed, in EPSG:3844 metres, with shapely.
On the real geography (the default) each demo UAT keeps its real boundary (demo.bacau) and its
intravilan is a rectangle centred on the UAT's anchor (catalog.UatSpec.anchor): Bacău on the real
city centre. Sizes grow with the number of parcels, positions of features are fractions of the
intravilan rectangles, so every legal trigger exists at any size. A county too large for the real
boundaries (the million-parcel benchmarks) falls back to the synthetic layout: the three UATs side by
side west of Bacău's centre, with invented boundaries (CountyLayout.real is then False).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon, box

from demo.catalog import BACAU_E, BACAU_N, UATS, UatSpec

BLOCK_W, BLOCK_D, STREET_W = 132.0, 76.0, 12.0
PITCH_X, PITCH_Y = BLOCK_W + STREET_W, BLOCK_D + STREET_W
LOTS_PER_BLOCK = 10.0  # average over the zones (6 + 6 residential, fewer in M2/ID)
FIELD_AREA_M2 = 8_000.0  # one agricultural strip with its share of farm roads and slack
UAT_MARGIN = 1_500.0  # extravilan ring kept around every intravilan

# Parcels keep off hard features by these distances (m): they set the showcase distances too.
SETBACK = {"bistrita": 17.0, "trebis": 3.0, "seaca": 8.0, "lake": 3.0, "dn2": 11.0, "rail": 9.0, "dj": 7.0}
RIVERS = {  # key: (name, width m, width class)
    "bistrita": ("Râul Bistrița", 70.0, ">50"),
    "trebis": ("Pârâul Trebiș", 7.0, "<10"),
    "seaca": ("Pârâul Valea Seacă (demo)", 14.0, "10-50"),
}


@dataclass
class UatLayout:
    spec: UatSpec
    n_intra: int
    n_extra: int
    cols: int
    rows: int
    intra: Polygon  # the intravilan rectangle (the limit is this plus half a street)
    rect: Polygon  # the UAT's box before its borders are made irregular
    boundary: Polygon | None = None
    zones: dict[str, Any] = field(default_factory=dict)  # UTR code -> shapely geometry

    @property
    def centre(self) -> tuple[float, float]:
        c = self.intra.centroid
        return c.x, c.y

    def frac(self, fx: float, fy: float) -> tuple[float, float]:
        """A point given as fractions of the intravilan rectangle."""
        x0, y0, x1, y1 = self.intra.bounds
        return x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)


@dataclass
class CountyLayout:
    uats: dict[str, UatLayout]
    county: Polygon
    lines: dict[str, LineString]  # axes: rivers, roads, railway, power lines, gas
    rivers: dict[str, Polygon]  # albia minoră polygons
    lake: Polygon
    flood: object
    natura: object
    clips: list[object]  # hard features parcels are clipped against (already buffered)
    real: bool = True  # the UAT boundaries are the real ones (demo.bacau)


def _wiggle(coords, rng: np.random.Generator, amp: float, step: float = 150.0) -> LineString:
    """Densify a polyline and push it sideways by smooth noise, so rivers and borders look drawn."""
    line = LineString(coords)
    n = max(int(line.length // step), 2)
    d = np.linspace(0.0, line.length, n + 1)
    pts = shapely.get_coordinates(shapely.line_interpolate_point(line, d))
    phases, freqs = rng.uniform(0, 2 * math.pi, 3), rng.uniform(0.5, 3.0, 3)
    t = d / max(line.length, 1.0)
    offset = sum(np.sin(2 * math.pi * f * t * 3 + p) for f, p in zip(freqs, phases, strict=True)) / 3 * amp
    offset *= np.sin(math.pi * t)  # keep both ends where they were put
    tangent = np.gradient(pts, axis=0)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    return LineString(np.round(pts + normal * offset[:, None], 2))


def _through(p, q, *, reach: float) -> LineString:
    """The straight line through p and q, long enough to cross the whole county (clipped later)."""
    (px, py), (qx, qy) = p, q
    length = math.hypot(qx - px, qy - py)
    ux, uy = (qx - px) / length, (qy - py) / length
    return LineString([(px - ux * reach, py - uy * reach), (qx + ux * reach, qy + uy * reach)])


def _ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 72) -> Polygon:
    a = np.linspace(0, 2 * math.pi, n, endpoint=False)
    return Polygon(np.round(np.column_stack([cx + rx * np.cos(a), cy + ry * np.sin(a)]), 2))


# An intravilan keeps this far inside its real UAT boundary (m): room for the fields and the ring road.
REAL_MARGIN = 150.0


def _sizes(parcels: int, slack: float) -> list[tuple]:
    """Per demo UAT: (spec, n_intra, n_extra, cols, rows, width, height, field area) of its layout."""
    sizes = []
    remaining = parcels
    for i, spec in enumerate(UATS):
        n = remaining if i == len(UATS) - 1 else int(round(parcels * spec.share))
        remaining -= n
        n_intra = int(round(n * spec.intra_share))
        blocks = math.ceil(n_intra * 1.35 * slack / LOTS_PER_BLOCK) + 6
        cols = max(math.ceil(math.sqrt(blocks * PITCH_Y / PITCH_X)), 3)
        rows = max(math.ceil(blocks / cols), 3)
        w, h = cols * PITCH_X + STREET_W, rows * PITCH_Y + STREET_W
        fields = (n - n_intra) * FIELD_AREA_M2 * slack
        sizes.append((spec, n_intra, n - n_intra, cols, rows, w, h, fields))
    return sizes


def plan(*, parcels: int, rng: np.random.Generator, slack: float = 1.0,
         geography: dict[str, tuple] | None = None, county=None) -> CountyLayout:
    """Lay out the county for `parcels` parcels; `slack` > 1 enlarges everything (retries).

    `geography`: per UAT key its real boundary and the anchor (E, N) of its intravilan; `county` the
    union of every real UAT. Without them, or when an intravilan does not fit its real UAT, the
    synthetic layout is used."""
    sizes = _sizes(parcels, slack)
    uats = _on_real_boundaries(sizes, geography) if geography else None
    if uats is not None:
        return _features(uats, county, rng, real=True)
    uats = _synthetic(sizes, rng)
    return _features(uats, shapely.union_all([lay.boundary for lay in uats.values()]), rng, real=False)


# Shifts (m) tried in turn when the intravilan centred on its anchor crosses the UAT boundary.
_SHIFTS = sorted(((dx, dy) for dx in range(-1000, 1001, 250) for dy in range(-1000, 1001, 250)),
                 key=lambda d: (math.hypot(*d), d))


def _pinned(x0: float, y0: float, pin: tuple[float, float] | None) -> tuple[float, float]:
    """Move the grid origin by less than one block so `pin` falls mid-lot: in the middle of a block's
    width and of its southern row of lots (so a monument standing there lies on a parcel)."""
    if pin is None:
        return x0, y0
    fx = (pin[0] - x0 - STREET_W - BLOCK_W / 2) % PITCH_X
    fy = (pin[1] - y0 - STREET_W - BLOCK_D / 4) % PITCH_Y
    return x0 + (fx if fx <= PITCH_X / 2 else fx - PITCH_X), y0 + (fy if fy <= PITCH_Y / 2 else fy - PITCH_Y)


def _on_real_boundaries(sizes: list[tuple], geography: dict) -> dict[str, UatLayout] | None:
    """Each intravilan centred on its anchor, or shifted by up to 1 km so it lies inside its UAT with
    room for the fields; None when one does not fit. `geography[key]` may carry a third item, a
    point to pin mid-lot (a monument the showcase needs on a parcel)."""
    uats: dict[str, UatLayout] = {}
    for spec, n_intra, n_extra, cols, rows, w, h, fields in sizes:
        boundary, (cx, cy), *rest = geography[spec.key]
        pin = rest[0] if rest else None
        inner = boundary.buffer(-REAL_MARGIN)
        if inner.area - w * h < fields * 2:
            return None
        shapely.prepare(inner)
        origins = (_pinned(round(cx + dx - w / 2), round(cy + dy - h / 2), pin) for dx, dy in _SHIFTS)
        boxes = (box(x0, y0, x0 + w, y0 + h) for x0, y0 in origins)
        intra = next((b for b in boxes if inner.contains(b)), None)
        if intra is None:
            return None
        uats[spec.key] = UatLayout(spec, n_intra, n_extra, cols, rows, intra, box(*boundary.bounds), boundary)
    return uats


def _synthetic(sizes: list[tuple], rng: np.random.Generator) -> dict[str, UatLayout]:
    """The three UATs side by side, Bacău (last) centred on the real city, the others to its west."""
    uats: dict[str, UatLayout] = {}
    height = max(s[6] for s in sizes) + 2 * UAT_MARGIN
    widths = [max(w + 2 * 900.0, (w * h + f) / height * 1.25) for (_, _, _, _, _, w, h, f) in sizes]
    x_right = BACAU_E + widths[-1] / 2
    y0, y1 = BACAU_N - height / 2, BACAU_N + height / 2
    edges = [x_right]
    for wdt in reversed(widths):
        edges.insert(0, edges[0] - wdt)
    for i, (spec, n_intra, n_extra, cols, rows, w, h, _) in enumerate(sizes):
        cx = (edges[i] + edges[i + 1]) / 2
        ix0, iy0 = round(cx - w / 2), round(BACAU_N - h / 2)
        uats[spec.key] = UatLayout(spec, n_intra, n_extra, cols, rows, box(ix0, iy0, ix0 + w, iy0 + h),
                                   box(edges[i], y0, edges[i + 1], y1))
    # Shared borders: one irregular line per edge, used by both neighbours, so UATs adjoin exactly.
    borders = [_wiggle([(x, y0), (x, y1)], rng, amp=70.0, step=300.0) for x in edges]
    for i, lay in enumerate(uats.values()):
        west, east = list(borders[i].coords), list(borders[i + 1].coords)
        lay.boundary = shapely.make_valid(Polygon(west + east[::-1]))
    return uats


def _features(uats: dict[str, UatLayout], county, rng: np.random.Generator, *, real: bool) -> CountyLayout:
    """Rivers, roads, lines and hazards, each drawn around the demo UAT it serves (synthetic)."""
    vs, bc = uats["valeaseaca"], uats["bacau"]
    wb = bc.intra.bounds[2] - bc.intra.bounds[0]
    bx0, by0, bx1, by1 = bc.rect.bounds
    vx0, vy0, vx1, vy1 = vs.rect.bounds
    lines: dict[str, LineString] = {}
    # The Bistrița crosses Bacău from south to north on the west side of the town, as the real one does.
    lines["bistrita"] = _wiggle([(bc.frac(0.26, 0)[0], by0), bc.frac(0.24, -0.05), bc.frac(0.22, 0.5),
                                 bc.frac(0.18, 1.05), (bc.frac(0.15, 0)[0], by1)], rng, amp=60.0)
    lines["trebis"] = _wiggle([bc.frac(0.2, 0.2), (bx1, bc.frac(0, 0.22)[1])], rng, amp=15.0)
    lines["seaca"] = _wiggle([(vs.frac(0.12, 0)[0], vy1), vs.frac(0.1, 0.5), (vs.frac(0.08, 0)[0], vy0)],
                              rng, amp=20.0)
    lines["dn2"] = _wiggle([(bc.frac(0.67, 0)[0], by0), bc.frac(0.67, 0.5), (bc.frac(0.69, 0)[0], by1)], rng, amp=20.0)
    lines["rail"] = LineString([(bc.frac(0.85, 0)[0], by0), bc.frac(0.86, 0.5), (bc.frac(0.88, 0)[0], by1)])
    lines["dj"] = _wiggle([(vx0, vs.centre[1] + 20), (vx1, vs.centre[1] + 20)], rng, amp=25.0)
    # Through the northern residential quarter, well inside the built-up part at any size.
    lines["lea110"] = _through(bc.frac(0.3, 0.72), bc.frac(0.7, 0.8), reach=(bx1 - bx0) + (by1 - by0))
    lines["lea20"] = LineString([vs.frac(-0.3, 1.2), vs.frac(1.2, 0.3)])
    lines["gas"] = LineString([(bx0, bc.frac(0, 0.08)[1]), (bx1, bc.frac(0, 0.12)[1])])
    lines = {k: shapely.intersection(v, county) for k, v in lines.items()}
    rivers = {k: lines[k].buffer(RIVERS[k][1] / 2, cap_style="flat") for k in RIVERS}
    rivers = {k: shapely.intersection(v, county) for k, v in rivers.items()}
    # South-east of the village, so the fields around it reach its shore.
    lake = _ellipse(vs.frac(0.75, 0)[0], vs.intra.bounds[1] - 170.0, min(400.0, wb / 4), 100.0)
    flood = shapely.intersection(shapely.union(rivers["bistrita"].buffer(180.0), lake.buffer(120.0)), county)
    natura_box = box(bx0, by0, bc.centre[0], by1)
    natura = shapely.union(shapely.intersection(rivers["bistrita"].buffer(320.0), natura_box), lake.buffer(250.0))
    natura = shapely.simplify(shapely.intersection(natura, county), 2.0)
    clips = [rivers[k].buffer(SETBACK[k]) for k in RIVERS]
    clips += [lake.buffer(SETBACK["lake"])]
    clips += [lines[k].buffer(SETBACK[k]) for k in ("dn2", "rail", "dj")]
    for lay in uats.values():
        _zones(lay, rivers)
    return CountyLayout(uats, county, lines, rivers, lake, flood, natura, clips, real)


def _zones(lay: UatLayout, rivers) -> None:
    """Partition the intravilan into UTRs: green strips by the water, a centre, industry, housing."""
    x0, y0, x1, y1 = lay.intra.bounds
    w, h = x1 - x0, y1 - y0
    cx, cy = lay.centre
    green = shapely.intersection(shapely.union_all([r.buffer(45.0) for r in rivers.values()]), lay.intra)
    taken = green
    zones: dict[str, Any] = {}
    if not green.is_empty:
        zones["V"] = green
    if lay.spec.key == "valeaseaca":
        centre_code, centre = "IS", box(cx - 0.12 * w, cy - 0.12 * h, cx + 0.12 * w, cy + 0.12 * h)
        industry = None
    elif lay.spec.key == "bacau":
        centre_code, centre = "M2", box(cx - 0.2 * w, cy - 0.2 * h, cx + 0.2 * w, cy + 0.2 * h)
        industry = box(x0 + 0.78 * w, y0, x1, y1)
    else:
        centre_code, centre = "M2", box(cx - 0.15 * w, cy - 0.15 * h, cx + 0.15 * w, cy + 0.15 * h)
        industry = box(x0, y0, x1, y0 + 0.18 * h)
    zones[centre_code] = shapely.difference(centre, taken)
    taken = shapely.union(taken, centre)
    if industry is not None:
        zones["ID"] = shapely.difference(industry, taken)
        taken = shapely.union(taken, industry)
    zones["L1a"] = shapely.difference(lay.intra, taken)
    lay.zones = {k: v for k, v in zones.items() if not v.is_empty}


def intravilan_limit(lay: UatLayout) -> Polygon:
    """The intravilan limit follows the outer side of the perimeter streets."""
    return lay.intra.buffer(STREET_W / 2, join_style="mitre")
