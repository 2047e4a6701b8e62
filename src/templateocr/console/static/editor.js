// The template editor: a sample, the title and field rectangles drawn on it, their properties.
import { api, errorText, fileFormat, h, preview } from "./api.js";
import {
  FIELD_TYPES, LANGS, VALUE_TYPES, emptyDoc, errorTarget, fromApi, mapBoxes, newField, splitBoxes, toApi,
} from "./model.js";
import { Stage, svgEl } from "./stage.js";

const HANDLES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

// A labelled control: the label sits beside the control (not around it), so that the control's
// accessible name is the label's text alone.
export function row(label, id, control) {
  return h("div", { class: "prop" }, h("label", { for: id }, label), control);
}

function inputRow(label, id, value, oninput, attrs = {}) {
  const input = h("input", { id, value, ...attrs });
  input.addEventListener("input", () => oninput(input.value));
  return row(label, id, input);
}

function selectRow(label, id, options, value, onchange) {
  const select = h("select", { id }, options.map((o) => h("option", { value: o, selected: o === value }, o)));
  select.addEventListener("change", () => onchange(select.value));
  return row(label, id, select);
}

export class Editor {
  constructor(main, id, flash) {
    this.main = main;
    this.id = id;
    this.flash = flash;
    this.doc = emptyDoc();
    this.saved = JSON.stringify(this.doc);
    this.sampleChanged = false;
    this.sample = null; // a File or Blob
    this.version = null;
    this.sel = null; // {kind: "title"} | {kind: "field", index}
    this.tool = "select";
    this.undoStack = [];
    this.redoStack = [];
    this.errors = { general: [], fields: {}, title: null };
    this.suggestions = [];
    this.stage = new Stage("Sample");
    this.stage.onView = () => this.renderSvg(); // handles and labels keep their size on screen
    this.build();
  }

  get dirty() {
    return this.sampleChanged || JSON.stringify(this.doc) !== this.saved;
  }

  async load() {
    if (this.id === null) {
      this.renderAll();
      return;
    }
    const template = await api(`/api/v1/templates/${this.id}`);
    const response = await api(`/api/v1/templates/${this.id}/sample`, { raw: true });
    const blob = await response.blob();
    this.sample = new File([blob], "sample.png", { type: "image/png" });
    this.version = template.version;
    this.doc = fromApi(template);
    this.saved = JSON.stringify(this.doc);
    this.stage.setImage(URL.createObjectURL(blob), template.sampleWidth, template.sampleHeight);
    this.renderAll();
  }

  // layout ------------------------------------------------------------------------------
  build() {
    const tool = (name, label, key) => h("button", {
      type: "button", "data-tool": name, title: `${label} (${key})`, "aria-pressed": String(this.tool === name),
      onclick: () => this.setTool(name),
    }, label);
    this.heading = h("h2", {}, "");
    this.toolbar = h("div", { class: "toolbar", role: "toolbar", "aria-label": "Editor tools" },
      tool("select", "Select", "V"), tool("title", "Draw title", "T"), tool("field", "Draw field", "F"),
      h("span", { class: "sep" }),
      h("button", { type: "button", id: "undo", onclick: () => this.undo(), title: "Undo (Ctrl+Z)" }, "Undo"),
      h("button", { type: "button", id: "redo", onclick: () => this.redo(), title: "Redo (Ctrl+Shift+Z)" }, "Redo"),
      h("button", { type: "button", id: "duplicate", onclick: () => this.duplicate(), title: "Duplicate (Ctrl+D)" }, "Duplicate"),
      h("button", { type: "button", id: "delete", class: "danger", onclick: () => this.remove(), title: "Delete (Del)" }, "Delete"),
      h("span", { class: "sep" }), ...this.stage.zoomButtons(),
      h("span", { class: "sep" }),
      h("button", { type: "button", id: "suggest", onclick: () => this.suggest() }, "Suggest fields"));
    this.side = h("div", { class: "side" });
    const save = h("button", { type: "button", id: "save", class: "primary", onclick: () => this.save(), title: "Save (Ctrl+S)" }, "Save");
    this.main.replaceChildren(h("div", { class: "view-head" }, this.heading, save), h("div", { class: "workspace" },
      h("div", { class: "left" }, this.toolbar, this.stage.root), this.side));
    this.stage.root.addEventListener("mousedown", (event) => this.onMouseDown(event));
    this.keyHandler = (event) => { if (document.body.contains(this.stage.root)) this.onKey(event); else document.removeEventListener("keydown", this.keyHandler); };
    document.addEventListener("keydown", this.keyHandler);
  }

