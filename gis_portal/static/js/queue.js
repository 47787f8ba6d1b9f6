// Staff queue: the requests of the issuer on a map (one GeoJSON overlay of their parcels, small).
import { readJson } from "./api.js";
import { createMap, setOverlay, boundsOf } from "./map.js";

const config = readJson("map-config");
const overlay = config.overlay || { type: "FeatureCollection", features: [] };
const { map, ready } = createMap("queue-map", config, { bounds: boundsOf(overlay) || undefined });
ready.then(() => {
  setOverlay(map, overlay.features);
  map.on("click", "overlay-fill", (event) => {
    const id = event.features[0].properties.application;
    if (id) location.href = `/requests/${id}/`;
  });
});
