"""The sides of a lot from the street axes near it: street front, side and rear boundaries (R35, R36).

A piece of the lot's boundary faces a street when it lies within the street's tolerance of its
axis (half the street's width, from the feature's `width_m` or a default, plus a margin for the
digitising of axis and cadastre) and runs along it: its distance to the axis changes by at most
sin(max_angle_deg) per metre, so the ends of the side boundaries that cross the tolerance band are
not frontage. The frontage is the length of the pieces that face a street. Of the other
boundaries, a piece is rear when it runs parallel (within the same angle) to every piece of the
front, in the half of the lot away from it; side otherwise. So a through lot (fronts on opposite
streets) and a corner lot (fronts on crossing streets) have sides only: the UTR's side setback,
not the rear one, applies to their other boundaries.
The numbers are the R35 rule's params (editable): street_margin_m, street_default_width_m,
street_search_m (the search radius around the lot, which caps the tolerance) and
frontage_max_angle_deg. Computed with shapely's vectorised operations (a few dozen segments per lot).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry

# Pieces shorter than this (m) are overlay noise where a segment leaves the tolerance band.
MIN_PIECE_M = 0.001


@dataclass(frozen=True)
class FrontageParams:
    margin_m: float = 2.0  # beyond the half-width: axis and cadastre digitising, sidewalk not in width_m
    default_width_m: float = 12.0  # a local street's profile between alignments (2 lanes + sidewalks)
    search_m: float = 25.0  # search radius around the lot; caps the tolerance (streets up to ~46 m wide)
    max_angle_deg: float = 45.0  # a boundary piece runs along the street within this angle

    @classmethod
    def of(cls, params: dict | None) -> FrontageParams:
        p = params or {}
        d = cls()
        return cls(float(p.get("street_margin_m", d.margin_m)), float(p.get("street_default_width_m", d.default_width_m)),
                   float(p.get("street_search_m", d.search_m)), float(p.get("frontage_max_angle_deg", d.max_angle_deg)))


@dataclass
class Street:
    """A street axis near the lot (its parts within the search radius) and its width in metres, if known."""

    geom: GEOSGeometry
    width_m: float | None = None


@dataclass
class Sides:
    """The lot's boundary split into street front, side and rear (MultiLineStrings, EPSG:3844; None
    when the lot has no such boundary) and the frontage (m)."""

    front: GEOSGeometry | None
    side: GEOSGeometry | None
    rear: GEOSGeometry | None
    frontage_m: float


def street_width(attrs: dict) -> float | None:
    """A street feature's width (m) from its `width_m` attribute, when it is a positive number."""
    try:
        width = float(attrs.get("width_m", ""))
    except (TypeError, ValueError):
        return None
    return width if width > 0 and math.isfinite(width) else None


def as_shapely(geom: GEOSGeometry):
    """The same geometry as a Shapely one (through WKB; coordinates unchanged)."""
    return shapely.from_wkb(bytes(geom.wkb))


def _geos(lines: np.ndarray) -> GEOSGeometry | None:
    return GEOSGeometry(memoryview(shapely.to_wkb(shapely.multilinestrings(lines))), srid=3844) if len(lines) else None


def _segments(lot: GEOSGeometry) -> np.ndarray:
    """Every edge of every ring of the lot as a 2-point LineString."""
    coords, ring = shapely.get_coordinates(shapely.get_parts(shapely.boundary(as_shapely(lot))), return_index=True)
    same = (ring[:-1] == ring[1:]) & np.any(coords[:-1] != coords[1:], axis=1)  # within a ring, not repeated
    return shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))


def _lines(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The LineString parts (not shorter than MIN_PIECE_M) of geoms, with the index of their geometry."""
    if np.all(shapely.get_type_id(geoms) == 1):  # the usual case: no multi-part piece
        parts, index = geoms, np.arange(len(geoms))
    else:
        parts, index = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == 1) & (shapely.length(parts) >= MIN_PIECE_M)
    return parts[keep], index[keep]


def _along(pieces: np.ndarray, target, sin_max: float) -> np.ndarray:
    """Which pieces run along the target: their distance to it changes slowly enough."""
    start = shapely.distance(shapely.get_point(pieces, 0), target)
    end = shapely.distance(shapely.get_point(pieces, -1), target)
    return np.abs(start - end) <= shapely.length(pieces) * sin_max + 1e-9


def _directions(lines: np.ndarray) -> np.ndarray:
    return shapely.get_coordinates(shapely.get_point(lines, -1)) - shapely.get_coordinates(shapely.get_point(lines, 0))


def lot_sides(lot: GEOSGeometry, streets: list[Street], params: FrontageParams) -> Sides:
    """Split the boundary of the lot (a (Multi)Polygon) into front, side and rear (see the module)."""
    segments = _segments(lot)
    sin_max = math.sin(math.radians(params.max_angle_deg))
    front = np.empty(0, dtype=object)
    rest = segments
    if streets:
        axes = np.array([as_shapely(s.geom) for s in streets])
        tolerances = [min((s.width_m or params.default_width_m) / 2 + params.margin_m, params.search_m) for s in streets]
        band = shapely.union_all(shapely.buffer(axes, tolerances))
        pieces, index = _lines(shapely.intersection(segments, band))
        facing = _along(pieces, shapely.GeometryCollection(list(axes)), sin_max)
        front, fronted = pieces[facing], index[facing]
        if len(front):
            touched = np.unique(fronted)
            remainders = [shapely.difference(segments[i], shapely.multilinestrings(front[fronted == i])) for i in touched]
            rest = np.concatenate([np.delete(segments, touched), _lines(np.array(remainders, dtype=object))[0]])
    frontage = float(shapely.length(front).sum())
    if not len(front):
        return Sides(None, _geos(rest), None, 0.0)
    front_lines = shapely.multilinestrings(front)
    depth = float(shapely.distance(shapely.points(shapely.get_coordinates(rest)), front_lines).max()) if len(rest) else 0.0
    # Rear: parallel to every front piece (|u × v| <= |u||v| sin) and in the half of the lot away from the front.
    u, v = _directions(rest), _directions(front)
    cross = np.abs(u[:, None, 0] * v[None, :, 1] - u[:, None, 1] * v[None, :, 0])
    norms = np.hypot(u[:, 0], u[:, 1])[:, None] * np.hypot(v[:, 0], v[:, 1])[None, :]
    parallel = np.all(cross <= norms * sin_max + 1e-12, axis=1)
    far = shapely.distance(shapely.line_interpolate_point(rest, 0.5, normalized=True), front_lines) > depth / 2
    rear = parallel & far
    return Sides(_geos(front), _geos(rest[~rear]), _geos(rest[rear]), frontage)