  setTool(name) {
    this.tool = name;
    for (const b of this.toolbar.querySelectorAll("[data-tool]")) b.setAttribute("aria-pressed", String(b.dataset.tool === name));
    this.stage.root.classList.toggle("select", name === "select");
  }

  renderAll() {
    this.heading.textContent = this.id === null ? "New template" : `Template ${this.id}${this.version ? ` (version ${this.version})` : ""}`;
    this.renderSvg();
    this.renderSide();
  }

  // history -------------------------------------------------------------------------------
  snapshot() { return JSON.stringify({ doc: this.doc, sel: this.sel }); }

  push(before) {
    if (before === this.snapshot()) return;
    this.undoStack.push(before);
    if (this.undoStack.length > 200) this.undoStack.shift();
    this.redoStack = [];
  }

  restore(state) {
    const { doc, sel } = JSON.parse(state);
    this.doc = doc;
    this.sel = sel;
    this.renderAll();
  }

  undo() { if (this.undoStack.length) { this.redoStack.push(this.snapshot()); this.restore(this.undoStack.pop()); } }

  redo() { if (this.redoStack.length) { this.undoStack.push(this.snapshot()); this.restore(this.redoStack.pop()); } }

  change(mutate, { side = true } = {}) {
    const before = this.snapshot();
    mutate();
    this.push(before);
    this.renderSvg();
    if (side) this.renderSide();
    else this.renderList();
  }

  // selection helpers ----------------------------------------------------------------------
  item(sel = this.sel) {
    if (!sel) return null;
    return sel.kind === "title" ? this.doc.title : this.doc.fields[sel.index];
  }

  select(sel) {
    this.sel = sel;
    this.renderSvg();
    this.renderSide();
  }

  uniqueName(base) {
    const names = new Set(this.doc.fields.map((f) => f.name));
    let n = this.doc.fields.length + 1;
    while (names.has(`${base} ${n}`)) n += 1;
    return `${base} ${n}`;
  }

  remove() {
    if (!this.sel) return;
    this.change(() => {
      if (this.sel.kind === "title") this.doc.title = null;
      else this.doc.fields.splice(this.sel.index, 1);
      this.sel = null;
    });
  }

  duplicate() {
    if (!this.sel || this.sel.kind !== "field") return;
    this.change(() => {
      const copy = JSON.parse(JSON.stringify(this.doc.fields[this.sel.index]));
      const moved = { ...copy.rect, y: copy.rect.y + copy.rect.h + 8 };
      if (moved.y + moved.h > this.stage.height) moved.y = Math.max(0, copy.rect.y - copy.rect.h - 8);
      if (copy.boxes) copy.boxes = mapBoxes(copy.boxes, copy.rect, moved);
      copy.rect = moved;
      copy.name = this.uniqueName(copy.name.replace(/ \d+$/, ""));
      this.doc.fields.push(copy);
      this.sel = { kind: "field", index: this.doc.fields.length - 1 };
    });
  }

  setRect(item, rect) {
    if (item.boxes) item.boxes = mapBoxes(item.boxes, item.rect, rect);
    item.rect = rect;
  }

  // mouse -------------------------------------------------------------------------------
  clamp(p) {
    return { x: Math.min(this.stage.width, Math.max(0, p.x)), y: Math.min(this.stage.height, Math.max(0, p.y)) };
  }

