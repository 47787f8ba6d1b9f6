// Request wizard (every kind): parcels → applicant and purpose (or the act it is based on) → works
// footprint (terra-draw, snapped to the parcel's corners, clipped to the parcels by the server) with
// the live compliance table → documents (drag and drop, progress) → recap, fee and submission.
// The draft is saved through the permits API when leaving steps 2 and 3; ?draft= reopens one and
// ?based_on= starts from an issued act (its parcels, applicant and works are carried over).
// An extension (F.7, F.12) has no works step and no rules analysis: step 1 chooses the act, whose parcels and
// works are shown read-only (on step 1 and on the recap) and are not sent: the server takes the act's.
import { api, upload, readJson, results, ApiError } from "./api.js";
import { createMap, setOverlay, boundsOf } from "./map.js";
import { t, fmt, nfmt, number, el } from "./i18n.js";
import { renderAvize, parcelLabel } from "./analysis-view.js";
import { APPLICANT_FIELDS, applicantCodeProblem } from "./applicant.js";
import { renderCompliance, failedChecks } from "./compliance.js";

const config = readJson("map-config");
const $ = (id) => document.getElementById(id);
const { map, ready } = createMap("wizard-map", config, { legend: false });
const state = { step: 1, parcels: new Map(), footprint: null, footprintArea: null, draftId: config.draftId || null,
  draft: null, draw: null, compliance: null };
const kind = config.kind || "cu";
// An address certificate has no works (step 3) and no avize: it states the address of the street register.
const isAddress = kind === "address_certificate";
const isExtension = $("wizard").dataset.extension === "1";
const skipped = new Set(($("wizard").dataset.skip || "").split(",").filter(Boolean).map(Number));
const returned = config.draftStatus === "returned_for_completion";
const LAST = 5;

