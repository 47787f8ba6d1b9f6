// Check digits of the CNP and CUI, as the user types: the same checks and messages as the server's
// permits/identity.py (the server's answer still decides).
import { t } from "./i18n.js";

const CNP_KEY = "279146358279";
const CUI_KEY = "753217532";
const CENTURY = { 1: 1900, 2: 1900, 3: 1800, 4: 1800, 5: 2000, 6: 2000 };

function dateExists(year, month, day) {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

export function cnpProblem(cnp) {
  if (!/^\d{13}$/.test(cnp)) return t("Un CNP are exact 13 cifre.");
  if (cnp[0] === "0") return t("Un CNP nu poate începe cu 0.");
  const yy = Number(cnp.slice(1, 3)), mm = Number(cnp.slice(3, 5)), dd = Number(cnp.slice(5, 7));
  const century = CENTURY[cnp[0]];
  const thisYear = new Date().getFullYear() % 100;
  const year = century ? century + yy : (yy <= thisYear ? 2000 : 1900) + yy;
  if (!dateExists(year, mm, dd)) return t("Data nașterii din CNP nu există.");
  const county = Number(cnp.slice(7, 9));
  if (!((county >= 1 && county <= 52) || [70, 80, 81, 82, 83].includes(county))) return t("Codul de județ din CNP nu este valid.");
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(cnp[i]) * Number(CNP_KEY[i]);
  const control = sum % 11;
  if ((control === 10 ? 1 : control) !== Number(cnp[12])) return t("Cifra de control a CNP-ului este greșită.");
  return null;
}

export function cuiProblem(cui) {
  let text = cui.trim().toUpperCase();
  if (text.startsWith("RO")) text = text.slice(2).trim();
  if (!/^\d{2,10}$/.test(text)) return t("Un CUI are între 2 și 10 cifre (opțional precedate de RO).");
  const body = text.slice(0, -1).padStart(9, "0");
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(body[i]) * Number(CUI_KEY[i]);
  const control = (sum * 10) % 11;
  if ((control === 10 ? 0 : control) !== Number(text.slice(-1))) return t("Cifra de control a CUI-ului este greșită.");
  return null;
}

export function idCodeProblem(applicantType, code) {
  return applicantType === "person" ? cnpProblem(code.trim()) : cuiProblem(code);
}
