// The portal's MapLibre map: our own style (vector tiles only), a legend, and an overlay for the
// few shapes a page shows (selected parcel, drawn footprint, request parcels).
import { t, el } from "./i18n.js";

const ROMANIA = [[20.2, 43.6], [29.8, 48.3]];
export const OVERLAY = "overlay";

export function createMap(container, config, options = {}) {
  // A page's own extent wins; else the page's initial view (the town, on the investor map); else
  // the whole territory.
  const view = !options.bounds && config.view
    ? { center: config.view.center, zoom: config.view.zoom }
    : { bounds: options.bounds || config.bounds || ROMANIA, fitBoundsOptions: { padding: 20 } };
  const map = new window.maplibregl.Map({
    container,
    style: config.style || config.styleUrl, // the investor page embeds its style
    ...view,
    maxZoom: 20,
    attributionControl: false, // added bottom-left below: the legend takes the bottom-right corner
    locale: uiStrings(),
    // No glyphs or sprites are used: nothing is fetched from outside the portal.
    ...options.mapOptions,
  });
  map.addControl(new window.maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new window.maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  // The sources' owners and licences (each layer's attribution, e.g. ANCPI, INS, LMI, synthetic data).
  map.addControl(new window.maplibregl.AttributionControl({ compact: true }), "bottom-left");
  // Tests and the browser console reach the map here (queryRenderedFeatures, zoom…).
  window.portalMap = map;
  // The overlay joins the style as soon as it is parsed, so its (empty) tiles load with the others
  // instead of costing one more round of worker messages and frames after `load`.
  map.once("style.load", () => {
    addOverlay(map);
    // Without a legend nothing could switch the hidden layers on: such a map draws them all.
    if (options.legend === false) showLayers(map, legendOf(map).map((item) => item.id));
  });
  const ready = new Promise((resolve) => {
    map.on("load", () => {
      performance.mark("portal:map-load"); // first-input readiness, read by bench/web_map.py
      if (options.legend !== false) addLegend(map, container);
      resolve(map);
    });
  });
  return { map, ready };
}

// MapLibre's own control labels, in the page's language (its defaults are English).
function uiStrings() {
  return {
    "Map.Title": t("Hartă"),
    "NavigationControl.ZoomIn": t("Mărește"),
    "NavigationControl.ZoomOut": t("Micșorează"),
    "NavigationControl.ResetBearing": t("Trageți pentru a roti harta, clic pentru a reveni la nord"),
    "AttributionControl.ToggleAttribution": t("Afișează sau ascunde sursele hărții"),
  };
}

function addOverlay(map) {
  map.addSource(OVERLAY, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  const role = (r) => ["==", ["get", "role"], r];
  map.addLayer({ id: "overlay-fill", type: "fill", source: OVERLAY,
    filter: ["in", ["get", "role"], ["literal", ["parcel", "footprint"]]],
    paint: { "fill-color": ["case", role("footprint"), "#e63946", "#0b5cad"], "fill-opacity": 0.25 } });
  map.addLayer({ id: "overlay-distance", type: "line", source: OVERLAY, filter: role("distance"),
    paint: { "line-color": "#ff006e", "line-width": 2, "line-dasharray": [2, 1.5] } });
  // The feature that made a reviewer's aviz required (property `trigger`) stands out from the other hits.
  const trigger = ["==", ["get", "trigger"], true];
  map.addLayer({ id: "overlay-line", type: "line", source: OVERLAY, filter: ["!", role("distance")],
    paint: { "line-color": ["case", role("footprint"), "#a4161a", trigger, "#7b2cbf", role("hit"), "#ff006e", "#0b5cad"],
             "line-width": ["case", trigger, 6, role("hit"), 4, 3] } });
  map.addLayer({ id: "overlay-point", type: "circle", source: OVERLAY, filter: ["==", ["geometry-type"], "Point"],
    paint: { "circle-color": ["case", trigger, "#7b2cbf", "#ff006e"], "circle-radius": ["case", trigger, 10, 7],
             "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
}

export function setOverlay(map, features) {
  map.getSource(OVERLAY).setData({ type: "FeatureCollection", features });
}

// Highlight the features an analysis hit, straight from the vector tiles (by feature id), so no
// layer is ever downloaded as GeoJSON.
export function highlightHits(map, hits) {
  for (const layer of map.getStyle().layers) {
    if (layer.id.endsWith("-hit") || layer.id.endsWith("-hit-point")) map.removeLayer(layer.id);
  }
  const bySlug = new Map();
  for (const hit of hits) {
    const slug = hit.layer_slug || hit.layer;
    if (!slug || !map.getSource(slug)) continue;
    const ids = bySlug.get(slug) || [];
    ids.push(...(hit.feature_ids || []).map(Number));
    bySlug.set(slug, ids);
  }
  for (const [slug, ids] of bySlug) {
    const filter = ["in", ["id"], ["literal", ids]];
    map.addLayer({ id: `${slug}-hit`, type: "line", source: slug, "source-layer": slug, filter,
      paint: { "line-color": "#ff006e", "line-width": 4 } });
    // Points hit (monuments, transformers…) get a ring around their dot.
    map.addLayer({ id: `${slug}-hit-point`, type: "circle", source: slug, "source-layer": slug,
      filter: ["all", ["==", ["geometry-type"], "Point"], filter],
      paint: { "circle-radius": 10, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#ff006e",
               "circle-stroke-width": 3 } });
  }
  return [...bySlug.keys()];
}

// Each hit feature's distance written on the map beside it: a DOM label (the map has no glyphs) at
// the feature's point nearest the parcel, from GET /api/v1/analyses/{id}/hit-marks/.
const hitLabels = new WeakMap();

export function labelHits(map, marks, textOf) {
  clearHitLabels(map);
  const markers = [];
  for (const mark of marks) {
    const text = textOf(mark);
    if (!text) continue;
    const g = mark.geometry;
    const at = g.type === "Point" ? g.coordinates : g.coordinates[0];
    const node = el("div", { class: "hit-label", role: "img", "aria-label": text, "data-feature": mark.id }, text);
    markers.push(new window.maplibregl.Marker({ element: node, anchor: "left", offset: [16, 0] }).setLngLat(at).addTo(map));
  }
  hitLabels.set(map, markers);
}

export function clearHitLabels(map) {
  for (const marker of hitLabels.get(map) || []) marker.remove();
  hitLabels.delete(map);
}

// The legend lists every layer with a checkbox: constraints start unchecked (their tiles are only
// requested once a layer is visible).
function legendOf(map) {
  return (map.getStyle().metadata || {})["portal:legend"] || [];
}

// The legend folds (a <details>): open on a large map, folded on small maps and phones.
function addLegend(map, container) {
  const legend = legendOf(map);
  const node = typeof container === "string" ? document.getElementById(container) : container;
  const roomy = node.clientWidth >= 700 && node.clientHeight >= 450 && !window.matchMedia("(max-width: 600px)").matches;
  const box = el("details", { class: "legend", open: roomy, "aria-label": t("Legendă") },
    el("summary", { text: t("Legendă") }),
    el("ul", {}, legend.map((item) => {
      const input = el("input", { type: "checkbox", "data-layer": item.id, checked: item.visible !== false,
        onchange: () => setVisible(map, item, input.checked) });
      return el("li", {}, el("label", {}, input,
        el("span", { class: "swatch", style: `background:${item.colour}` }), item.label));
    })));
  node.parentElement.append(box);
}

function setVisible(map, item, visible) {
  for (const id of item.layers || []) {
    if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", visible ? "visible" : "none");
  }
}

// Switch legend layers on (e.g. the constraints a parcel's analysis hit) and tick their checkboxes.
export function showLayers(map, ids) {
  for (const item of legendOf(map).filter((entry) => ids.includes(entry.id))) {
    setVisible(map, item, true);
    const input = document.querySelector(`.legend input[data-layer="${CSS.escape(item.id)}"]`);
    if (input) input.checked = true;
  }
}

export function boundsOf(geojson) {
  let w = 180, s = 90, e = -180, n = -90;
  const visit = (c) => {
    if (typeof c[0] === "number") { w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]); }
    else c.forEach(visit);
  };
  const features = geojson.features || [geojson];
  features.forEach((f) => f && (f.geometry || f).coordinates && visit((f.geometry || f).coordinates));
  return w <= e ? [[w, s], [e, n]] : null;
}

// Wait until the map has rendered every tile it asked for (used after moves by the pages and tests).
export function idle(map) {
  return new Promise((resolve) => (map.loaded() && map.areTilesLoaded() ? resolve() : map.once("idle", resolve)));
}
