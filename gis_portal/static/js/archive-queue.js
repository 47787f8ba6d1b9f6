// Archive review queue: choose an act in the list, click its parcel (or the nearest place) on the
// map, confirm. The server places the act on the parcel under the point, else the nearest one.
import { api, readJson } from "./api.js";
import { createMap, setOverlay } from "./map.js";
import { t, fmt, number } from "./i18n.js";

const config = readJson("map-config");
const { map, ready } = createMap("queue-map", config, { bounds: config.bounds });
const $ = (id) => document.getElementById(id);

function refresh() {
  const chosenAct = document.querySelector("input[name=act]:checked");
  $("place-submit").disabled = !(chosenAct && $("place-lon").value);
}
document.querySelectorAll("input[name=act]").forEach((input) => input.addEventListener("change", refresh));

ready.then(() => {
  map.on("click", async (event) => {
    const { lng, lat } = event.lngLat;
    $("place-lon").value = lng.toFixed(7);
    $("place-lat").value = lat.toFixed(7);
    const point = { type: "Feature", geometry: { type: "Point", coordinates: [lng, lat] }, properties: { role: "point" } };
    setOverlay(map, [point]);
    $("place-status").textContent = fmt("Punct ales: %s, %s", [number(lat, 5), number(lng, 5)]);
    refresh();
    try {
      const parcel = await api(`${config.parcelAtUrl}?lon=${lng.toFixed(7)}&lat=${lat.toFixed(7)}`);
      const found = parcel && (parcel.features ? parcel.features[0] : parcel.type === "Feature" ? parcel : null);
      if (found) {
        setOverlay(map, [{ type: "Feature", geometry: found.geometry, properties: { role: "parcel" } }, point]);
        $("place-status").textContent = fmt("Parcela %s", [found.properties.cadastral_number]);
      }
    } catch (error) {
      if (error.status !== 404) $("place-status").textContent = error.message;
      else $("place-status").textContent = t("Nicio parcelă în acest punct: actul va merge pe cea mai apropiată.");
    }
  });
});
refresh();