  onMouseDown(event) {
    if (event.button !== 0 || event.altKey || !this.stage.width) return;
    const start = this.clamp(this.stage.toImage(event));
    const target = event.target;
    const before = this.snapshot();
    let update = null;
    if (target.dataset && target.dataset.handle && this.item()) {
      const item = this.item();
      const r0 = { ...item.rect };
      const hd = target.dataset.handle;
      update = (p) => {
        let x0 = r0.x; let y0 = r0.y; let x1 = r0.x + r0.w; let y1 = r0.y + r0.h;
        if (hd.includes("w")) x0 = p.x;
        if (hd.includes("e")) x1 = p.x;
        if (hd.includes("n")) y0 = p.y;
        if (hd.includes("s")) y1 = p.y;
        this.setRect(item, { x: Math.min(x0, x1), y: Math.min(y0, y1), w: Math.max(2, Math.abs(x1 - x0)), h: Math.max(2, Math.abs(y1 - y0)) });
      };
    } else if (this.tool === "select" && target.dataset && target.dataset.kind) {
      const sel = target.dataset.kind === "title" ? { kind: "title" } : { kind: "field", index: Number(target.dataset.index) };
      this.select(sel);
      const item = this.item();
      const r0 = { ...item.rect };
      update = (p) => {
        const x = Math.min(this.stage.width - r0.w, Math.max(0, r0.x + p.x - start.x));
        const y = Math.min(this.stage.height - r0.h, Math.max(0, r0.y + p.y - start.y));
        this.setRect(item, { ...r0, x, y });
      };
    } else if (this.tool === "title" || this.tool === "field") {
      let item;
      if (this.tool === "title") {
        item = { name: this.doc.title?.name || this.doc.name || "Title", rect: { x: start.x, y: start.y, w: 1, h: 1 } };
        this.doc.title = item;
        this.sel = { kind: "title" };
      } else {
        item = newField(this.uniqueName("Field"), { x: start.x, y: start.y, w: 1, h: 1 });
        this.doc.fields.push(item);
        this.sel = { kind: "field", index: this.doc.fields.length - 1 };
      }
      update = (p) => {
        this.setRect(item, { x: Math.min(start.x, p.x), y: Math.min(start.y, p.y), w: Math.abs(p.x - start.x), h: Math.abs(p.y - start.y) });
      };
    } else {
      if (this.sel) this.select(null);
      this.stage.maybePan(event, true);
      return;
    }
    event.preventDefault();
    this.stage.root.focus({ preventScroll: true });
    const move = (e) => { update(this.clamp(this.stage.toImage(e))); this.renderSvg(); };
    const up = () => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
      const item = this.item();
      if (item && (item.rect.w < 4 || item.rect.h < 4)) {
        // A click, not a drag: nothing drawn.
        this.restore(before);
        return;
      }
      this.push(before);
      this.renderAll();
      if (this.tool !== "select") {
        const name = this.side.querySelector("#prop-name");
        if (name) { name.focus(); name.select(); }
      }
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
  }

