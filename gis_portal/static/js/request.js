// Request page (investor and staff): the request on the map (parcels, footprint, features hit with
// their distances) and the actions allowed in the current state, sent to the permits API.
import { api, readJson } from "./api.js";
import { createMap, setOverlay, boundsOf } from "./map.js";
import { t } from "./i18n.js";

const config = readJson("map-config");
const overlay = config.overlay || { type: "FeatureCollection", features: [] };
// Frame the case: the parcels, the footprint and the small features hit nearby (a monument 60 m away,
// the feature that made a reviewer's aviz required); large constraint outlines (a flood zone, a
// protection area covering the town) stay around them as context instead of setting the scale.
const SMALL_M = 400;
const spanM = (b) => Math.max((b[1][0] - b[0][0]) * 111320 * Math.cos((b[0][1] * Math.PI) / 180), (b[1][1] - b[0][1]) * 110540);
const framed = overlay.features.filter((f) => {
  if (["parcel", "footprint"].includes(f.properties.role)) return true;
  const b = boundsOf(f);
  return f.properties.role === "hit" && b && spanM(b) <= SMALL_M && (f.properties.distance_m ?? 0) <= SMALL_M;
});
const ownBounds = boundsOf({ features: framed }) || boundsOf(overlay);
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
    if (!(await confirmed(button))) return;
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

// Decisions that cannot be undone (issue, refuse) are confirmed in a modal <dialog> first: it takes the
// focus, names the consequence and defaults to "cancel"; Escape cancels.
function confirmed(button) {
  const question = button.dataset.confirm;
  const dialog = document.getElementById("confirm-dialog");
  if (!question || !dialog) return Promise.resolve(true);
  dialog.querySelector("#confirm-text").textContent = question;
  dialog.querySelector("#confirm-ok").textContent = button.dataset.confirmButton;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
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