// ---- steps ------------------------------------------------------------------------------------
function show(step, direction = 1) {
  while (skipped.has(step)) step += direction;
  step = Math.min(Math.max(step, 1), LAST);
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

// ---- errors next to their fields --------------------------------------------------------------
function fieldNode(name) {
  return document.querySelector(`#wizard [name="${name}"], #wizard [data-field="${name}"]`);
}

function setFieldError(name, message) {
  const node = fieldNode(name);
  if (!node) return false;
  let box = document.getElementById(`error-${name}`);
  if (!message) {
    if (box) box.remove();
    node.removeAttribute("aria-invalid");
    return true;
  }
  if (!box) {
    box = el("p", { id: `error-${name}`, class: "error field-error" });
    node.after(box);
    const described = (node.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (!described.includes(box.id)) node.setAttribute("aria-describedby", [...described, box.id].join(" "));
  }
  box.textContent = message;
  if (node.matches("input, select, textarea")) node.setAttribute("aria-invalid", "true");
  return true;
}

function stepOf(name) {
  const node = fieldNode(name);
  const section = node && node.closest(".wizard-step");
  return section ? Number(section.dataset.step) : null;
}

// The server's answer: each reason next to its field, on the step of the first field concerned.
function showServerErrors(error) {
  if (!(error instanceof ApiError)) { $("wizard-error").textContent = error.message; return; }
  const fields = error.fields;
  const placed = Object.keys(fields).filter((name) => stepOf(name));
  if (!placed.length) { $("wizard-error").textContent = error.message; return; }
  const first = Math.min(...placed.map(stepOf));
  if (first !== state.step) show(first);
  for (const name of placed) setFieldError(name, [...new Set(fields[name])].join(" "));
  const rest = Object.keys(fields).filter((name) => !placed.includes(name)).flatMap((name) => fields[name]);
  $("wizard-error").textContent = rest.join(" ");
  const node = fieldNode(placed[0]);
  if (node && node.matches("input, select, textarea")) node.focus();
}

class Invalid extends Error {}

function checkStep(step) {
  let ok = true;
  const need = (name, message) => {
    const node = fieldNode(name);
    if (!node) return;
    const problem = node.value.trim() ? null : message;
    setFieldError(name, problem);
    if (problem && ok) { node.focus(); ok = false; }
  };
  if (step === 1 && isExtension) need("based_on", t("Alegeți actul pe care se bazează cererea."));
  else if (step === 1) {
    const problem = state.parcels.size ? null : t("Alegeți cel puțin o parcelă.");
    setFieldError("parcel_ids", problem);
    if (problem) ok = false;
  }
  if (step === 3) {
    need("works_value_ron", t("Completați valoarea lucrărilor."));
    need("taxable_value_ron", t("Completați valoarea impozabilă."));
  }
  if (step === 2) {
    need("applicant_name", t("Completați numele solicitantului."));
    const codeProblem = checkIdCode(true);
    if (codeProblem && ok) { $("applicant_id_code").focus(); ok = false; }
    if ($("based_on") && !isExtension) need("based_on", t("Alegeți actul pe care se bazează cererea."));
  }
  if (!ok) throw new Invalid(t("Corectați câmpurile marcate."));
}

function checkIdCode(required) {
  const empty = !$("applicant_id_code").value.trim();
  const problem = !empty ? applicantCodeProblem() : required ? t("Completați CNP-ul sau CUI-ul.") : null;
  setFieldError("applicant_id_code", problem);
  return problem;
}

async function leave(step) {
  checkStep(step);
  if (step === 2 || step === 3) await saveDraft();
}

$("next").addEventListener("click", async () => {
  $("next").disabled = true;
  try {
    await leave(state.step);
    show(state.step + 1);
    if (state.step === LAST) await refreshDraft();
  } catch (error) {
    if (error instanceof Invalid) $("wizard-error").textContent = error.message;
    else showServerErrors(error);
  } finally {
    $("next").disabled = false;
  }
});
$("prev").addEventListener("click", () => show(state.step - 1, -1));

// Checked as the user types: the check digits on every change, required fields once left.
$("applicant_id_code").addEventListener("input", () => {
  const code = $("applicant_id_code").value.trim();
  const complete = $("applicant_type").value === "person" ? code.length >= 13 : code.length >= 2;
  if (complete || document.getElementById("error-applicant_id_code")) checkIdCode(false);
});
$("applicant_id_code").addEventListener("blur", () => checkIdCode(false));
$("applicant_type").addEventListener("change", () => $("applicant_id_code").value.trim() && checkIdCode(false));
$("applicant_name").addEventListener("input", () => $("applicant_name").value.trim() && setFieldError("applicant_name", null));
if ($("based_on")) $("based_on").addEventListener("change", () => $("based_on").value && setFieldError("based_on", null));
if (isExtension) $("based_on").addEventListener("change", () => loadBase($("based_on").value).catch((e) => { $("wizard-error").textContent = e.message; }));

// ---- step 1: parcels ----------------------------------------------------------------------------
async function addParcel(parcel) {
  if (!parcel.geometry) parcel = await api(`/api/v1/parcels/${parcel.id}/`);
  const id = parcel.id ?? parcel.properties.id;
  if (isAddress) state.parcels.clear(); // one certificate, one parcel
  state.parcels.set(id, parcel);
  setFieldError("parcel_ids", null);
  renderParcels();
  if (isAddress) showRegisterAddress(id);
}

// The parcel's address in the street register, or why the city hall will first assign it a number.
async function showRegisterAddress(id) {
  const box = $("parcel-address");
  box.hidden = false;
  box.replaceChildren(el("p", { class: "muted", text: t("Se caută adresa în nomenclatura stradală…") }));
  try {
    const { address } = await api(`/api/v1/parcels/${id}/address/`);
    if (!state.parcels.has(id)) return;
    if (!address) {
      box.replaceChildren(el("p", { class: "warning", id: "no-register-address",
        text: t("Parcela nu are încă număr administrativ în nomenclatura stradală. Puteți trimite cererea: primăria îi va atribui un număr înainte de emiterea certificatului.") }));
      return;
    }
    const rows = [el("p", {}, t("Adresa din nomenclatura stradală:"), " ", el("strong", { id: "register-address", text: address.text }))];
    if (address.former_names.length) {
      rows.push(el("p", { class: "help", text: fmt("Denumiri anterioare ale străzii: %s", [address.former_names.map((f) => f.name).join(", ")]) }));
    }
    box.replaceChildren(...rows);
  } catch (error) {
    box.replaceChildren(el("p", { class: "error", text: error.message }));
  }
}

function renderParcels() {
  // An extension's parcels are the act's: listed, not removable.
  const list = [...state.parcels.entries()].map(([id, parcel]) => el("li", { "data-parcel": id }, parcelLabel(parcel),
    ...(isExtension ? [] : [" ", el("button", { type: "button", class: "link",
      onclick: () => { state.parcels.delete(id); renderParcels(); } }, t("elimină"))])));
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

if ($("parcel-search")) $("parcel-search").addEventListener("click", async () => {
  const q = $("parcel-q").value.trim();
  if (!q) return;
  $("parcel-search-status").textContent = "";
  try {
    const found = results(await api(`/api/v1/parcels/search/?q=${encodeURIComponent(q)}`));
    $("parcel-search-status").textContent = found.length ? nfmt("%s rezultat", "%s rezultate", found.length) : "";
    $("parcel-results").replaceChildren(...(found.length ? found.map((p) => el("li", {},
      el("button", { type: "button", onclick: () => { $("parcel-results").replaceChildren(); addParcel(p); } }, parcelLabel(p))))
      : [el("li", { class: "muted", text: t("Nicio parcelă găsită.") })]));
  } catch (error) {
    $("parcel-search-status").textContent = error.message;
  }
});
if ($("parcel-q")) $("parcel-q").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); $("parcel-search").click(); } });