  onKey(event) {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (event.defaultPrevented) return;
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && event.key.toLowerCase() === "z" && !typing) { event.preventDefault(); if (event.shiftKey) this.redo(); else this.undo(); return; }
    if (ctrl && event.key.toLowerCase() === "y" && !typing) { event.preventDefault(); this.redo(); return; }
    if (ctrl && event.key.toLowerCase() === "s") { event.preventDefault(); this.save(); return; }
    if (typing) return;
    if (ctrl && event.key.toLowerCase() === "d") { event.preventDefault(); this.duplicate(); return; }
    if (event.key === "Delete" || event.key === "Backspace") { if (this.sel) { event.preventDefault(); this.remove(); } return; }
    if (event.key === "Escape") { this.select(null); return; }
    const tools = { v: "select", t: "title", f: "field" };
    if (!ctrl && tools[event.key]) { this.setTool(tools[event.key]); return; }
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (arrows[event.key] && this.item()) {
      event.preventDefault();
      const [dx, dy] = arrows[event.key].map((v) => v * (event.shiftKey ? 10 : 1));
      const item = this.item();
      this.change(() => this.setRect(item, { ...item.rect, x: item.rect.x + dx, y: item.rect.y + dy }));
    }
  }

  // drawing -------------------------------------------------------------------------------
  renderSvg() {
    const svg = this.stage.svg;
    svg.replaceChildren();
    const scale = this.stage.scale || 1;
    const shape = (rect, cls, data, label) => {
      const node = svgEl("rect", { x: rect.x, y: rect.y, width: rect.w, height: rect.h, class: cls });
      for (const [k, v] of Object.entries(data)) node.dataset[k] = v;
      svg.append(node);
      if (label) {
        const text = svgEl("text", { x: rect.x + 3, y: rect.y - 4, class: "shape-label", "font-size": 14 / scale });
        text.textContent = label;
        svg.append(text);
      }
    };
    this.suggestions.forEach((s, i) => {
      shape(s.rect, "shape suggested", { suggestion: i }, `? ${s.name}`);
    });
    if (this.doc.title) {
      const selected = this.sel && this.sel.kind === "title";
      shape(this.doc.title.rect, `shape title${selected ? " selected" : ""}${this.errors.title ? " error" : ""}`, { kind: "title" }, `Title: ${this.doc.title.name}`);
    }
    this.doc.fields.forEach((f, i) => {
      const selected = this.sel && this.sel.kind === "field" && this.sel.index === i;
      shape(f.rect, `shape${selected ? " selected" : ""}${this.errors.fields[i] ? " error" : ""}`, { kind: "field", index: i }, f.name);
      if (f.type === "MULTI_BOX" && f.boxes) {
        for (const b of f.boxes) svg.append(svgEl("rect", { x: b.x, y: b.y, width: b.w, height: b.h, class: "box-line", fill: "none" }));
      }
    });
    const item = this.item();
    if (item) {
      const r = item.rect;
      const size = 10 / scale;
      const points = { nw: [r.x, r.y], n: [r.x + r.w / 2, r.y], ne: [r.x + r.w, r.y], e: [r.x + r.w, r.y + r.h / 2],
        se: [r.x + r.w, r.y + r.h], s: [r.x + r.w / 2, r.y + r.h], sw: [r.x, r.y + r.h], w: [r.x, r.y + r.h / 2] };
      for (const name of HANDLES) {
        const [x, y] = points[name];
        const handle = svgEl("rect", { x: x - size / 2, y: y - size / 2, width: size, height: size, class: "handle", style: `cursor: ${name}-resize` });
        handle.dataset.handle = name;
        svg.append(handle);
      }
    }
  }

  // side panel ----------------------------------------------------------------------------
  renderSide() {
    this.propsBox = h("div");
    this.listBox = h("div");
    this.side.replaceChildren(this.templateSection(), this.propsBox, this.listBox, this.suggestionSection(), this.rulesSection());
    this.renderProps();
    this.renderList();
  }

  templateSection() {
    const file = h("input", { id: "sample-file", type: "file", accept: ".png,.jpg,.jpeg,.pdf,.tif,.tiff,image/png,image/jpeg,image/tiff,application/pdf" });
    const page = h("input", { id: "sample-page", type: "number", min: "0", value: "0", style: "width: 70px" });
    const loadSample = async () => {
      if (!file.files[0]) return;
      try {
        const shown = await preview(file.files[0], Number(page.value) || 0);
        this.sample = file.files[0];
        this.samplePage = Number(page.value) || 0;
        this.sampleChanged = true;
        this.stage.setImage(shown.url, shown.width, shown.height);
        this.renderSvg();
        this.flash(`Sample loaded: ${shown.width} x ${shown.height} px.`);
      } catch (error) { this.flash(`The sample could not be read: ${errorText(error)}`, "error"); }
    };
    file.addEventListener("change", loadSample);
    page.addEventListener("change", loadSample);
    const general = this.errors.general.map((m) => h("p", { class: "field-error", role: "alert" }, m));
    return h("fieldset", {}, h("legend", {}, "Template"),
      inputRow("Template name", "tpl-name", this.doc.name, (v) => { this.doc.name = v; }),
      selectRow("Language", "tpl-lang", LANGS, this.doc.lang, (v) => this.change(() => { this.doc.lang = v; }, { side: false })),
      row("Sample (PNG, JPEG, PDF, TIFF)", "sample-file", file),
      row("Page of a PDF/TIFF", "sample-page", page),
      ...general);
  }

  renderProps() {
    const item = this.item();
    if (!item) {
      this.propsBox.replaceChildren(h("fieldset", {}, h("legend", {}, "Selection"),
        h("p", { class: "muted" }, "Draw a title or field with the tools above, or click one to select it. Alt+drag or the middle button pans; the wheel zooms.")));
      return;
    }
    const text = (label, id, value, set) => inputRow(label, id, value, (v) => { set(v); this.renderSvg(); this.renderList(); });
    const rows = [];
    const before = this.snapshot();
    if (this.sel.kind === "title") {
      rows.push(text("Title text", "prop-name", item.name, (v) => { item.name = v; }));
      if (this.errors.title) rows.push(h("p", { class: "field-error", role: "alert" }, this.errors.title));
    } else {
      const index = this.sel.index;
      rows.push(text("Field name", "prop-name", item.name, (v) => { item.name = v; }));
      rows.push(selectRow("Type", "prop-type", FIELD_TYPES, item.type, (v) => this.change(() => {
        item.type = v;
        item.boxes = v === "MULTI_BOX" ? splitBoxes(item.rect, 5) : null;
      })));
      rows.push(selectRow("Value type", "prop-value-type", VALUE_TYPES, item.valueType, (v) => this.change(() => { item.valueType = v; }, { side: false })));
      if (item.type === "CHECKBOX") {
        rows.push(text("Checked text", "prop-checked", item.checkbox.checkedText, (v) => { item.checkbox.checkedText = v; }));
        rows.push(text("Unchecked text", "prop-unchecked", item.checkbox.uncheckedText, (v) => { item.checkbox.uncheckedText = v; }));
      }
      if (item.type === "MULTI_BOX") {
        const count = h("input", { id: "prop-boxes", type: "number", min: "1", max: "200", value: String(item.boxes ? item.boxes.length : 5), style: "width: 70px" });
        rows.push(row("Boxes in the row", "prop-boxes", count));
        rows.push(h("p", {}, h("button", { type: "button", id: "split", onclick: () => this.change(() => { item.boxes = splitBoxes(item.rect, Number(count.value) || 1); }) },
          "Split the row into boxes")));
      }
      if (item.valueType === "NUMERIC") rows.push(text("Separators kept", "prop-separators", item.separators, (v) => { item.separators = v; }));
      if (this.errors.fields[index]) rows.push(h("p", { class: "field-error", role: "alert", id: "prop-error" }, this.errors.fields[index]));
    }
    const r = item.rect;
    rows.push(h("p", { class: "muted" }, `x ${Math.round(r.x)}, y ${Math.round(r.y)}, ${Math.round(r.w)} x ${Math.round(r.h)} px`));
    this.propsBox.replaceChildren(h("fieldset", {}, h("legend", {}, this.sel.kind === "title" ? "Title" : "Field"), ...rows));
    // One undo step per edit of a text box.
    for (const input of this.propsBox.querySelectorAll("input")) {
      input.addEventListener("change", () => { this.push(before); });
    }
  }

  renderList() {
    const items = this.doc.fields.map((f, i) => {
      const selected = this.sel && this.sel.kind === "field" && this.sel.index === i;
      return h("li", { class: selected ? "selected" : "", "data-field": f.name },
        h("button", { type: "button", onclick: () => this.select({ kind: "field", index: i }), "aria-current": selected ? "true" : false },
          `${f.name}`), " ", h("span", { class: "muted" }, f.type === "NORMAL" ? f.valueType : f.type),
        this.errors.fields[i] ? h("div", { class: "field-error", "data-error-for": f.name }, this.errors.fields[i]) : null);
    });
    const title = this.doc.title
      ? h("p", {}, h("button", { type: "button", onclick: () => this.select({ kind: "title" }) }, `Title: ${this.doc.title.name}`))
      : h("p", { class: "muted" }, "No title area yet (draw one with \"Draw title\").");
    this.listBox.replaceChildren(h("fieldset", {}, h("legend", {}, `Fields (${this.doc.fields.length})`), title, h("ul", { id: "field-list" }, items)));
  }

  suggestionSection() {
    if (!this.suggestions.length) return h("div");
    const items = this.suggestions.map((s, i) => h("li", { class: "suggestion", "data-suggestion": s.name },
      h("span", {}, `${s.name} `, h("span", { class: "muted" }, s.type)),
      h("span", {},
        h("button", { type: "button", "aria-label": `Accept ${s.name}`, onclick: () => this.accept(i) }, "Accept"), " ",
        h("button", { type: "button", "aria-label": `Discard ${s.name}`, onclick: () => this.discard(i) }, "Discard"))));
    return h("fieldset", { id: "suggestions" }, h("legend", {}, `Suggested fields (${this.suggestions.length})`),
      h("ul", {}, items),
      h("p", {}, h("button", { type: "button", onclick: () => { while (this.suggestions.length) this.accept(0); } }, "Accept all"), " ",
        h("button", { type: "button", onclick: () => { this.suggestions = []; this.renderAll(); } }, "Discard all")));
  }

  rulesSection() {
    const v = this.doc.validation;
    const c = this.doc.combine;
    const names = this.doc.fields.map((f) => f.name);
    const rules = v.rules.map((rule, i) => h("li", {}, h("fieldset", { "data-rule": i }, h("legend", {}, `Rule ${i + 1}`),
      selectRow("Field", `rule-field-${i}`, names.includes(rule.field) ? names : [rule.field, ...names], rule.field, (x) => { rule.field = x; }),
      selectRow("Check", `rule-kind-${i}`, ["pattern", "check"], rule.kind, (x) => this.change(() => { rule.kind = x; if (x === "check") rule.value = "kr-business-number"; })),
      rule.kind === "pattern"
        ? inputRow("Pattern", `rule-value-${i}`, rule.value, (x) => { rule.value = x; })
        : selectRow("Built-in", `rule-value-${i}`, ["kr-business-number"], rule.value, (x) => { rule.value = x; }),
      inputRow("Message", `rule-message-${i}`, rule.message, (x) => { rule.message = x; }),
      h("button", { type: "button", class: "danger", onclick: () => this.change(() => v.rules.splice(i, 1)) }, `Remove rule ${i + 1}`))));
    return h("fieldset", {}, h("legend", {}, "Combine and validation"),
      inputRow("Combine name", "combine-name", c.name, (x) => { c.name = x; }),
      inputRow("Combine format", "combine-format", c.format, (x) => { c.format = x; }, { placeholder: "{City} {Street}" }),
      inputRow("Validator URL", "validation-url", v.url, (x) => { v.url = x; }, { placeholder: "https://..." }),
      h("ul", {}, rules),
      h("button", { type: "button", onclick: () => this.change(() => v.rules.push({ field: names[0] || "", kind: "pattern", value: "", message: "" })) }, "Add rule"));
  }

  // suggestions --------------------------------------------------------------------------------
  async suggest() {
    if (!this.sample) { this.flash("Upload a sample first.", "error"); return; }
    const button = this.toolbar.querySelector("#suggest");
    button.disabled = true;
    button.textContent = "Reading the sample…";
    try {
      const form = new FormData();
      form.append("file", this.sample, this.sample.name || "sample.png");
      form.append("lang", this.doc.lang);
      form.append("pageIndex", String(this.sampleChanged ? this.samplePage || 0 : 0));
      const found = await api("/api/v1/templates/suggest", { method: "POST", form });
      const taken = new Set(this.doc.fields.map((f) => f.name));
      this.suggestions = found.filter((s) => !taken.has(s.name)).map((s) => ({
        name: s.name, type: s.type,
        rect: { x: s.box[0], y: s.box[1], w: s.box[2] - s.box[0], h: s.box[3] - s.box[1] },
        boxes: s.boxes.map((b) => ({ x: b[0], y: b[1], w: b[2] - b[0], h: b[3] - b[1] })),
      }));
      this.flash(`${this.suggestions.length} suggested field(s): accept or discard each.`);
      this.renderAll();
    } catch (error) {
      this.flash(`Suggestion failed: ${errorText(error)}`, "error");
    } finally {
      button.disabled = false;
      button.textContent = "Suggest fields";
    }
  }

  accept(i) {
    const s = this.suggestions[i];
    this.change(() => {
      this.suggestions.splice(i, 1);
      const field = newField(this.doc.fields.some((f) => f.name === s.name) ? this.uniqueName(s.name) : s.name, s.rect, s.type);
      if (s.type === "MULTI_BOX" && s.boxes.length) field.boxes = s.boxes;
      if (s.type === "MULTI_BOX") field.valueType = "ALL";
      this.doc.fields.push(field);
    });
  }

  discard(i) {
    this.suggestions.splice(i, 1);
    this.renderAll();
  }

  // saving -------------------------------------------------------------------------------------
  showErrors(message) {
    this.errors = { general: [], fields: {}, title: null };
    for (const part of message ? message.split("; ") : []) {
      const target = errorTarget(part, this.doc);
      if (target.field !== undefined && this.doc.fields[target.field]) this.errors.fields[target.field] = part;
      else if (target.title) this.errors.title = part;
      else this.errors.general.push(part);
    }
    const first = Object.keys(this.errors.fields)[0];
    if (first !== undefined && (!this.sel || this.sel.kind !== "field")) this.sel = { kind: "field", index: Number(first) };
    this.renderAll();
  }

  async save() {
    if (!this.sample) { this.showErrors("sample: upload a sample image first"); return; }
    const definition = toApi(this.doc);
    try {
      let saved;
      if (this.id === null || this.sampleChanged) {
        const form = new FormData();
        form.append("definition", JSON.stringify({ ...definition, sample: { format: fileFormat(this.sample), pageIndex: this.samplePage || 0 } }));
        form.append("sample", this.sample, this.sample.name || "sample");
        saved = await api(this.id === null ? "/api/v1/templates" : `/api/v1/templates/${this.id}`, { method: this.id === null ? "POST" : "PUT", form });
      } else {
        saved = await api(`/api/v1/templates/${this.id}`, { method: "PUT", json: definition });
      }
      this.saved = JSON.stringify(this.doc);
      this.sampleChanged = false;
      this.showErrors("");
      const message = `Saved ${saved.name}: version ${saved.version}.`;
      this.flash(message);
      if (this.id === null) {
        // The router clears the message on navigation; show it again on the template's own page.
        window.addEventListener("hashchange", () => this.flash(message), { once: true });
        location.hash = `#/edit/${saved.id}`;
      } else {
        this.version = saved.version;
        this.renderAll();
      }
    } catch (error) {
      const detail = error.detail !== undefined ? (typeof error.detail === "string" ? error.detail : errorText(error)) : String(error);
      this.flash(`Not saved: ${detail}`, "error");
      this.showErrors(detail);
    }
  }
}

