// Excavation request: the operator draws the trench (a line with a width) or the dig area (a polygon)
// with terra-draw, gives the street, dates and purpose; a live check (POST /api/v1/excavations/check/)
// shows the dug area, fee, guarantee, the avize it needs and the dig-once overlaps; then the request is
// created, its document uploaded and it is submitted through the permits API.
import { api, upload, readJson, ApiError } from "./api.js";
import { createMap, setOverlay, showLayers } from "./map.js";
import { t, fmt, number, el } from "./i18n.js";
import { renderAvize } from "./analysis-view.js";
import { APPLICANT_FIELDS, applicantCodeProblem } from "./applicant.js";

const config = readJson("map-config");
const $ = (id) => document.getElementById(id);
const { map, ready } = createMap("excavation-map", config);
const state = { geometry: null, redrawn: false, draw: null, draftId: config.draftId || null, draft: null };
const NETWORK_THEMES = ["gas_pipeline", "water_main", "street_rehabilitation", "power_line_20kV", "power_line_110kV"];

const shape = () => document.querySelector('input[name="shape"]:checked').value;

// ---- errors next to their fields ------------------------------------------------------------------
function fieldNode(name) {
  const short = name.replace(/^excavation\./, "");
  return document.querySelector(`#excavation-form [name="${short}"], #excavation-form [data-field="${short}"]`);
}