ready.then(() => {
  map.on("click", async (event) => {
    if (state.step !== 1 || isExtension) return;
    const { lng, lat } = event.lngLat;
    try {
      const found = await api(`/api/v1/parcels/at/?lon=${lng.toFixed(7)}&lat=${lat.toFixed(7)}`);
      const list = results(found);
      const parcel = list.length ? list[0] : found && found.type === "Feature" ? found : null;
      if (parcel) addParcel(parcel);
    } catch { /* no parcel under the click */ }
  });
  if (config.parcel && !config.draftId && !config.basedOn) {
    addParcel({ id: config.parcel }).catch((e) => { $("wizard-error").textContent = e.message; });
  }
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
    const out = await api("/api/v1/parcels/footprint-clip/", { method: "POST",
      body: { footprint: geometry, parcels: [...state.parcels.keys()] } });
    state.footprint = out.footprint;
    state.footprintArea = Number(out.area_m2);
    drawOverlay();
    scheduleCompliance();
    const area = [number(out.area_m2, 1)];
    $("footprint-status").textContent = out.clipped
      ? fmt("Amprentă de %s m² (decupată la limita parcelei).", area) : fmt("Amprentă de %s m².", area);
  } catch (error) {
    $("footprint-status").textContent = error.message;
  }
}

if ($("draw-start")) $("draw-start").addEventListener("click", async () => {
  await ready;
  state.footprint = null;
  drawOverlay();
  const draw = ensureDraw();
  draw.setMode("polygon");
  // On a phone the map sits below the form: bring it into view to draw on it.
  const box = $("wizard-map").getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) $("wizard-map").scrollIntoView({ block: "center" });
  $("footprint-status").textContent = t("Desenați pe hartă; clic pe primul punct pentru a închide.");
});
if ($("draw-clear")) $("draw-clear").addEventListener("click", () => {
  state.footprint = null;
  state.footprintArea = null;
  scheduleCompliance();
  if (state.draw) { state.draw.clear(); state.draw.setMode("static"); }
  drawOverlay();
  $("footprint-status").textContent = t("Nicio amprentă desenată.");
});

// ---- live compliance: POT, CUT, height, levels and setbacks against the zoning regime --------------
let complianceTimer = null;
let complianceRun = 0;

