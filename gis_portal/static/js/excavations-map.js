// The public register's map: the portal's map with the excavations layer switched on, fitted to them.
import { readJson } from "./api.js";
import { createMap, showLayers, boundsOf } from "./map.js";

const config = readJson("map-config");
const { map, ready } = createMap("excavations-map", config);
ready.then(async () => {
  showLayers(map, ["excavations"]);
  const response = await fetch(config.excavations, { headers: { Accept: "application/json" } });
  const bounds = response.ok ? boundsOf(await response.json()) : null;
  if (bounds) map.fitBounds(bounds, { padding: 40, maxZoom: 17, duration: 0 });
});
