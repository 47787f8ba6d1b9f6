// Django's JavaScript catalog (/jsi18n/) defines window.gettext; fall back to the Romanian source text.
export const t = (s) => (window.gettext ? window.gettext(s) : s);
export const fmt = (s, values) => (window.interpolate ? window.interpolate(t(s), values, !Array.isArray(values)) : s);

export function number(value, digits = 0) {
  const lang = document.documentElement.lang || "ro";
  return Number(value).toLocaleString(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A count with the plural form of the page's language: nfmt("%s rezultat", "%s rezultate", 1) → "1 rezultat".
export function nfmt(singular, plural, count) {
  const text = window.ngettext ? window.ngettext(singular, plural, count) : count === 1 ? singular : plural;
  return window.interpolate ? window.interpolate(text, [number(count, 0)]) : text.replace("%s", count);
}
