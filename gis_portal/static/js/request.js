// Request page (investor and staff): the request on the map (parcels, footprint, features hit with
// their distances) and the actions allowed in the current state, sent to the permits API.
import { api, readJson } from "./api.js";
import { createMap, setOverlay, boundsOf } from "./map.js";
import { t } from "./i18n.js";

const config = readJson("map-config");
const overlay = config.overlay || { type: "FeatureCollection", features: [] };
// Frame the parcels and the footprint (the case); the constraints hit stay around them as context.
const ownBounds = boundsOf({ features: overlay.features.filter((f) => ["parcel", "footprint"].includes(f.properties.role)) })
  || boundsOf(overlay);
const { map, ready } = createMap("request-map", config, { bounds: ownBounds || undefined,
  mapOptions: { fitBoundsOptions: { padding: 40, maxZoom: 19 } } });
ready.then(() => setOverlay(map, overlay.features));

const form = document.getElementById("action-form");
if (form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter;
    const action = button && button.dataset.action;
    if (!action) return;
    const status = document.getElementById("action-status");
    const reason = form.querySelector("[name=reason]").value;
    for (const b of form.querySelectorAll("button")) b.disabled = true;
    status.textContent = t("Se trimite…");
    try {
      // Submission has its own endpoint (it registers and freezes the analysis); the rest are transitions.
      if (action === "submit") await api(`/api/v1/applications/${config.applicationId}/submit/`, { method: "POST" });
      else {
        const body = { action, reason };
        const months = form.querySelector("[name=validity_months]");
        if (action === "issue" && months && months.value) body.validity_months = Number(months.value);
        await api(`/api/v1/applications/${config.applicationId}/transitions/`, { method: "POST", body });
      }
      location.reload();
    } catch (error) {
      status.textContent = error.message;
      for (const b of form.querySelectorAll("button")) b.disabled = false;
    }
  });
}

const payment = document.getElementById("payment-form");
if (payment) {
  payment.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("payment-status");
    try {
      await api(`/api/v1/applications/${config.applicationId}/payments/`, { method: "POST",
        body: { amount_ron: payment.dataset.amount, reference: payment.querySelector("[name=reference]").value } });
      location.reload();
    } catch (error) {
      status.textContent = error.message;
    }
  });
}
