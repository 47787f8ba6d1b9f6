// Request page (investor and staff): the request on the map (parcels, footprint, features hit with
// their distances) and the actions allowed in the current state, sent to the permits API.
import { api, readJson } from "./api.js";
import { createMap, setOverlay, boundsOf } from "./map.js";
import { t } from "./i18n.js";

const config = readJson("map-config");
const overlay = config.overlay || { type: "FeatureCollection", features: [] };
// Fit the parcels, the footprint and the features hit (a monument 80 m away must be in view).
const ownBounds = boundsOf(overlay);
const { map, ready } = createMap("request-map", config, { bounds: ownBounds || undefined,
  mapOptions: { fitBoundsOptions: { padding: 60, maxZoom: 18 } } });
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
