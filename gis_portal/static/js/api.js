// Calls to the portal's REST API with the session cookie and the CSRF token (DRF SessionAuthentication).
const t = (s) => (window.gettext ? window.gettext(s) : s);

export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (m) return decodeURIComponent(m[1]);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super(ApiError.describe(status, body));
    this.status = status;
    this.body = body;
  }
  // The API answers {"detail": …, "errors": {field: [reasons]}}: the reasons once each, without the
  // internal field names (pages that have the field show its reason next to it: fieldErrors()).
  static describe(status, body) {
    if (!body || typeof body !== "object") return `${t("Eroare")} ${status}`;
    const reasons = [...new Set(Object.values(ApiError.fieldErrors(body)).flat())];
    if (reasons.length) return reasons.join(" ");
    return body.detail ? String(body.detail) : `${t("Eroare")} ${status}`;
  }

  static fieldErrors(body) {
    const errors = body && typeof body === "object" ? body.errors || (body.detail ? null : body) : null;
    const out = {};
    if (!errors || typeof errors !== "object") return out;
    for (const [field, reasons] of Object.entries(errors)) {
      const list = Array.isArray(reasons) ? reasons : [reasons];
      out[field] = list.map((r) => (typeof r === "object" ? Object.values(r).flat().join(" ") : String(r)));
    }
    return out;
  }

  get fields() { return ApiError.fieldErrors(this.body); }
}

export async function api(url, { method = "GET", body, form } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (form) init.body = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// Upload with progress (fetch has no upload progress): XMLHttpRequest, resolved with the JSON answer.
export function upload(url, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => e.lengthComputable && onProgress(e.loaded / e.total));
    xhr.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = xhr.responseText; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, { detail: t("Conexiune întreruptă") })));
    xhr.send(form);
  });
}

export function results(data) {
  // Paginated lists ({results: […]}), GeoJSON collections ({features: […]}) or plain arrays.
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.results)) return data.results;
  if (data && data.results && Array.isArray(data.results.features)) return data.results.features;
  if (data && Array.isArray(data.features)) return data.features;
  return [];
}

export function readJson(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}
