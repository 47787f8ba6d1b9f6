// The compliance of the proposed works with the zoning regime (rules/compliance.py: POT, CUT, height,
// levels, setbacks), as a table: proposed value beside the regime's limit. The server-side twin is the
// template web/_compliance.html (the staff request page).
import { t, number, el } from "./i18n.js";

// The checks a person reads, in this order; the rule codes stay out of the citizen's view.
const NAMES = {
  pot: () => t("POT (procent de ocupare a terenului)"),
  cut: () => t("CUT (coeficient de utilizare a terenului)"),
  height_m: () => t("Înălțime"),
  levels: () => t("Niveluri"),
  footprint_inside_lot: () => t("Amprenta în limitele parcelei"),
  setback_civil_code: () => t("Distanța față de limitele parcelei (Codul civil)"),
  setback_windows: () => t("Distanța ferestrelor față de vecini"),
  setback_street: () => t("Retragere față de stradă"),
  setback_side: () => t("Retragere față de limitele laterale"),
  setback_rear: () => t("Retragere față de limita posterioară"),
  setback_rlu: () => t("Retragere față de limitele laterale și posterioară"),
  building_distance: () => t("Distanța față de clădirile existente"),
};
const MINIMUMS = new Set(["footprint_inside_lot", "setback_civil_code", "setback_windows", "setback_street",
  "setback_side", "setback_rear", "setback_rlu", "building_distance"]);
const STATUS = {
  pass: () => t("conform"), fail: () => t("neconform"), warning: () => t("de verificat"), not_evaluated: () => t("neevaluat"),
};

function quantity(value, unit) {
  if (value === null || value === undefined) return "—";
  if (unit === "%") return `${number(value, 1)} %`;
  if (unit === "m") return `${number(value, 2)} m`;
  if (unit === "levels") return number(value, 0);
  return number(value, 2);
}

export function shownChecks(compliance) {
  return ((compliance && compliance.checks) || []).filter((c) => NAMES[c.check]);
}

export function renderCompliance(box, compliance) {
  const checks = shownChecks(compliance);
  if (!checks.length) {
    box.replaceChildren(el("p", { class: "muted", text: t("Desenați amprenta și completați nivelurile și înălțimea pentru a vedea POT, CUT, înălțimea și retragerile față de maximele zonei.") }));
    return;
  }
  const rows = checks.map((c) => el("tr", { "data-check": c.check, class: `check-${c.status}` },
    el("th", { scope: "row", text: NAMES[c.check]() }),
    el("td", { text: c.check === "footprint_inside_lot" ? "" : quantity(c.value, c.unit) }),
    el("td", { text: c.limit === null || c.limit === undefined ? "—"
      : `${MINIMUMS.has(c.check) ? t("min.") : t("max.")} ${quantity(c.limit, c.unit)}` }),
    el("td", {}, el("span", { class: `badge ${c.status}`, text: STATUS[c.status] ? STATUS[c.status]() : c.status }))));
  box.replaceChildren(
    compliance.utr ? el("p", { class: "muted", text: `${t("Zona")}: ${compliance.utr}` }) : "",
    el("table", { class: "compliance" },
      el("caption", { class: "visually-hidden", text: t("Conformare cu regulamentul de urbanism") }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("Indicator") }), el("th", { scope: "col", text: t("Propus") }),
        el("th", { scope: "col", text: t("Admis") }), el("th", { scope: "col", text: t("Stare") }))),
      el("tbody", {}, rows)));
}

// One line per failed check, for the warning before submission.
export function failedChecks(compliance) {
  return shownChecks(compliance).filter((c) => c.status === "fail").map((c) =>
    `${NAMES[c.check]()}: ${c.check === "footprint_inside_lot" ? t("depășește parcela") : `${quantity(c.value, c.unit)} (${MINIMUMS.has(c.check) ? t("min.") : t("max.")} ${quantity(c.limit, c.unit)})`}`);
}