function setFieldError(name, message) {
  const node = fieldNode(name);
  if (!node) return false;
  const id = `error-${name.replace(/\W/g, "-")}`;
  let box = $(id);
  if (!message) { if (box) box.remove(); node.removeAttribute("aria-invalid"); return true; }
  if (!box) {
    box = el("p", { id, class: "error field-error" });
    node.after(box);
    node.setAttribute("aria-describedby", [node.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
  }
  box.textContent = message;
  if (node.matches("input, select, textarea")) node.setAttribute("aria-invalid", "true");
  return true;
}

function clearErrors() {
  for (const box of document.querySelectorAll("#excavation-form .field-error")) box.remove();
  for (const node of document.querySelectorAll("#excavation-form [aria-invalid]")) node.removeAttribute("aria-invalid");
  $("form-error").textContent = "";
}

function showApiError(error) {
  const fields = error instanceof ApiError ? error.fields : {};
  const unplaced = [];
  for (const [name, reasons] of Object.entries(fields)) {
    if (!setFieldError(name, reasons.join(" "))) unplaced.push(...reasons);
  }
  $("form-error").textContent = unplaced.length || !Object.keys(fields).length ? (unplaced.join(" ") || error.message) : "";
  const first = document.querySelector("#excavation-form [aria-invalid], #excavation-form .field-error");
  if (first) first.scrollIntoView({ block: "center" });
}

// ---- drawing ----------------------------------------------------------------------------------
function ensureDraw() {
  if (state.draw) return state.draw;
  const { TerraDraw, TerraDrawLineStringMode, TerraDrawPolygonMode } = window.terraDraw;
  const { TerraDrawMapLibreGLAdapter } = window.terraDrawMaplibreGlAdapter;
  const styles = { lineStringColor: "#9c4a00", lineStringWidth: 3, fillColor: "#f77f00", outlineColor: "#9c4a00",
    fillOpacity: 0.3 };
  const draw = new TerraDraw({ adapter: new TerraDrawMapLibreGLAdapter({ map }),
    modes: [new TerraDrawLineStringMode({ styles }), new TerraDrawPolygonMode({ styles })] });
  draw.start();
  draw.on("finish", (id) => {
    const feature = draw.getSnapshotFeature(id);
    draw.clear();
    draw.setMode("static");
    state.geometry = feature.geometry;
    state.redrawn = true;
    setFieldError("geometry", "");
    check();
  });
  state.draw = draw;
  return draw;
}

$("draw-start").addEventListener("click", async () => {
  await ready;
  state.geometry = null;
  setOverlay(map, []);
  ensureDraw().setMode(shape() === "line" ? "linestring" : "polygon");
  const box = $("excavation-map").getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) $("excavation-map").scrollIntoView({ block: "center" });
  $("geometry-status").textContent = shape() === "line"
    ? t("Clic pentru fiecare punct al axului; Enter sau clic din nou pe ultimul punct pentru a termina.")
    : t("Desenați conturul; clic pe primul punct pentru a închide.");
});
$("draw-clear").addEventListener("click", () => {
  state.geometry = null;
  if (state.draw) { state.draw.clear(); state.draw.setMode("static"); }
  setOverlay(map, []);
  $("geometry-status").textContent = t("Nimic desenat încă.");
  renderCheck(null);
});
for (const input of document.querySelectorAll('input[name="shape"]')) {
  input.addEventListener("change", () => { $("width_m").disabled = shape() !== "line"; });
}

// ---- the live check ---------------------------------------------------------------------------
function excavationData() {
  const data = { street: $("street").value.trim(), starts_on: $("starts_on").value, ends_on: $("ends_on").value,
    roadway_closed: $("roadway_closed").checked };
  if (state.geometry) {
    data.geometry = state.geometry;
    if (state.geometry.type === "LineString") data.width_m = $("width_m").value;
  }
  return data;
}

let timer = null;
let run = 0;
function check() {
  clearTimeout(timer);
  timer = setTimeout(runCheck, 300);
}

async function runCheck() {
  const data = excavationData();
  if (!data.geometry || !data.starts_on || !data.ends_on) return;
  const mine = ++run;
  $("check-summary").textContent = t("Se verifică săpătura…");
  try {
    const out = await api("/api/v1/excavations/check/", { method: "POST", body: {
      geometry: data.geometry, width_m: data.width_m ?? null, starts_on: data.starts_on, ends_on: data.ends_on,
      roadway_closed: data.roadway_closed } });
    if (mine !== run) return;
    for (const name of ["geometry", "width_m", "starts_on", "ends_on"]) setFieldError(name, "");
    renderCheck(out);
  } catch (error) {
    if (mine !== run) return;
    renderCheck(null);
    showApiError(error);
  }
}

function renderCheck(out) {
  if (!out) {
    $("check-summary").textContent = t("Desenați săpătura pentru a vedea suprafața, taxa, garanția, avizele necesare și suprapunerile.");
    $("excavation-avize").replaceChildren();
    $("dig-once").hidden = true;
    return;
  }
  setOverlay(map, [{ type: "Feature", geometry: out.geometry, properties: { role: "footprint" } }]);
  $("geometry-status").textContent = fmt("Suprafață săpată: %s m² (%s).", [number(out.area_m2, 2), out.uat]);
  $("check-summary").textContent = fmt("Taxa: %s lei. Garanția de refacere: %s lei (se restituie după recepție).",
    [number(out.fee_ron, 2), number(out.guarantee_ron, 2)]);
  renderAvize($("excavation-avize"), out.required_avize || []);
  const conflicts = out.conflicts || [];
  $("dig-once").hidden = !conflicts.length;
  $("dig-once-list").replaceChildren(...conflicts.map((c) => el("li", { "data-kind": c.kind },
    c.kind === "excavation"
      ? fmt("Săpătura autorizată nr. %s (%s), %s, %s – %s", [c.number, c.holder || t("persoană fizică"), c.street, c.starts_on, c.ends_on])
      : fmt("%s: stradă reabilitată la %s (moratoriu de %s ani)", [c.street, c.rehabilitated_on || "?", c.moratorium_years]))));
}

for (const id of ["width_m", "starts_on", "ends_on", "roadway_closed"]) $(id).addEventListener("change", check);

// ---- applicant code as typed ------------------------------------------------------------------------
// The problem is reported when leaving the field and cleared as soon as the code is right (while typing,
// so the page does not move under a click that ends the typing).
function checkCode(report) {
  const problem = applicantCodeProblem();
  if (!problem) setFieldError("applicant_id_code", "");
  else if (report) setFieldError("applicant_id_code", problem);
}
$("applicant_id_code").addEventListener("input", () => checkCode(false));
$("applicant_id_code").addEventListener("blur", () => checkCode(true));

// ---- the draft, its document, submission ----------------------------------------------------------
function payload() {
  return { kind: "excavation", ...Object.fromEntries(APPLICANT_FIELDS.map((id) => [id, $(id).value.trim()])),
    works_description: $("works_description").value.trim(), excavation: excavationData() };
}

function localProblems(body) {
  const problems = {};
  if (!state.geometry && !state.draftId) problems.geometry = t("Desenați pe hartă traseul sau suprafața săpăturii.");
  if (!body.excavation.street) problems.street = t("Indicați strada.");
  if (!body.works_description) problems.works_description = t("Descrieți scopul lucrărilor.");
  if (!body.applicant_name) problems.applicant_name = t("Numele solicitantului este obligatoriu.");
  const idProblem = body.applicant_id_code ? applicantCodeProblem() : t("Completați CNP-ul sau CUI-ul.");
  if (idProblem) problems.applicant_id_code = idProblem;
  const files = [...document.querySelectorAll("input[type=file][data-doc-type]")];
  if (!state.draftId && files.some((f) => !f.files.length)) problems.documents = t("Încărcați documentele obligatorii.");
  return problems;
}

$("submit-request").addEventListener("click", async () => {
  clearErrors();
  const body = payload();
  const problems = localProblems(body);
  if (Object.keys(problems).length) {
    for (const [name, message] of Object.entries(problems)) setFieldError(name, message);
    $("form-error").textContent = t("Completați câmpurile marcate.");
    return;
  }
  const button = $("submit-request");
  button.disabled = true;
  try {
    if (!state.redrawn) { delete body.excavation.geometry; delete body.excavation.width_m; }
    const app = state.draftId
      ? await api(`/api/v1/applications/${state.draftId}/`, { method: "PATCH", body })
      : await api("/api/v1/applications/", { method: "POST", body });
    state.draftId = app.id;
    for (const input of document.querySelectorAll("input[type=file][data-doc-type]")) {
      if (!input.files.length) continue;
      const form = new FormData();
      form.append("doc_type", input.dataset.docType);
      form.append("file", input.files[0]);
      await upload(`/api/v1/applications/${app.id}/documents/`, form, () => {});
    }
    if (app.status === "returned_for_completion") {
      await api(`/api/v1/applications/${app.id}/transitions/`, { method: "POST", body: { action: "resubmit" } });
    } else {
      await api(`/api/v1/applications/${app.id}/submit/`, { method: "POST" });
    }
    window.location.assign(config.detailUrl.replace("/0/", `/${app.id}/`) + "?sent=1");
  } catch (error) {
    showApiError(error);
    button.disabled = false;
  }
});

// ---- a draft or a request returned for completion -----------------------------------------------
async function loadDraft() {
  const app = await api(`/api/v1/applications/${state.draftId}/`);
  state.draft = app;
  for (const name of [...APPLICANT_FIELDS, "works_description"]) if (app[name] !== undefined && app[name] !== null) $(name).value = app[name];
  const exc = app.excavation;
  if (!exc) return;
  $("street").value = exc.street;
  $("starts_on").value = exc.starts_on;
  $("ends_on").value = exc.ends_on;
  $("roadway_closed").checked = exc.roadway_closed;
  if (exc.width_m) $("width_m").value = exc.width_m;
  state.geometry = exc.axis || exc.geometry;
  check();
}

ready.then(() => {
  const legend = (map.getStyle().metadata || {})["portal:legend"] || [];
  showLayers(map, ["excavations", ...legend.filter((i) => NETWORK_THEMES.includes(i.theme)).map((i) => i.id)]);
});
if (state.draftId) loadDraft().catch(showApiError);
