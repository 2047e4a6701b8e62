// The test view: run a photo, scan or PDF against one template and show what was found where.
import { api, copyText, errorText, fileFormat, h, preview, toBase64 } from "./api.js";
import { Stage, svgEl } from "./stage.js";

export const LOW_CONFIDENCE = 0.8;

export class TestView {
  constructor(main, id, flash) {
    this.main = main;
    this.id = id;
    this.flash = flash;
    this.dirty = false;
    this.stage = new Stage("Test page");
    this.stage.onView = () => { if (this.shownImage) this.drawOverlay(this.shownImage); }; // labels keep their size
    this.result = null;
    this.page = 0;
    this.runs = 0; // a run that finishes after a later one started is not shown
    this.shows = 0; // likewise for the page shown
  }

  async load() {
    const route = this.main.dataset.route;
    const templates = await api("/api/v1/templates");
    if (this.main.dataset.route !== route) return; // the user has moved on while it loaded
    const picker = h("select", { id: "test-template" }, templates.map((t) => h("option", { value: t.id, selected: t.id === this.id }, `${t.name} (id ${t.id}, v${t.version})`)));
    picker.addEventListener("change", () => { location.hash = `#/test/${picker.value}`; });
    if (!templates.some((t) => t.id === this.id) && templates.length) this.id = templates[0].id;
    this.file = h("input", { id: "test-file", type: "file", accept: ".png,.jpg,.jpeg,.pdf,.tif,.tiff,image/*,application/pdf" });
    this.file.addEventListener("change", () => { if (this.file.files[0]) this.run(this.file.files[0]); });
    const drop = h("div", { class: "dropzone", id: "dropzone" }, "Drop a photo, scan or PDF here, or ",
      h("label", { for: "test-file" }, "choose a file: "), this.file);
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files[0]) this.run(e.dataTransfer.files[0]); });
    this.status = h("p", { role: "status", id: "test-status", class: "muted" }, "");
    this.side = h("div", { class: "side", id: "test-results" });
    this.pages = h("span");
    this.main.replaceChildren(h("div", { class: "view-head" }, h("h2", {}, "Test a template")),
      h("div", { class: "workspace test" },
        h("div", { class: "left" },
          h("div", { class: "toolbar" }, h("label", { for: "test-template" }, "Template "), picker, h("span", { class: "sep" }), ...this.stage.zoomButtons(), this.pages),
          drop, this.stage.root),
        this.side));
  }

  async run(file) {
    const ticket = ++this.runs;
    this.status.textContent = `Reading ${file.name}…`;
    this.side.replaceChildren(this.status);
    try {
      const body = {
        version: "V2", requestId: `console-${Date.now()}`, timestamp: Date.now(),
        images: [{ format: fileFormat(file), name: file.name || "upload", data: await toBase64(file) }],
      };
      const result = await api(`/api/v1/templates/${this.id}/test`, { method: "POST", json: body });
      if (ticket !== this.runs) return;
      this.fileObj = file;
      this.result = result;
      await this.showPage(0);
    } catch (error) {
      if (ticket !== this.runs) return;
      this.status.textContent = `Failed: ${errorText(error)}`;
      this.flash(errorText(error), "error");
    }
  }

  async showPage(index) {
    this.page = index;
    const images = this.result.images;
    this.pages.replaceChildren(...(images.length > 1 ? [h("span", { class: "sep" }), ...images.map((_, i) =>
      h("button", { type: "button", "aria-pressed": String(i === index), onclick: () => this.showPage(i) }, `Page ${i + 1}`))] : []));
    const ticket = ++this.shows;
    const shown = await preview(this.fileObj, index);
    if (ticket !== this.shows) return; // another page was asked for meanwhile
    this.stage.setImage(shown.url, shown.width, shown.height);
    this.render(images[index]);
  }

  render(image) {
    this.shownImage = image;
    this.drawOverlay(image);
    this.renderTable(image);
  }

  drawOverlay(image) {
    const svg = this.stage.svg;
    svg.replaceChildren();
    const poly = (p, cls, label) => {
      if (!p) return;
      const points = p.vertices.map((v) => `${v.x},${v.y}`).join(" ");
      const node = svgEl("polygon", { points, class: cls });
      const title = svgEl("title");
      title.textContent = label;
      node.append(title);
      svg.append(node);
      const v = p.vertices[0];
      const text = svgEl("text", { x: v.x + 2, y: v.y - 4, class: "shape-label", "font-size": 14 / (this.stage.scale || 1) });
      text.textContent = label;
      svg.append(text);
    };
    const fields = image.fields || [];
    if (image.title && image.title.boundingPoly) poly(image.title.boundingPoly, "shape title found", image.title.name);
    for (const f of fields) {
      const low = f.inferConfidence < LOW_CONFIDENCE && (f.inferText !== "" || f.type === "CHECKBOX");
      poly(f.boundingPoly, `shape found${low ? " low" : ""}`, f.name);
    }
  }

  renderTable(image) {
    const fields = image.fields || [];
    const json = JSON.stringify(this.result, null, 2);
    const rows = fields.map((f) => {
      const low = f.inferConfidence < LOW_CONFIDENCE && (f.inferText !== "" || f.type === "CHECKBOX");
      const empty = f.inferText === "" && f.type !== "CHECKBOX";
      return h("tr", { class: low ? "low" : empty ? "empty" : "", "data-field": f.name },
        h("th", { scope: "row" }, f.name),
        h("td", { class: "text" }, f.inferText, empty ? h("span", { class: "note" }, "(nothing read)") : null),
        h("td", { class: "conf" }, f.inferConfidence.toFixed(2), low ? h("span", { class: "note" }, " (low)") : null),
        h("td", { class: "checked" }, f.type === "CHECKBOX" ? (f.checked ? "checked" : "unchecked") : ""));
    });
    const summary = image.inferResult === "SUCCESS"
      ? `Matched ${image.matchedTemplate.name} (id ${image.matchedTemplate.id}). Title: ${image.title ? image.title.inferText : "-"}`
      : `${image.inferResult}: ${image.message || ""}`;
    this.status.textContent = summary;
    const extra = [];
    if (image.combineResult) extra.push(h("p", {}, `${image.combineResult.name}: `, h("strong", {}, image.combineResult.text)));
    if (image.validationResult) extra.push(h("p", {}, `Validation: ${image.validationResult.result}${image.validationResult.message ? ` (${image.validationResult.message})` : ""}`));
    this.side.replaceChildren(this.status, ...extra,
      h("table", { id: "result-table" },
        h("caption", { class: "sr-only" }, "Fields found"),
        h("thead", {}, h("tr", {}, ...["Field", "Text", "Confidence", "Checkbox"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows)),
      h("p", {}, h("strong", {}, "CLOVA JSON "), h("button", { type: "button", id: "copy-json", "aria-label": "Copy the CLOVA JSON", onclick: (e) => copyText(json, e.currentTarget) }, "Copy")),
      h("pre", { class: "raw", id: "raw-json", tabindex: "0", "aria-label": "Raw CLOVA JSON" }, json));
  }
}