// The declared works (analysisWorks) plus the levels and height: what the compliance checks read.
function works() {
  const out = analysisWorks();
  const levels = $("works_levels").value.trim();
  const height = $("works_height_m").value.trim();
  if (state.footprint) out.footprint = state.footprint;
  if (levels !== "") out.levels = Number(levels);
  if (height !== "") out.height_m = Number(height);
  // The developed area, estimated as the footprint times the levels when not declared.
  if (out.gross_floor_area_m2 === undefined && state.footprintArea && levels !== "" && Number(levels) > 0) out.gross_floor_area_m2 = state.footprintArea * Number(levels);
  return out;
}

function scheduleCompliance() {
  clearTimeout(complianceTimer);
  complianceTimer = setTimeout(checkCompliance, 400);
}

async function checkCompliance() {
  const run = ++complianceRun;
  const body = works();
  if (!state.parcels.size || !Object.keys(body).length) {
    state.compliance = null;
    renderCompliance($("compliance-table"), null);
    return null;
  }
  try {
    const analysis = await api("/api/v1/analyses/", { method: "POST",
      body: { parcels: [...state.parcels.keys()].map(Number), works: body } });
    if (run !== complianceRun) return state.compliance;
    const result = analysis.result || analysis;
    state.compliance = result.compliance || null;
    state.analysis = result;
    renderCompliance($("compliance-table"), state.compliance);
    return result;
  } catch (error) {
    $("compliance-table").replaceChildren(el("p", { class: "muted", text: error.message }));
    return null;
  }
}
for (const id of ["works_levels", "works_height_m"]) if ($(id)) $(id).addEventListener("input", scheduleCompliance);

// ---- the draft ---------------------------------------------------------------------------------
function payload() {
  const value = (id) => ($(id) ? $(id).value.trim() : "");
  const num = (id) => (value(id) === "" ? null : Number(value(id)));
  // An extension: the applicant and the act; its parcels and works are the act's (the server takes them).
  if (isExtension) return { kind, ...Object.fromEntries(APPLICANT_FIELDS.map((id) => [id, value(id)])), based_on: num("based_on") };
  const body = {
    kind, ...Object.fromEntries(APPLICANT_FIELDS.map((id) => [id, value(id)])), works_kind: value("works_kind"),
    works_description: value("works_description"), works_levels: num("works_levels"), works_height_m: num("works_height_m"),
    footprint: state.footprint, ...declaredWorks(),
  };
  // Parcels are fixed once registered (a request returned for completion keeps its parcels).
  if (!returned) body.parcel_ids = [...state.parcels.keys()].map(Number);
  if ($("purpose")) body.purpose = value("purpose");
  if ($("based_on")) body.based_on = num("based_on");
  if (isAddress) {
    return { kind, ...Object.fromEntries([...APPLICANT_FIELDS, "purpose"].map((id) => [id, value(id)])),
      ...(returned ? {} : { parcel_ids: body.parcel_ids }) };
  }
  if ($("works_value_ron")) { body.works_value_ron = value("works_value_ron") || null; body.residential = $("residential").checked; }
  if ($("taxable_value_ron")) body.taxable_value_ron = value("taxable_value_ron") || null;
  const gfa = works().gross_floor_area_m2;
  if (gfa && body.works_gross_floor_area_m2 == null) body.works_gross_floor_area_m2 = Number(gfa.toFixed(2));
  return body;
}

// The works as the analysis API names them, so the preview lists what the CU will (works rules).
function analysisWorks() {
  const declared = { ...declaredWorks(), works_kind: $("works_kind").value, purpose: $("purpose") ? $("purpose").value : "" };
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
  if (!new URLSearchParams(location.search).get("draft")) {
    // Reloading the page or coming back later reopens this draft.
    history.replaceState(null, "", `${location.pathname}?draft=${state.draftId}`);
  }
}

const docLabel = (code) => {
  const label = document.querySelector(`label[for="file-${CSS.escape(code)}"]`);
  return label ? label.textContent.trim() : code;
};

