// The management API, with the admin token kept in sessionStorage (never in the URL).
const KEY = "templateocr.adminToken";

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
    this.detail = detail;
  }
}

export async function api(path, { method = "GET", json, form, raw = false } = {}) {
  const headers = { Authorization: `Bearer ${token.get() || ""}` };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  const response = await fetch(path, { method, headers, body });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const data = await response.json();
      detail = data.detail ?? data.message ?? data;
    } catch (_) { /* not JSON */ }
    if (response.status === 401) window.dispatchEvent(new CustomEvent("signed-out"));
    throw new ApiError(response.status, detail);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

export function errorText(error) {
  if (error instanceof ApiError) {
    const detail = error.detail;
    if (Array.isArray(detail)) return detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
    return `${error.status}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`;
  }
  return String(error && error.message ? error.message : error);
}

export function fileFormat(file) {
  const ext = (file.name.split(".").pop() || "").toLowerCase();
  if (["png", "jpg", "jpeg", "pdf", "tif", "tiff"].includes(ext)) return ext;
  const types = { "image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf", "image/tiff": "tiff" };
  return types[file.type] || "png";
}

export function toBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

// One page of an upload as the PNG the server reads; {url, width, height}.
export async function preview(file, pageIndex = 0) {
  const form = new FormData();
  form.append("file", file, file.name || "upload");
  form.append("pageIndex", String(pageIndex));
  const response = await api("/api/v1/samples/preview", { method: "POST", form, raw: true });
  const blob = await response.blob();
  return {
    url: URL.createObjectURL(blob),
    width: Number(response.headers.get("X-Image-Width")),
    height: Number(response.headers.get("X-Image-Height")),
  };
}

export async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  if (button) {
    const before = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = before; }, 1200);
  }
}

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "value") node.value = value;
    else if (key === "checked") node.checked = Boolean(value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
