// Rendering of an analysis result (GET /api/v1/analyses/{id}/) shared by the investor map,
// the CU wizard and the staff request page.
import { t, fmt, number, el } from "./i18n.js";

export function parcelLabel(parcel) {
  const p = parcel.properties || parcel;
  const uat = p.uat && typeof p.uat === "object" ? p.uat.name : p.uat_name || "";
  return [p.cadastral_number, uat, p.address].filter(Boolean).join(" · ");
}

export function renderZoning(box, zoning) {
  if (!zoning.length) return box.replaceChildren(el("p", { class: "muted", text: t("Nicio UTR (fără date de zonificare).") }));
  box.replaceChildren(...zoning.map((z) => {
    const r = z.regime || z;
    const share = z.share ?? z.overlap_share;
    const rows = [
      [t("POT maxim"), r.pot_max != null ? `${number(r.pot_max, 0)} %` : null],
      [t("CUT maxim"), r.cut_max != null ? number(r.cut_max, 2) : null],
      [t("Înălțime maximă"), r.height_max_m != null ? `${number(r.height_max_m, 1)} m` : null],
      [t("Regim de înălțime"), r.levels_max || null],
      [t("Funcțiuni permise"), (r.allowed_functions || []).join(", ") || null],
      [t("Funcțiuni interzise"), (r.forbidden_functions || []).join(", ") || null],
      [t("Documentație"), r.plan || null],
    ].filter(([, v]) => v);
    return el("div", { class: "card utr" },
      el("strong", {}, `${z.utr_code || z.code || r.code} — ${z.name || r.name || ""}`),
      share != null ? el("span", { class: "muted" }, ` (${number(share * 100, 0)} %)`) : null,
      el("dl", { class: "facts" }, rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })])));
  }));
}

// Rule messages come as {"ro": …, "en": …}: show the page's language.
export function localized(value) {
  if (!value || typeof value !== "object") return value || "";
  const lang = (document.documentElement.lang || "ro").slice(0, 2);
  return value[lang] || value.ro || Object.values(value)[0] || "";
}

export function distanceText(distance_m) {
  if (distance_m === null || distance_m === undefined) return "";
  const distance = Number(distance_m);
  return distance <= 0.005 ? t("pe parcelă") : fmt("la %s m", [number(distance, 1)]);
}

export function hitText(hit) {
  const where = distanceText(hit.distance_m);
  const names = (hit.feature_names || hit.features || []).map((f) => (typeof f === "object" ? f.name : f)).filter(Boolean);
  // What the constraint means, not its rule code (rule codes are a detail for staff, on the request page).
  return `${localized(hit.message) || hit.title || hit.layer || ""}${names.length ? ` (${names.join(", ")})` : ""} ${where}`.trim();
}

export function renderHits(box, hits) {
  if (!hits.length) return box.replaceChildren(el("li", { class: "muted", text: t("Nicio restricție atinsă.") }));
  box.replaceChildren(...hits.map((hit) => el("li", { "data-rule": hit.rule || hit.rule_code }, hitText(hit))));
}

// The map label of one hit feature: the rules it triggers, its name and its distance to the parcel.
export function hitLabelText(hits, featureId) {
  const of = hits.filter((hit) => (hit.feature_ids || []).map(Number).includes(Number(featureId)));
  if (!of.length) return "";
  const feature = (of[0].features || []).find((f) => Number(f.id) === Number(featureId)) || {};
  return `${feature.name ? `${feature.name}, ` : ""}${distanceText(feature.distance_m ?? of[0].distance_m)}`;
}

export function renderAvize(box, avize) {
  if (!avize.length) return box.replaceChildren(el("li", { class: "muted", text: t("Niciun aviz pe criterii spațiale.") }));
  box.replaceChildren(...avize.map((a) => {
    const inst = a.institution || {};
    const why = [...new Set((a.reasons || []).map((r) => localized(r.message)).filter(Boolean))].join(" ");
    return el("li", { "data-institution": inst.code || "" },
      el("strong", {}, inst.name || inst.code || "?"),
      why ? el("span", { class: "muted" }, ` — ${why}`) : null);
  }));
}

export function localityClass(result) {
  const lc = result.locality_class;
  return lc && typeof lc === "object" ? lc.class : lc || null;
}