function recap() {
  const text = (id) => {
    const node = $(id);
    if (!node) return "";
    return node.tagName === "SELECT" ? (node.selectedOptions[0] || {}).textContent || "" : node.value.trim();
  };
  const rows = [
    isExtension ? [] : [t("Parcele"), [...state.parcels.values()].map(parcelLabel).join("; ")],
    [t("Solicitant"), `${text("applicant_name")} (${text("applicant_type")}), ${text("applicant_id_code")}`],
    [t("Domiciliu / sediu"), text("applicant_address")],
    [t("E-mail"), text("applicant_email")],
    $("purpose") ? [t("Scop"), text("purpose")] : isExtension ? [] : [t("Bazată pe"), text("based_on")],
    ...(isExtension ? [] : isAddress ? [[t("Adresa"), $("register-address") ? $("register-address").textContent : t("de atribuit de primărie")]] : [
      [t("Lucrări"), [text("works_kind"), text("works_description")].filter(Boolean).join(" — ")],
      [t("Niveluri"), text("works_levels")],
      [t("Înălțime (m)"), text("works_height_m")],
      [t("Amprentă"), state.footprintArea ? `${number(state.footprintArea, 1)} m²` : ""]]),
    [t("Documente"), (state.draft && state.draft.documents || []).map((d) => `${docLabel(d.doc_type)} (${d.original_name})`).join("; ")],
  ].filter(([, v]) => v);
  $("recap").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

async function refreshDraft() {
  state.draft = await api(`/api/v1/applications/${state.draftId}/`);
  $("wizard-fee").textContent = state.draft.fee_ron != null ? `${number(state.draft.fee_ron, 2)} lei` : "—";
  // The legal basis in the page's language (fee_breakdown keeps it in Romanian, as the acts quote it).
  $("wizard-fee-basis").textContent = state.draft.fee_legal_basis_label
    || (state.draft.fee_breakdown && state.draft.fee_breakdown.legal_basis) || "";
  const missing = state.draft.missing_documents || [];
  $("missing-docs").textContent = missing.length ? fmt("Lipsesc documentele: %s", [missing.map(docLabel).join(", ")]) : "";
  recap();
  if (isExtension) { extendedAct(); return; } // the act's parcels and works: no analysis, no new avize
  if (isAddress) return; // no analysis, no avize, no works to check
  const result = await checkCompliance() || await analyseParcels();
  // An extension needs no new avize: the page says so instead of listing them (no #wizard-avize).
  if ($("wizard-avize")) renderAvize($("wizard-avize"), (result && result.required_avize) || []);
  const failures = failedChecks(state.compliance);
  $("compliance-warning").hidden = !failures.length;
  $("compliance-failures").replaceChildren(...failures.map((line) => el("li", { text: line })));
}

// The recap of an extension: the act extended, its parcels and its works, as issued (read-only).
function extendedAct() {
  const base = state.base || {};
  const option = $("based_on").selectedOptions[0];
  const height = base.works_height_m != null && base.works_height_m !== "" ? number(base.works_height_m, 1) : "";
  const rows = [
    [t("Actul prelungit"), option && option.value ? option.textContent.trim() : ""],
    [t("Parcele"), [...state.parcels.values()].map(parcelLabel).join("; ")],
    [t("Lucrări"), base.works_description || ""],
    [t("Niveluri"), base.works_levels != null ? String(base.works_levels) : ""],
    [t("Înălțime (m)"), height],
  ].filter(([, v]) => v);
  $("extended-act-facts").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

// An extension's act: its parcels (read-only) and, for the recap, its works.
async function loadBase(pk) {
  state.base = pk ? await api(`/api/v1/applications/${pk}/`) : null;
  state.parcels.clear();
  renderParcels();
  if (state.base) await Promise.all((state.base.parcels || []).map((p) => addParcel({ id: p.id })));
  return state.base;
}

async function analyseParcels() {
  try {
    const works = analysisWorks();
    const analysis = await api("/api/v1/analyses/", { method: "POST",
      body: { parcels: [...state.parcels.keys()].map(Number), ...(Object.keys(works).length ? { works } : {}) } });
    return analysis.result || analysis;
  } catch (error) {
    if ($("wizard-avize")) $("wizard-avize").replaceChildren(el("li", { class: "muted", text: error.message }));
    return null;
  }
}

// ---- reopening a draft, or starting from an issued act ----------------------------------------------
function fill(app, { applicant = true, works: withWorks = true } = {}) {
  const set = (id, value) => { if ($(id) && value !== null && value !== undefined && value !== "") $(id).value = value; };
  if (applicant) {
    for (const id of APPLICANT_FIELDS) set(id, app[id]);
  }
  if (!withWorks) return Promise.resolve();
  if ($("purpose")) set("purpose", app.purpose);
  if (kind !== "ad") set("works_kind", app.works_kind);
  set("works_description", app.works_description);
  set("works_levels", app.works_levels);
  set("works_height_m", app.works_height_m != null ? Number(app.works_height_m) : null);
  if (app.kind === kind) {
    set("works_value_ron", app.works_value_ron);
    set("taxable_value_ron", app.taxable_value_ron);
    if ($("residential") && app.residential !== null && app.residential !== undefined) $("residential").checked = app.residential;
  }
  for (const input of document.querySelectorAll("#works-declaration [name]")) {
    const v = app[input.name];
    if (v === null || v === undefined) continue;
    if (input.type === "checkbox") input.checked = Array.isArray(v) && v.includes(input.value);
    else input.value = v;
  }
  if (app.footprint) {
    state.footprint = app.footprint;
    $("footprint-status").textContent = t("Amprenta a fost preluată.");
    api("/api/v1/parcels/footprint-clip/", { method: "POST", body: { footprint: app.footprint, parcels: (app.parcels || []).map((p) => p.id) } })
      .then((out) => {
        state.footprintArea = Number(out.area_m2);
        $("footprint-status").textContent = fmt("Amprentă de %s m².", [number(out.area_m2, 1)]);
        scheduleCompliance();
      }).catch(() => {});
  }
  return Promise.all((app.parcels || []).map((p) => addParcel({ id: p.id })));
}

function markUploaded(documents) {
  for (const doc of documents || []) {
    const slot = document.querySelector(`#doc-slots .dropzone[data-doc-type="${CSS.escape(doc.doc_type)}"]`);
    if (!slot) continue;
    slot.classList.add("done");
    slot.querySelector(".file-name").textContent = doc.original_name;
    slot.querySelector("progress").value = 1;
  }
}

async function reopen() {
  try {
    if (config.draftId) {
      state.draft = await api(`/api/v1/applications/${config.draftId}/`);
      if (kind !== "cu" && $("based_on") && state.draft.based_on) $("based_on").value = state.draft.based_on;
      if (isExtension) {
        fill(state.draft, { works: false });
        await loadBase(state.draft.based_on);
      } else await fill(state.draft);
      markUploaded(state.draft.documents);
    } else if (config.basedOn) {
      const base = await api(`/api/v1/applications/${config.basedOn}/`);
      // An AC/AD carries over the CU's works; an extension only needs the act and the applicant.
      if (isExtension) {
        fill(base, { works: false });
        await loadBase(config.basedOn);
      } else await fill(base);
    }
  } catch (error) {
    $("wizard-error").textContent = error.message;
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
  if ($("compliance-warning") && !$("compliance-warning").hidden && !$("accept-noncompliant").checked) {
    $("wizard-error").textContent = t("Lucrările depășesc regulamentul zonei: corectați-le (pasul 3) sau confirmați că trimiteți cererea așa cum este.");
    $("accept-noncompliant").focus();
    return;
  }
  $("submit-request").disabled = true;
  $("wizard-error").textContent = "";
  try {
    if (returned) {
      await api(`/api/v1/applications/${state.draftId}/transitions/`, { method: "POST", body: { action: "resubmit" } });
    } else {
      await api(`/api/v1/applications/${state.draftId}/submit/`, { method: "POST" });
    }
    location.href = `${config.detailUrl.replace("/0/", `/${state.draftId}/`)}?sent=1`;
  } catch (error) {
    showServerErrors(error);
    $("submit-request").disabled = false;
  }
});

show(1);
ready.then(reopen);
