"""The map extract printed on issued acts: zoning and constraint features of the current layer
versions around the parcels, the parcels and the works footprint, as an SVG drawn in EPSG:3844.

Nothing here touches the network: the map is drawn from our own geometries. Used by permits'
issuance (embedded with `gis_portal.rendering.data_uri`).
"""
from __future__ import annotations

from html import escape
from typing import cast

from django.contrib.gis.db.models.functions import Intersection
from django.contrib.gis.geos import (
    GeometryCollection,
    GEOSGeometry,
    LineString,
    MultiLineString,
    MultiPolygon,
    Point,
    Polygon,
)

from layers.models import Feature, Layer

WIDTH, HEIGHT, MARGIN_M = 640, 420, 60.0
STYLE: dict[str, tuple[str, str, float]] = {
    Layer.Kind.ZONING: ("#fde9b6", "#c99400", 0.45),
    Layer.Kind.CONSTRAINT: ("#f7b6b6", "#c0392b", 0.40),
}


def _rings(geom: GEOSGeometry):
    if isinstance(geom, Polygon):
        yield from geom
    elif isinstance(geom, (LineString,)):
        yield geom
    else:
        for part in cast(GeometryCollection, geom):
            yield from _rings(part)


def _path(geom: GEOSGeometry, tx) -> str:
    parts = []
    for ring in _rings(geom):
        coords = [tx(x, y) for x, y in ring.coords]
        if not coords:
            continue
        closed = "Z" if isinstance(geom, (Polygon, MultiPolygon)) or ring.closed and len(coords) > 3 else ""
        parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + closed)
    return " ".join(parts)


def map_svg(*, parcels, footprint=None) -> tuple[str, list[dict[str, str]]]:
    """An SVG map extract: zoning and constraint features around the parcels, the parcels, the footprint
    (an excavation has no parcels: the extract is around its dug area)."""
    union = parcels[0].geom if parcels else footprint
    for p in parcels[1:]:
        union = union.union(p.geom)
    xmin, ymin, xmax, ymax = union.extent
    xmin, ymin, xmax, ymax = xmin - MARGIN_M, ymin - MARGIN_M, xmax + MARGIN_M, ymax + MARGIN_M
    scale = min(WIDTH / (xmax - xmin), HEIGHT / (ymax - ymin))

    def tx(x: float, y: float) -> tuple[float, float]:
        return (x - xmin) * scale, HEIGHT - (y - ymin) * scale  # SVG y grows downwards

    box = Polygon.from_bbox((xmin, ymin, xmax, ymax))
    box.srid = 3844
    features = (Feature.objects.filter(version__is_current=True, version__layer__kind__in=list(STYLE),
                                       geom__intersects=box)
                .annotate(clip=Intersection("geom", box))
                .values_list("clip", "name", "version__layer__kind", "version__layer__name")[:400])
    shapes, legend = [], {}
    for clip, name, kind, layer_name in features:
        fill, stroke, opacity = STYLE[kind]
        if clip is None or clip.empty:
            continue
        legend[layer_name] = (fill, stroke)
        if isinstance(clip, (Point,)) or clip.geom_type == "MultiPoint":
            for pt in (clip if clip.geom_type == "MultiPoint" else [clip]):
                x, y = tx(pt.x, pt.y)
                shapes.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{stroke}"><title>{escape(name)}</title></circle>')
            continue
        is_line = isinstance(clip, (LineString, MultiLineString))
        shapes.append(f'<path d="{_path(clip, tx)}" fill="{"none" if is_line else fill}" fill-opacity="{opacity}" '
                      f'stroke="{stroke}" stroke-width="{2 if is_line else 1}"><title>{escape(name)}</title></path>')
    for p in parcels:
        shapes.append(f'<path d="{_path(p.geom, tx)}" fill="none" stroke="#1f3a93" stroke-width="2.5"/>')
        cx, cy = tx(p.geom.centroid.x, p.geom.centroid.y)
        shapes.append(f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="11" text-anchor="middle" '
                      f'font-family="DejaVu Sans" fill="#1f3a93">{escape(p.cadastral_number)}</text>')
    if footprint is not None:
        shapes.append(f'<path d="{_path(footprint, tx)}" fill="#1f3a93" fill-opacity="0.25" stroke="#1f3a93" '
                      f'stroke-dasharray="4 2"/>')
    bar_m = 10 ** int(len(str(int((xmax - xmin) / 4))) - 1) if xmax - xmin > 40 else 10
    bar = bar_m * scale
    shapes.append(f'<g font-family="DejaVu Sans" font-size="10"><rect x="10" y="{HEIGHT - 18}" width="{bar:.1f}" '
                  f'height="4" fill="#000"/><text x="10" y="{HEIGHT - 22}">{bar_m} m</text>'
                  f'<text x="{WIDTH - 10}" y="14" text-anchor="end">N ↑ · Stereo 70 (EPSG:3844)</text></g>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}"><rect width="100%" height="100%" fill="#ffffff" stroke="#999"/>'
           + "".join(shapes) + "</svg>")
    return svg, [{"name": n, "fill": f, "stroke": s} for n, (f, s) in legend.items()]
