"""The plan of the demo county: where each UAT, intravilan, river, road and line lies.

Everything is computed from the number of parcels and the seed, in EPSG:3844 metres, with shapely.
Bacău's intravilan is centred on the real city centre; Hemeiuș and Buhuși follow to the west, as
along the Bistrița valley. Sizes grow with the number of parcels, positions of features are
fractions of the intravilan rectangles, so every legal trigger exists at any size.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from demo.catalog import BACAU_E, BACAU_N, UATS, UatSpec

BLOCK_W, BLOCK_D, STREET_W = 132.0, 76.0, 12.0
PITCH_X, PITCH_Y = BLOCK_W + STREET_W, BLOCK_D + STREET_W
LOTS_PER_BLOCK = 10.0  # average over the zones (6 + 6 residential, fewer in M2/ID)
FIELD_AREA_M2 = 8_000.0  # one agricultural strip with its share of farm roads and slack
UAT_MARGIN = 1_500.0  # extravilan ring kept around every intravilan

# Parcels keep off hard features by these distances (m): they set the showcase distances too.
SETBACK = {"bistrita": 17.0, "trebis": 3.0, "barnat": 8.0, "lake": 3.0, "dn2": 11.0, "rail": 9.0, "dj": 7.0}
RIVERS = {  # key: (name, width m, width class)
    "bistrita": ("Râul Bistrița", 70.0, ">50"),
    "trebis": ("Pârâul Trebiș", 7.0, "<10"),
    "barnat": ("Pârâul Bârnat", 14.0, "10-50"),
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


def plan(*, parcels: int, rng: np.random.Generator, slack: float = 1.0) -> CountyLayout:
    """Lay out the county for `parcels` parcels; `slack` > 1 enlarges everything (retries)."""
    uats: dict[str, UatLayout] = {}
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
    height = max(s[6] for s in sizes) + 2 * UAT_MARGIN
    widths = [max(w + 2 * 900.0, (w * h + f) / height * 1.25) for (_, _, _, _, _, w, h, f) in sizes]
    # Bacău (last) is centred on the real city; the others are packed to its west.
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
    county = shapely.union_all([lay.boundary for lay in uats.values()])
    return _features(uats, county, rng, x_edges=(edges[0], edges[-1]), y_edges=(y0, y1))


def _features(uats, county, rng, *, x_edges, y_edges) -> CountyLayout:
    bu, he, bc = uats["buhusi"], uats["hemeius"], uats["bacau"]
    X0, X1 = x_edges
    Y0, Y1 = y_edges
    wb = bc.intra.bounds[2] - bc.intra.bounds[0]
    y_s = min(bu.intra.bounds[1], he.intra.bounds[1]) - 350.0
    lines: dict[str, LineString] = {}
    lines["bistrita"] = _wiggle([(X0, y_s + 150), (bu.centre[0], y_s), (he.centre[0], y_s - 50),
                                 (bc.rect.bounds[0] + 300, y_s), bc.frac(0.24, -0.05), bc.frac(0.22, 0.5),
                                 bc.frac(0.18, 1.05), (bc.frac(0.15, 0)[0], Y1)], rng, amp=60.0)
    lines["trebis"] = _wiggle([bc.frac(0.2, 0.2), (X1, bc.frac(0, 0.22)[1])], rng, amp=15.0)
    lines["barnat"] = _wiggle([(he.frac(0.72, 0)[0], Y1), he.frac(0.7, 0.5), (he.frac(0.68, 0)[0], y_s)],
                              rng, amp=20.0)
    lines["dn2"] = _wiggle([(bc.frac(0.62, 0)[0], Y0), bc.frac(0.62, 0.5), (bc.frac(0.64, 0)[0], Y1)], rng, amp=20.0)
    lines["rail"] = LineString([(bc.frac(0.85, 0)[0], Y0), bc.frac(0.86, 0.5), (bc.frac(0.88, 0)[0], Y1)])
    lines["dj"] = _wiggle([(X0, bu.centre[1] + 20), (bc.intra.bounds[0] - 40, bc.centre[1] + 20)], rng, amp=25.0)
    # Through the northern residential quarter, well inside the built-up part at any size.
    lines["lea110"] = _through(bc.frac(0.3, 0.72), bc.frac(0.7, 0.8), reach=(X1 - X0) + (Y1 - Y0))
    lines["lea20"] = LineString([he.frac(-0.3, 1.2), he.frac(1.2, 0.3)])
    lines["gas"] = LineString([(bc.rect.bounds[0], bc.frac(0, 0.08)[1]), (X1, bc.frac(0, 0.12)[1])])
    lines = {k: shapely.intersection(v, county) for k, v in lines.items()}
    rivers = {k: lines[k].buffer(RIVERS[k][1] / 2, cap_style="flat") for k in RIVERS}
    rivers = {k: shapely.intersection(v, county) for k, v in rivers.items()}
    # Between the village and the river, so the fields around it reach its shore.
    lake = _ellipse(he.frac(0.3, 0)[0], he.intra.bounds[1] - 170.0, min(400.0, wb / 4), 100.0)
    flood = shapely.intersection(shapely.union(rivers["bistrita"].buffer(180.0), lake.buffer(120.0)), county)
    natura_box = box(he.intra.bounds[0], Y0, bc.centre[0], Y1)
    natura = shapely.union(shapely.intersection(rivers["bistrita"].buffer(320.0), natura_box), lake.buffer(250.0))
    natura = shapely.simplify(shapely.intersection(natura, county), 2.0)
    clips = [rivers[k].buffer(SETBACK[k]) for k in RIVERS]
    clips += [lake.buffer(SETBACK["lake"])]
    clips += [lines[k].buffer(SETBACK[k]) for k in ("dn2", "rail", "dj")]
    for lay in uats.values():
        _zones(lay, rivers)
    return CountyLayout(uats, county, lines, rivers, lake, flood, natura, clips)


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
    if lay.spec.key == "hemeius":
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


def monument_target(lay: UatLayout, dx: float, dy: float, extravilan: bool) -> Point:
    """Where a monument stands: an offset from the centre, kept well inside small intravilans."""
    x0, y0, x1, y1 = lay.intra.bounds
    cx, cy = lay.centre
    if extravilan:
        return Point(cx + dx, y1 + dy)
    lim_x, lim_y = 0.38 * (x1 - x0), 0.38 * (y1 - y0)
    return Point(cx + max(-lim_x, min(lim_x, dx)), cy + max(-lim_y, min(lim_y, dy)))
