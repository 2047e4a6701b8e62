// The editor's document: a template definition with rectangles, and its conversion to and from the API.

export const FIELD_TYPES = ["NORMAL", "CHECKBOX", "MULTI_BOX"];
export const VALUE_TYPES = ["ALL", "NUMERIC"];
export const LANGS = ["ko", "ja", "zh-TW", "en"];

export function rectOfPoly(poly) {
  const xs = poly.vertices.map((v) => v.x);
  const ys = poly.vertices.map((v) => v.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

export function polyOfRect(r) {
  const x0 = Math.round(r.x);
  const y0 = Math.round(r.y);
  const x1 = Math.round(r.x + r.w);
  const y1 = Math.round(r.y + r.h);
  return { vertices: [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }] };
}

export function hull(rects) {
  const x = Math.min(...rects.map((r) => r.x));
  const y = Math.min(...rects.map((r) => r.y));
  return { x, y, w: Math.max(...rects.map((r) => r.x + r.w)) - x, h: Math.max(...rects.map((r) => r.y + r.h)) - y };
}

export function splitBoxes(rect, count) {
  const n = Math.max(1, Math.min(200, Math.round(count)));
  const w = rect.w / n;
  return Array.from({ length: n }, (_, i) => ({ x: rect.x + i * w, y: rect.y, w, h: rect.h }));
}

// Boxes carried along when their field's rectangle moves or is resized.
export function mapBoxes(boxes, from, to) {
  const sx = to.w / (from.w || 1);
  const sy = to.h / (from.h || 1);
  return boxes.map((b) => ({ x: to.x + (b.x - from.x) * sx, y: to.y + (b.y - from.y) * sy, w: b.w * sx, h: b.h * sy }));
}

export function emptyDoc() {
  return { name: "", lang: "en", title: null, fields: [], combine: { name: "", format: "" }, validation: { url: "", rules: [] } };
}

export function newField(name, rect, type = "NORMAL") {
  const field = { name, type, valueType: "ALL", rect, boxes: null, checkbox: { checkedText: "V", uncheckedText: "" }, separators: "" };
  if (type === "MULTI_BOX") field.boxes = splitBoxes(rect, 5);
  return field;
}

export function fromApi(t) {
  const doc = emptyDoc();
  doc.name = t.name;
  doc.lang = t.lang;
  if (t.title) doc.title = { name: t.title.name, rect: rectOfPoly(t.title.boundingPoly) };
  doc.fields = t.fields.map((f) => {
    const boxes = f.boxes ? f.boxes.map(rectOfPoly) : null;
    return {
      name: f.name,
      type: f.type || "NORMAL",
      valueType: f.valueType || "ALL",
      rect: boxes ? hull(boxes) : rectOfPoly(f.boundingPoly),
      boxes,
      checkbox: { checkedText: f.checkbox?.checkedText ?? "V", uncheckedText: f.checkbox?.uncheckedText ?? "" },
      separators: f.separators || "",
    };
  });
  if (t.combine) doc.combine = { ...t.combine };
  if (t.validation) {
    doc.validation = {
      url: t.validation.url || "",
      rules: (t.validation.rules || []).map((r) => ({
        field: r.field, kind: r.check ? "check" : "pattern", value: r.check || r.pattern || "", message: r.message || "",
      })),
    };
  }
  return doc;
}

export function toApi(doc) {
  const out = { name: doc.name, lang: doc.lang };
  if (doc.title) out.title = { name: doc.title.name, boundingPoly: polyOfRect(doc.title.rect) };
  out.fields = doc.fields.map((f) => {
    const field = { name: f.name, type: f.type, valueType: f.valueType };
    if (f.type === "MULTI_BOX") field.boxes = (f.boxes || splitBoxes(f.rect, 5)).map(polyOfRect);
    else field.boundingPoly = polyOfRect(f.rect);
    if (f.type === "CHECKBOX") field.checkbox = { ...f.checkbox };
    if (f.separators) field.separators = f.separators;
    return field;
  });
  if (doc.combine.name || doc.combine.format) out.combine = { ...doc.combine };
  if (doc.validation.url || doc.validation.rules.length) {
    out.validation = {
      rules: doc.validation.rules.map((r) => {
        const rule = { field: r.field };
        rule[r.kind] = r.value;
        if (r.message) rule.message = r.message;
        return rule;
      }),
    };
    if (doc.validation.url) out.validation.url = doc.validation.url;
  }
  return out;
}

// Where a server error belongs: {field: index} or {title: true} or {} (the whole template).
export function errorTarget(message, doc) {
  const byIndex = /fields\.(\d+)/.exec(message);
  if (byIndex) return { field: Number(byIndex[1]) };
  if (/^title/.test(message)) return { title: true };
  const named = /field(?: name)? '([^']+)'|field "([^"]+)"|(?:on|field) '([^']+)'|unknown field '([^']+)'/.exec(message);
  const name = named && (named[1] || named[2] || named[3] || named[4]);
  if (name) {
    const index = doc.fields.findIndex((f) => f.name === name);
    if (index >= 0 && !/combine|validation rule/.test(message)) {
      // A duplicate name concerns the second field of that name.
      if (/duplicate/.test(message)) {
        const last = doc.fields.map((f) => f.name).lastIndexOf(name);
        return { field: last };
      }
      return { field: index };
    }
  }
  return {};
}
