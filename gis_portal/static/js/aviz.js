// Reviewer's answer to an aviz request: outcome, conditions (one per line), number, text → avize API,
// which records the answer and signs its PDF in the same transaction.
import { api, readJson } from "./api.js";
import { t } from "./i18n.js";

const config = readJson("map-config");
const form = document.getElementById("answer-form");
if (form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("answer-status");
    const outcome = form.querySelector("[name=outcome]:checked").value;
    const conditions = form.querySelector("[name=conditions]").value.split("\n").map((s) => s.trim()).filter(Boolean);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    status.textContent = t("Se semnează și se trimite…");
    try {
      await api(`/api/v1/avize/${config.avizId}/answer/`, { method: "POST", body: {
        outcome, conditions, number: form.querySelector("[name=number]").value,
        text: form.querySelector("[name=text]").value, dossier_version: Number(form.dataset.version) } });
      location.reload();
    } catch (error) {
      status.textContent = error.message;
      button.disabled = false;
    }
  });
}

// The institution's one reasoned request for completions (stops its clock until the applicant answers).
const completion = document.getElementById("completion-form");
if (completion) {
  completion.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("completion-status");
    const button = completion.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api(`/api/v1/avize/${config.avizId}/completion-request/`, { method: "POST",
        body: { text: completion.querySelector("[name=text]").value } });
      location.reload();
    } catch (error) {
      status.textContent = error.message;
      button.disabled = false;
    }
  });
  completion.dataset.ready = "true";  // the handler is attached (a click before would reload the page)
}
