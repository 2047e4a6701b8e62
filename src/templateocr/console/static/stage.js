// A zoomable, pannable view of one page image with an SVG overlay in image pixels.
import { h } from "./api.js";

const SVG = "http://www.w3.org/2000/svg";

export function svgEl(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

export class Stage {
  constructor(label) {
    this.scale = 1;
    this.tx = 0;
    this.ty = 0;
    this.width = 0;
    this.height = 0;
    this.onView = null; // called after every zoom, pan or fit
    this.img = h("img", { alt: label, draggable: "false" });
    this.svg = svgEl("svg", { "aria-label": `${label} areas`, role: "img" });
    this.canvas = h("div", { class: "canvas" }, this.img, this.svg);
    this.empty = h("div", { class: "empty" }, "No image yet.");
    this.root = h("div", { class: "stage", tabindex: "0", "aria-label": label }, this.empty, this.canvas);
    this.canvas.hidden = true;
    this.root.addEventListener("wheel", (event) => this.onWheel(event), { passive: false });
    this.root.addEventListener("mousedown", (event) => this.maybePan(event));
    new ResizeObserver(() => { if (this.width && !this.userMoved) this.fit(); }).observe(this.root);
  }

  setImage(url, width, height) {
    this.width = width;
    this.height = height;
    this.img.src = url;
    this.img.width = width;
    this.img.height = height;
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.setAttribute("width", width);
    this.svg.setAttribute("height", height);
    this.canvas.hidden = false;
    this.empty.hidden = true;
    this.userMoved = false;
    this.fit();
  }

  apply() {
    this.canvas.style.transform = `translate(${this.tx}px, ${this.ty}px) scale(${this.scale})`;
    if (this.onView) this.onView();
  }

  fit() {
    const box = this.root.getBoundingClientRect();
    if (!this.width || !box.width) return;
    this.scale = Math.min((box.width - 20) / this.width, (box.height - 20) / this.height);
    this.tx = (box.width - this.width * this.scale) / 2;
    this.ty = (box.height - this.height * this.scale) / 2;
    this.apply();
  }

  zoom(factor, cx, cy) {
    const box = this.root.getBoundingClientRect();
    const px = cx ?? box.width / 2;
    const py = cy ?? box.height / 2;
    const next = Math.min(8, Math.max(0.05, this.scale * factor));
    this.tx = px - ((px - this.tx) * next) / this.scale;
    this.ty = py - ((py - this.ty) * next) / this.scale;
    this.scale = next;
    this.userMoved = true;
    this.apply();
  }

  onWheel(event) {
    if (!this.width) return;
    event.preventDefault();
    const box = this.root.getBoundingClientRect();
    if (event.ctrlKey || event.metaKey || !event.shiftKey) {
      this.zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - box.left, event.clientY - box.top);
    } else {
      this.tx -= event.deltaX || event.deltaY;
      this.userMoved = true;
      this.apply();
    }
  }

  // Middle button, Alt+drag, or (when panOnEmpty says so) a drag on the background pans.
  maybePan(event, force = false) {
    if (!(force || event.button === 1 || event.altKey)) return false;
    event.preventDefault();
    event.stopPropagation();
    const start = { x: event.clientX, y: event.clientY, tx: this.tx, ty: this.ty };
    this.root.classList.add("panning");
    const move = (e) => {
      this.tx = start.tx + e.clientX - start.x;
      this.ty = start.ty + e.clientY - start.y;
      this.userMoved = true;
      this.apply();
    };
    const up = () => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
      this.root.classList.remove("panning");
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
    return true;
  }

  // Client coordinates -> image pixels.
  toImage(event) {
    const box = this.svg.getBoundingClientRect();
    const s = box.width / this.width;
    return { x: (event.clientX - box.left) / s, y: (event.clientY - box.top) / s };
  }

  // Image pixels -> client coordinates (tests and keyboard helpers use it).
  toClient(x, y) {
    const box = this.svg.getBoundingClientRect();
    const s = box.width / this.width;
    return { x: box.left + x * s, y: box.top + y * s };
  }

  zoomButtons() {
    return [
      h("button", { type: "button", onclick: () => this.zoom(1.25), "aria-label": "Zoom in" }, "+"),
      h("button", { type: "button", onclick: () => this.zoom(0.8), "aria-label": "Zoom out" }, "−"),
      h("button", { type: "button", onclick: () => { this.userMoved = false; this.fit(); } }, "Fit"),
    ];
  }
}
