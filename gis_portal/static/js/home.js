// Investor map: search by cadastral number / address or click, then the parcel panel with the
// analysis (zoning, constraints hit, required avize) and the CU fee estimate.
import { api, readJson, results } from "./api.js";
import { createMap, setOverlay, highlightHits, showLayers, boundsOf, labelHits, clearHitLabels } from "./map.js";
import { t, fmt, nfmt, number, el } from "./i18n.js";
import { renderZoning, renderHits, renderAvize, parcelLabel, localityClass, hitLabelText } from "./analysis-view.js";

const config = readJson("map-config");
const { map, ready } = createMap("map", config);
const $ = (id) => document.getElementById(id);
let current = null; // the selected parcel (GeoJSON feature)
const isCurrent = (id) => current && (current.id ?? current.properties.id) === id;
const parcelShape = (parcel) => ({ type: "Feature", geometry: parcel.geometry, properties: { role: "parcel" } });

$("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const q = $("search-q").value.trim();
  if (!q) return;
  $("search-status").textContent = t("Se caută…");
  $("search-results").replaceChildren();
  try {
    const found = results(await api(`/api/v1/parcels/search/?q=${encodeURIComponent(q)}`));
    $("search-status").textContent = found.length ? nfmt("%s rezultat", "%s rezultate", found.length) : t("Nicio parcelă găsită.");
    if (found.length === 1) return select(found[0]);
    $("search-results").replaceChildren(...found.map((parcel) =>
      el("li", {}, el("button", { type: "button", onclick: () => select(parcel) }, parcelLabel(parcel)))));
  } catch (error) {
    $("search-status").textContent = error.message;
  }
});

