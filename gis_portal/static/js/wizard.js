// CU request wizard: parcels → applicant and purpose → works footprint (terra-draw, snapped to the
// parcel's corners, clipped to the parcels by the server) → documents (drag and drop, progress) →
// fee and submission. The draft is created through the permits API when leaving step 3.
import { api, upload, readJson, results } from "./api.js";
import { createMap, setOverlay, boundsOf } from "./map.js";
import { t, fmt, number, el } from "./i18n.js";
import { renderAvize, parcelLabel } from "./analysis-view.js";

const config = readJson("map-config");
const $ = (id) => document.getElementById(id);
const { map, ready } = createMap("wizard-map", config, { legend: false });
const state = { step: 1, parcels: new Map(), footprint: null, draftId: null, draft: null, draw: null };
const LAST = 5;

// ---- steps ------------------------------------------------------------------------------------
function show(step) {
  state.step = step;
  for (const section of document.querySelectorAll(".wizard-step")) section.hidden = Number(section.dataset.step) !== step;
  for (const li of document.querySelectorAll("#steps li")) {
    if (Number(li.dataset.step) === step) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  }
  $("prev").hidden = step === 1;
  $("next").hidden = step === LAST;
  $("wizard-error").textContent = "";
  const heading = document.querySelector(`.wizard-step[data-step="${step}"] h2`);
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

async function leave(step) {
  if (step === 1 && !state.parcels.size) throw new Error(t("Alegeți cel puțin o parcelă."));
  if (step === 2) {
    for (const id of ["applicant_name", "applicant_id_code"]) {
      if (!$(id).value.trim()) { $(id).focus(); throw new Error(t("Completați câmpurile obligatorii.")); }
    }
  }
  if (step === 3) await saveDraft();
  if (step === 4) await refreshDraft();
}

$("next").addEventListener("click", async () => {
  $("next").disabled = true;
  try {
    await leave(state.step);
    show(state.step + 1);
  } catch (error) {
    $("wizard-error").textContent = error.message;
  } finally {
    $("next").disabled = false;
  }
});
$("prev").addEventListener("click", () => show(state.step - 1));

// ---- step 1: parcels ----------------------------------------------------------------------------
async function addParcel(parcel) {
  if (!parcel.geometry) parcel = await api(`/api/v1/parcels/${parcel.id}/`);
  const id = parcel.id ?? parcel.properties.id;
  state.parcels.set(id, parcel);
  renderParcels();
}

function renderParcels() {
  const list = [...state.parcels.entries()].map(([id, parcel]) => el("li", { "data-parcel": id }, parcelLabel(parcel), " ",
    el("button", { type: "button", class: "link", onclick: () => { state.parcels.delete(id); renderParcels(); } },
      t("elimină"))));
  $("chosen-parcels").replaceChildren(...list);
  const area = [...state.parcels.values()].reduce((sum, p) => sum + Number((p.properties || p).measured_area_m2 || 0), 0);
  $("parcel-area").textContent = state.parcels.size ? fmt("Suprafața parcelelor: %s m²", [number(area, 0)]) : "";
  ready.then(() => {
    drawOverlay();
    const b = boundsOf({ features: [...state.parcels.values()] });
    if (b) map.fitBounds(b, { padding: 60, maxZoom: 19, duration: 0 });
  });
}

function drawOverlay() {
  const features = [...state.parcels.values()].map((p) => ({ type: "Feature", geometry: p.geometry, properties: { role: "parcel" } }));
  if (state.footprint) features.push({ type: "Feature", geometry: state.footprint, properties: { role: "footprint" } });
  setOverlay(map, features);
}

$("parcel-search").addEventListener("click", async () => {
  const q = $("parcel-q").value.trim();
  if (!q) return;
  try {
    const found = results(await api(`/api/v1/search/?q=${encodeURIComponent(q)}`));
    $("parcel-results").replaceChildren(...(found.length ? found.map((p) => el("li", {},
      el("button", { type: "button", onclick: () => { $("parcel-results").replaceChildren(); addParcel(p); } }, parcelLabel(p))))
      : [el("li", { class: "muted", text: t("Nicio parcelă găsită.") })]));
  } catch (error) {
    $("wizard-error").textContent = error.message;
  }
});
$("parcel-q").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); $("parcel-search").click(); } });

