"""The MapLibre style of the web map, built from the layers table.

Offline by default: every source is one of our own vector tile endpoints
(`/tiles/{slug}/{z}/{x}/{y}.pbf`); an external raster base map is added only when
settings.MAP_BASEMAP_URL is set. The same function returns the legend, so the legend always
matches what is drawn.

The first view shows what an investor reads first: zoning (UTR), the reference layers (streets,
blocks, intravilan limit), parcels and buildings. Constraint layers are in the style but hidden
(`visibility: none`): MapLibre requests no tile of a source none of whose layers is visible, so
they cost nothing until switched on in the legend (or by a parcel's analysis hitting them).
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from layers.models import Layer

# Colours per theme family (first match on the theme prefix wins). Chosen to stay readable on
# the light background and distinguishable for the common colour-vision deficiencies.
_THEME_COLOURS: tuple[tuple[str, str], ...] = (
    ("utr_", "#f2c14e"),
    ("intravilan", "#7a5195"),
    ("lmi_", "#b5179e"),
    ("monument_", "#b5179e"),
    ("zcp", "#b5179e"),
    ("river", "#1f78b4"),
    ("natural_lake", "#1f78b4"),
    ("flood", "#4ea8de"),
    ("dike", "#1f78b4"),
    ("road", "#6c757d"),
    ("street_axis", "#8d99ae"),
    ("railway", "#343a40"),
    ("power_", "#e85d04"),
    ("transformer", "#e85d04"),
    ("gas_", "#d00000"),
    ("water_", "#0077b6"),
    ("street_rehab", "#2a9d8f"),
    ("natura2000", "#2d6a4f"),
    ("protected_area", "#2d6a4f"),
    ("aacr", "#5f0f40"),
    ("military", "#3d405b"),
)
_DEFAULT_COLOUR = "#495057"
EXCAVATION_COLOUR = "#f77f00"
PARCEL_COLOUR = "#3a0ca3"
BUILDING_COLOUR = "#adb5bd"
# Building works in progress (the excavations of issue 18 are a layer of their own).
WORKS_LAYER = "works-in-progress"
WORKS_COLOUR = "#f77f00"
# Parcels are tiled only from z14 (the tile endpoint refuses lower zooms: too many per tile).
PARCEL_MINZOOM = 14
BUILDING_MINZOOM = 15
# Labels: street names from z15, cadastral numbers from z17. No `glyphs` URL in the style: MapLibre
# (>= 5.11) then draws the text itself with the browser's fonts (TinySDF), so nothing is fetched.
STREET_LABEL_MINZOOM = 15
PARCEL_LABEL_MINZOOM = 18
LABEL_FONT = ["DejaVu Sans", "sans-serif"]
LABELLED_THEMES = ("street", "road_axis")
# Kinds drawn in the first view; the others (constraints) start hidden and are toggled in the legend.
VISIBLE_AT_START = (Layer.Kind.ZONING, Layer.Kind.REFERENCE)


def theme_colour(theme: str) -> str:
    for prefix, colour in _THEME_COLOURS:
        if theme.startswith(prefix):
            return colour
    return _DEFAULT_COLOUR


def _tiles_url(request, slug: str, version_id: int | None = None) -> str:
    # MapLibre fetches tiles from a web worker: relative URLs do not resolve there. A layer's tiles carry
    # its current version (?v=): a newly published version has new URLs, so caches never serve the old one.
    url = request.build_absolute_uri(f"/tiles/{slug}/") + "{z}/{x}/{y}.pbf"
    return f"{url}?v={version_id}" if version_id is not None else url


def _layer_styles(layer: Layer, colour: str, visible: bool) -> list[dict[str, Any]]:
    """Fill + outline for polygons, a line for lines, a circle for points: one source, three filters."""
    base = {"source": layer.slug, "source-layer": layer.slug, "metadata": {"portal:kind": layer.kind},
            "layout": {"visibility": "visible" if visible else "none"}}
    polygon = ["==", ["geometry-type"], "Polygon"]
    # Reference polygons (intravilan limit, blocks) are outlines only: they cover whole towns, and an
    # invisible fill would still cost every pixel of every frame in software WebGL.
    opacity = {str(Layer.Kind.ZONING): 0.18, str(Layer.Kind.CONSTRAINT): 0.28}.get(layer.kind)
    # The -line layer draws the outline, so the fill skips its own antialiasing outline pass.
    fill = [{**base, "id": f"{layer.slug}-fill", "type": "fill", "filter": polygon,
             "paint": {"fill-color": colour, "fill-opacity": opacity, "fill-antialias": False}}] if opacity else []
    return [
        *fill,
        {**base, "id": f"{layer.slug}-line", "type": "line",
         "filter": ["in", ["geometry-type"], ["literal", ["Polygon", "LineString"]]],
         "paint": {"line-color": colour, "line-width": ["case", polygon, 1, 2.5]}},
        {**base, "id": f"{layer.slug}-point", "type": "circle", "filter": ["==", ["geometry-type"], "Point"],
         "paint": {"circle-color": colour, "circle-radius": 5, "circle-stroke-color": "#ffffff",
                   "circle-stroke-width": 1.5}},
    ]


def _attribution(text: str) -> dict[str, str]:
    """A source's attribution for MapLibre's attribution control (shown while the source is on screen).
    MapLibre inserts it as HTML: the text from the layers table is escaped here."""
    return {"attribution": escape(text)} if text else {}


def _line_labels(layer: Layer, visible: bool) -> dict[str, Any]:
    """Names along the lines of a street or road layer (the `name` property of its tiles)."""
    return {"id": f"{layer.slug}-label", "type": "symbol", "source": layer.slug, "source-layer": layer.slug,
            "minzoom": STREET_LABEL_MINZOOM, "filter": ["==", ["geometry-type"], "LineString"],
            "layout": {"visibility": "visible" if visible else "none", "symbol-placement": "line",
                       "text-field": ["coalesce", ["get", "name"], ""], "text-font": LABEL_FONT, "text-size": 12,
                       "text-max-angle": 30},
            "paint": {"text-color": "#343a40", "text-halo-color": "#ffffff", "text-halo-width": 1.5}}


def build_style(request) -> dict[str, Any]:
    """A complete MapLibre style (version 8) plus a `metadata.portal:legend` list for the page."""
    sources: dict[str, Any] = {}
    layers: list[dict[str, Any]] = [
        {"id": "background", "type": "background", "paint": {"background-color": "#f8f9fa"}},
    ]
    legend: list[dict[str, Any]] = []
    basemap = getattr(settings, "MAP_BASEMAP_URL", "")
    if basemap:
        sources["basemap"] = {"type": "raster", "tiles": [basemap], "tileSize": 256,
                              "attribution": getattr(settings, "MAP_BASEMAP_ATTRIBUTION", "")}
        layers.append({"id": "basemap", "type": "raster", "source": "basemap"})

    # Zoning below constraints below reference lines (streets on top of the fills).
    order = {str(Layer.Kind.ZONING): 0, str(Layer.Kind.CONSTRAINT): 1, str(Layer.Kind.REFERENCE): 2}
    vector_layers = sorted(
        Layer.objects.filter(public=True).exclude(kind=Layer.Kind.RASTER).filter(versions__is_current=True)
        .annotate(current_version_id=F("versions__id")),
        key=lambda layer: (order.get(layer.kind, 3), layer.slug),
    )
    for layer in vector_layers:
        colour = theme_colour(layer.theme)
        sources[layer.slug] = {"type": "vector", "tiles": [_tiles_url(request, layer.slug, layer.current_version_id)], "minzoom": 0,
                               "maxzoom": 16, **_attribution(layer.attribution)}
        visible = layer.kind in VISIBLE_AT_START
        styles = _layer_styles(layer, colour, visible)
        if layer.theme.startswith(LABELLED_THEMES):
            styles.append(_line_labels(layer, visible))
        layers.extend(styles)
        # Layer names are data; the demo's are catalogued Romanian source strings (demo/layersgen.py).
        legend.append({"id": layer.slug, "label": _(layer.name), "colour": colour, "kind": layer.kind,
                       "theme": layer.theme, "visible": visible, "layers": [style["id"] for style in styles]})

    cadastre = _attribution(settings.MAP_PARCELS_ATTRIBUTION)
    sources["buildings"] = {"type": "vector", "tiles": [_tiles_url(request, "buildings")],
                            "minzoom": BUILDING_MINZOOM, "maxzoom": 16, **cadastre}
    sources["parcels"] = {"type": "vector", "tiles": [_tiles_url(request, "parcels")],
                          "minzoom": PARCEL_MINZOOM, "maxzoom": 16, **cadastre}
    layers += [
        {"id": "buildings-fill", "type": "fill", "source": "buildings", "source-layer": "buildings",
         "minzoom": BUILDING_MINZOOM, "paint": {"fill-color": BUILDING_COLOUR, "fill-outline-color": "#6c757d"}},
        {"id": "parcels-fill", "type": "fill", "source": "parcels", "source-layer": "parcels",
         "minzoom": PARCEL_MINZOOM, "paint": {"fill-color": PARCEL_COLOUR, "fill-opacity": 0.04, "fill-antialias": False}},
        {"id": "parcels-line", "type": "line", "source": "parcels", "source-layer": "parcels",
         "minzoom": PARCEL_MINZOOM, "paint": {"line-color": PARCEL_COLOUR, "line-width": 0.8}},
        {"id": "parcels-label", "type": "symbol", "source": "parcels", "source-layer": "parcels",
         "minzoom": PARCEL_LABEL_MINZOOM,
         "layout": {"text-field": ["to-string", ["get", "cadastral_number"]], "text-font": LABEL_FONT, "text-size": 11,
                    "symbol-placement": "point", "text-padding": 4},
         "paint": {"text-color": PARCEL_COLOUR, "text-halo-color": "#ffffff", "text-halo-width": 1.5}},
    ]
    # Authorised works in progress (AC/AD with a start notice, permits.works_public): public, toggled in the legend.
    sources[WORKS_LAYER] = {"type": "geojson", "data": request.build_absolute_uri(reverse("permits:works-in-progress"))}
    layers += [
        {"id": f"{WORKS_LAYER}-fill", "type": "fill", "source": WORKS_LAYER, "layout": {"visibility": "visible"},
         "paint": {"fill-color": WORKS_COLOUR, "fill-opacity": 0.35}},
        {"id": f"{WORKS_LAYER}-line", "type": "line", "source": WORKS_LAYER, "layout": {"visibility": "visible"},
         "paint": {"line-color": WORKS_COLOUR, "line-width": 2, "line-dasharray": [2, 1]}},
    ]
    legend += [
        {"id": WORKS_LAYER, "label": _("Lucrări autorizate în execuție"), "colour": WORKS_COLOUR, "kind": "works",
         "visible": True, "layers": [f"{WORKS_LAYER}-fill", f"{WORKS_LAYER}-line"]},
    ]
    # Excavations authorised and not closed (permits' public GeoJSON, small): switched on in the legend.
    sources["excavations"] = {"type": "geojson", "data": request.build_absolute_uri(reverse("permits:public-excavations"))}
    layers += [
        {"id": "excavations-fill", "type": "fill", "source": "excavations", "layout": {"visibility": "none"},
         "paint": {"fill-color": EXCAVATION_COLOUR, "fill-opacity": 0.45}},
        {"id": "excavations-line", "type": "line", "source": "excavations", "layout": {"visibility": "none"},
         "paint": {"line-color": "#9c4a00", "line-width": 2}},
    ]
    legend += [
        {"id": "excavations", "label": _("Săpături autorizate (în curs și planificate)"), "colour": EXCAVATION_COLOUR,
         "kind": "excavations", "visible": False, "layers": ["excavations-fill", "excavations-line"]},
    ]
    legend += [
        {"id": "parcels", "label": _("Parcele (de la zoom 14)"), "colour": PARCEL_COLOUR, "kind": "parcels",
         "visible": True, "layers": ["parcels-fill", "parcels-line", "parcels-label"]},
        {"id": "buildings", "label": _("Clădiri"), "colour": BUILDING_COLOUR, "kind": "buildings",
         "visible": True, "layers": ["buildings-fill"]},
    ]
    return {
        "version": 8,
        "name": "GIS Portal",
        "metadata": {"portal:legend": legend},
        "sources": sources,
        "layers": layers,
    }