ready.then(() => {
  map.on("click", async (event) => {
    const { lng, lat } = event.lngLat;
    try {
      const parcel = await api(`/api/v1/parcels/at/?lon=${lng.toFixed(7)}&lat=${lat.toFixed(7)}`);
      const list = results(parcel);
      const chosen = list.length ? list[0] : parcel && parcel.type === "Feature" ? parcel : null;
      if (chosen) select(chosen, { fly: false });
      else $("search-status").textContent = t("Nicio parcelă în acest punct.");
    } catch (error) {
      $("search-status").textContent = error.status === 404 ? t("Nicio parcelă în acest punct.") : error.message;
    }
  });
  map.on("mouseenter", "parcels-fill", () => { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", "parcels-fill", () => { map.getCanvas().style.cursor = ""; });
  const preset = new URLSearchParams(location.search).get("parcel");
  if (preset) api(`/api/v1/parcels/${encodeURIComponent(preset)}/`).then((p) => select(p)).catch(() => {});
});

async function select(parcel, { fly = true } = {}) {
  await ready;
  // A list row may lack the geometry: fetch the full parcel.
  if (!parcel.geometry) parcel = await api(`/api/v1/parcels/${parcel.id}/`);
  current = parcel;
  const p = parcel.properties || parcel;
  const id = parcel.id ?? p.id;
  $("search-results").replaceChildren();
  $("parcel-panel").hidden = false;
  // On a phone the panel sits below the map: bring it into view.
  if (window.matchMedia("(max-width: 900px)").matches) $("parcel-panel").scrollIntoView({ block: "start" });
  $("parcel-title").textContent = fmt("Parcela %s", [p.cadastral_number]);
  const field = (name) => $("parcel-panel").querySelector(`[data-field=${name}]`);
  const uat = p.uat && typeof p.uat === "object" ? p.uat : { name: p.uat_name, siruta: p.siruta ?? p.uat };
  field("uat").textContent = uat.name ? `${uat.name} (SIRUTA ${uat.siruta})` : String(uat.siruta ?? "");
  field("area").textContent = `${number(p.measured_area_m2 ?? p.area_m2, 0)} m²`;
  field("address").textContent = p.address || "—";
  field("intravilan").textContent = p.intravilan === undefined || p.intravilan === null ? "—" : p.intravilan ? t("da") : t("nu");
  field("issuer").textContent = "…";
  // Every kind starts from the parcel (an AC/AD then asks for the issued CU it is based on).
  for (const [linkId, base] of [["request-cu", config.cuNewUrl], ["request-ac", config.newUrls.ac], ["request-ad", config.newUrls.ad],
    ["request-address", config.newUrls.address_certificate]]) {
    const target = `${base}?parcel=${id}`;
    $(linkId).href = config.canRequest ? target : `${config.loginUrl}?next=${encodeURIComponent(target)}`;
  }
  clearHitLabels(map);
  setOverlay(map, [parcelShape(parcel)]);
  if (fly) {
    const b = boundsOf(parcel);
    if (b) map.fitBounds(b, { padding: 80, maxZoom: 17, duration: 0 });
  }
  history(id);
  await analyse(id, uat, p);
}

// The acts on the parcel, old (archive) and new (portal): all to the issuer's staff, the public AC/AD to others.
async function history(id) {
  $("history").replaceChildren();
  $("history-note").textContent = "";
  try {
    const answer = await api(`/api/v1/parcels/${id}/acts/`);
    if (!isCurrent(id)) return;
    $("history-note").textContent = answer.full ? ""
      : t("Sunt afișate doar autorizațiile de construire și de desființare emise (acte publice).");
    if (!answer.results.length) {
      $("history").replaceChildren(el("li", { class: "muted" }, t("Niciun act cunoscut pe această parcelă.")));
      return;
    }
    $("history").replaceChildren(...answer.results.map(historyItem));
  } catch (error) {
    $("history-note").textContent = error.message;
  }
}

const KIND_LABELS = {
  cu: () => t("Certificat de urbanism"), ac: () => t("Autorizație de construire"),
  ad: () => t("Autorizație de desființare"), other: () => t("Alt act"),
  cu_extension: () => t("Prelungire certificat de urbanism"), ac_extension: () => t("Prelungire autorizație de construire"),
};

function historyItem(row) {
  const kind = (KIND_LABELS[row.kind] || (() => row.kind))();
  const number = row.number ? `${row.number}${row.year ? `/${row.year}` : ""}` : t("fără număr");
  const title = `${kind} ${number}`;
  const origin = row.source === "archive" ? t("arhivă") : t("portal");
  const parts = [row.url ? el("a", { href: row.url }, title) : el("strong", {}, title), ` · ${origin}`];
  if (row.holder) parts.push(` · ${row.holder}`);
  for (const file of row.files || []) parts.push(" · ", el("a", { href: file.url }, file.name));
  return el("li", { "data-source": row.source }, ...parts);
}

async function analyse(id, uat, p) {
  $("analysis-status").textContent = t("Se calculează analiza spațială…");
  for (const box of ["zoning", "hits", "avize"]) $(box).replaceChildren();
  $("fee").textContent = "…";
  $("fee-basis").textContent = "";
  try {
    let analysis = await api("/api/v1/analyses/", { method: "POST", body: { parcels: [id] } });
    if (!analysis.result && analysis.id && !analysis.rule_hits) analysis = await api(`/api/v1/analyses/${analysis.id}/`);
    if (!isCurrent(id)) return; // another parcel was chosen meanwhile
    const result = analysis.result || analysis;
    const field = (name) => $("parcel-panel").querySelector(`[data-field=${name}]`);
    field("issuer").textContent = result.issuer ? result.issuer.name : "—";
    const lc = localityClass(result);
    if (lc && field("intravilan").textContent === "—") field("intravilan").textContent = lc === "extravilan" ? t("nu") : t("da");
    renderZoning($("zoning"), result.zoning || []);
    renderHits($("hits"), result.rule_hits || []);
    renderAvize($("avize"), result.required_avize || []);
    showLayers(map, highlightHits(map, result.rule_hits || []));
    $("analysis-status").textContent = "";
    markDistances(analysis.id, result.rule_hits || [], id);
    await quote(uat, p, lc);
  } catch (error) {
    $("analysis-status").textContent = error.message;
  }
}

// Each hit feature's distance on the map, with a dashed line from the feature to the parcel.
async function markDistances(analysisId, hits, id) {
  if (!analysisId || !hits.some((hit) => (hit.feature_ids || []).length)) return;
  try {
    const marks = await api(`/api/v1/analyses/${analysisId}/hit-marks/`);
    if (!isCurrent(id)) return;
    const lines = marks.features.filter((m) => m.geometry.type === "LineString")
      .map((m) => ({ type: "Feature", geometry: m.geometry, properties: { role: "distance" } }));
    setOverlay(map, [parcelShape(current), ...lines]);
    labelHits(map, marks.features, (mark) => hitLabelText(hits, mark.id));
  } catch (error) {
    $("analysis-status").textContent = error.message;
  }
}

async function quote(uat, p, localityClass) {
  try {
    const body = { kind: "cu", area_m2: Number(p.measured_area_m2 ?? p.area_m2) };
    if (uat.siruta) body.uat = Number(uat.siruta);
    else if (localityClass) body.locality_class = localityClass === "urban" ? "urban" : "rural";
    const fee = await api("/api/v1/fees/quote/", { method: "POST", body });
    $("fee").textContent = `${number(fee.amount_ron, 2)} lei`;
    $("fee-basis").textContent = fee.legal_basis_label || fee.legal_basis || "";  // in the page's language
  } catch (error) {
    $("fee").textContent = "—";
    $("fee-basis").textContent = error.message;
  }
}