ready.then(() => {
  map.on("click", async (event) => {
    if (state.step !== 1) return;
    const { lng, lat } = event.lngLat;
    try {
      const found = await api(`/api/v1/parcels/at/?lon=${lng.toFixed(7)}&lat=${lat.toFixed(7)}`);
      const list = results(found);
      const parcel = list.length ? list[0] : found && found.type === "Feature" ? found : null;
      if (parcel) addParcel(parcel);
    } catch { /* no parcel under the click */ }
  });
  if (config.parcel) addParcel({ id: config.parcel }).catch((e) => { $("wizard-error").textContent = e.message; });
});

// ---- step 3: the footprint -------------------------------------------------------------------------
function parcelVertices() {
  const out = [];
  const visit = (c) => (typeof c[0] === "number" ? out.push(c) : c.forEach(visit));
  for (const p of state.parcels.values()) visit(p.geometry.coordinates);
  return out;
}

// Snap a drawn corner to the nearest parcel corner within 12 pixels.
function snapToParcel(event, context) {
  let best = null;
  let bestDistance = 12;
  for (const [lng, lat] of parcelVertices()) {
    const { x, y } = context.project(lng, lat);
    const d = Math.hypot(x - event.containerX, y - event.containerY);
    if (d < bestDistance) { best = [lng, lat]; bestDistance = d; }
  }
  return best || undefined;
}

function ensureDraw() {
  if (state.draw) return state.draw;
  const { TerraDraw, TerraDrawPolygonMode } = window.terraDraw;
  const { TerraDrawMapLibreGLAdapter } = window.terraDrawMaplibreGlAdapter;
  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map }),
    modes: [new TerraDrawPolygonMode({ snapping: { toCustom: snapToParcel },
      styles: { fillColor: "#e63946", outlineColor: "#a4161a", fillOpacity: 0.3 } })],
  });
  draw.start();
  draw.on("finish", (id) => {
    const feature = draw.getSnapshotFeature(id);
    draw.clear();
    draw.setMode("static");
    clip(feature.geometry);
  });
  state.draw = draw;
  return draw;
}

async function clip(geometry) {
  $("footprint-status").textContent = t("Se decupează amprenta la parcelă…");
  try {
    const out = await api("/api/v1/footprints/clip/", { method: "POST",
      body: { footprint: geometry, parcels: [...state.parcels.keys()] } });
    state.footprint = out.footprint;
    drawOverlay();
    const area = [number(out.area_m2, 1)];
    $("footprint-status").textContent = out.clipped
      ? fmt("Amprentă de %s m² (decupată la limita parcelei).", area) : fmt("Amprentă de %s m².", area);
  } catch (error) {
    $("footprint-status").textContent = error.message;
  }
}

$("draw-start").addEventListener("click", async () => {
  await ready;
  state.footprint = null;
  drawOverlay();
  const draw = ensureDraw();
  draw.setMode("polygon");
  $("footprint-status").textContent = t("Desenați pe hartă; clic pe primul punct pentru a închide.");
});
$("draw-clear").addEventListener("click", () => {
  state.footprint = null;
  if (state.draw) { state.draw.clear(); state.draw.setMode("static"); }
  drawOverlay();
  $("footprint-status").textContent = t("Nicio amprentă desenată.");
});

// ---- the draft ---------------------------------------------------------------------------------
function payload() {
  const value = (id) => $(id).value.trim();
  const num = (id) => (value(id) === "" ? null : Number(value(id)));
  return {
    kind: "cu", parcel_ids: [...state.parcels.keys()].map(Number),
    applicant_type: value("applicant_type"), applicant_name: value("applicant_name"),
    applicant_id_code: value("applicant_id_code"), applicant_address: value("applicant_address"),
    applicant_email: value("applicant_email"), purpose: value("purpose"), works_kind: value("works_kind"),
    works_description: value("works_description"), works_levels: num("works_levels"), works_height_m: num("works_height_m"),
    footprint: state.footprint, ...declaredWorks(),
  };
}

// The works as the analysis API names them, so the preview lists what the CU will (works rules).
function analysisWorks() {
  const declared = { ...declaredWorks(), works_kind: $("works_kind").value, purpose: $("purpose").value };
  const names = { works_destination: "kind", works_kind: "operation", works_connections: "connections",
    works_road_access: "road_access", works_built_area_m2: "built_area_m2", works_occupants: "occupants",
    works_gross_floor_area_m2: "gross_floor_area_m2", purpose: "purpose" };
  const works = state.footprint ? { footprint: state.footprint } : {};
  for (const [from, to] of Object.entries(names)) {
    const v = declared[from];
    if (v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length)) works[to] = v;
  }
  return works;
}

// The declared works (web/_works_declaration.html): every named input, check boxes of a name as a list.
function declaredWorks() {
  const out = {};
  for (const input of document.querySelectorAll("#works-declaration [name]")) {
    if (input.type === "checkbox") {
      out[input.name] ||= [];
      if (input.checked) out[input.name].push(input.value);
    }
    else if (input.type === "number") out[input.name] = input.value.trim() === "" ? null : Number(input.value);
    else out[input.name] = input.value;
  }
  return out;
}

async function saveDraft() {
  const body = payload();
  state.draft = state.draftId
    ? await api(`/api/v1/applications/${state.draftId}/`, { method: "PATCH", body })
    : await api("/api/v1/applications/", { method: "POST", body });
  state.draftId = state.draft.id;
  document.getElementById("wizard").dataset.draft = state.draftId;
}

async function refreshDraft() {
  state.draft = await api(`/api/v1/applications/${state.draftId}/`);
  $("wizard-fee").textContent = state.draft.fee_ron != null ? `${number(state.draft.fee_ron, 2)} lei` : "—";
  const basis = state.draft.fee_breakdown && (state.draft.fee_breakdown.legal_basis || "");
  $("wizard-fee-basis").textContent = basis;
  const missing = state.draft.missing_documents || [];
  $("missing-docs").textContent = missing.length ? fmt("Lipsesc documentele: %s", [missing.join(", ")]) : "";
  try {
    const analysis = await api("/api/v1/analyses/", { method: "POST",
      body: { parcels: [...state.parcels.keys()].map(Number), works: analysisWorks() } });
    const result = analysis.result || analysis;
    renderAvize($("wizard-avize"), result.required_avize || []);
  } catch (error) {
    $("wizard-avize").replaceChildren(el("li", { class: "muted", text: error.message }));
  }
}

// ---- step 4: documents ---------------------------------------------------------------------------
async function send(slot, file) {
  const progress = slot.querySelector("progress");
  slot.querySelector(".file-name").textContent = file.name;
  const form = new FormData();
  form.append("doc_type", slot.dataset.docType);
  form.append("file", file);
  progress.value = 0;
  try {
    await upload(`/api/v1/applications/${state.draftId}/documents/`, form, (share) => { progress.value = share; });
    progress.value = 1;
    slot.classList.add("done");
    $("upload-status").textContent = fmt("%s încărcat.", [file.name]);
  } catch (error) {
    progress.value = 0;
    $("upload-status").textContent = `${file.name}: ${error.message}`;
  }
}

for (const slot of document.querySelectorAll("#doc-slots [data-doc-type]")) {
  if (slot.tagName === "INPUT") continue;
  const input = slot.querySelector("input[type=file]");
  input.addEventListener("change", () => input.files[0] && send(slot, input.files[0]));
  slot.addEventListener("dragover", (e) => { e.preventDefault(); slot.classList.add("over"); });
  slot.addEventListener("dragleave", () => slot.classList.remove("over"));
  slot.addEventListener("drop", (e) => {
    e.preventDefault();
    slot.classList.remove("over");
    if (e.dataTransfer.files[0]) send(slot, e.dataTransfer.files[0]);
  });
}

// ---- step 5: submit ---------------------------------------------------------------------------------
$("submit-request").addEventListener("click", async () => {
  $("submit-request").disabled = true;
  try {
    await api(`/api/v1/applications/${state.draftId}/submit/`, { method: "POST" });
    location.href = config.detailUrl.replace("/0/", `/${state.draftId}/`);
  } catch (error) {
    $("wizard-error").textContent = error.message;
    $("submit-request").disabled = false;
  }
});

show(1);
