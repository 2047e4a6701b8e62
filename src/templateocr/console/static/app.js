// The console: sign-in, the template list, releases, and the router between views.
import { api, copyText, errorText, h, token } from "./api.js";
import { Editor } from "./editor.js";
import { TestView } from "./testview.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const flashBox = document.getElementById("flash");
let current = null; // the view shown; may have confirmLeave()
let shownRoute = 0; // bumped on every route(); a view that loaded for an older route is not shown

export function flash(message, kind = "ok") {
  flashBox.textContent = message;
  flashBox.title = message; // one line is shown; the whole message on hover
  flashBox.className = message ? kind : "";
}

function signIn() {
  nav.hidden = true;
  const input = h("input", { id: "admin-token", type: "password", autocomplete: "current-password", required: true });
  const form = h("form", { class: "card signin", "aria-label": "Sign in" },
    h("h2", {}, "Sign in"),
    h("div", { class: "form-row" }, h("label", { for: "admin-token" }, "Admin token"), input),
    h("p", { class: "muted" }, "The token is kept in this browser tab only (session storage)."),
    h("button", { class: "primary", type: "submit" }, "Sign in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    token.set(input.value.trim());
    try {
      await api("/api/v1/templates");
      flash("");
      route();
    } catch (error) {
      token.clear();
      flash(`Sign-in failed: ${errorText(error)}`, "error");
    }
  });
  main.replaceChildren(form);
  input.focus();
}

function show(ticket, ...children) {
  if (ticket === shownRoute) main.replaceChildren(...children);
}

async function templateList(ticket = shownRoute) {
  const [templates, domains] = await Promise.all([api("/api/v1/templates"), api("/api/v1/domains")]);
  const names = Object.fromEntries(domains.map((d) => [d.id, d.name]));
  const rows = templates.map((t) => {
    const released = (t.releasedTo || []).map((r) => `${names[r.domainId] || r.domainId} (v${r.version})`);
    return h("tr", { "data-template-id": t.id },
      h("td", {}, h("a", { href: `#/edit/${t.id}` }, t.name)),
      h("td", {}, t.id),
      h("td", {}, t.lang),
      h("td", {}, t.version),
      h("td", {}, released.length ? h("span", { class: "badge yes" }, released.join(", ")) : h("span", { class: "badge" }, "not released")),
      h("td", {}, t.fields.length),
      h("td", {},
        h("a", { href: `#/test/${t.id}` }, "Test"), " ",
        h("button", { type: "button", class: "danger", "aria-label": `Delete ${t.name}`, onclick: async () => {
          if (!window.confirm(`Delete template "${t.name}" (id ${t.id}) and withdraw it everywhere?`)) return;
          try { await api(`/api/v1/templates/${t.id}`, { method: "DELETE" }); flash(`Deleted ${t.name}.`); route(); }
          catch (error) { flash(errorText(error), "error"); }
        } }, "Delete")));
  });
  show(ticket, h("section", { class: "card" },
    h("h2", {}, "Templates"),
    rows.length ? h("table", { id: "templates" },
      h("thead", {}, h("tr", {}, ...["Name", "Id", "Language", "Version", "Released", "Fields", ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows))
      : h("p", {}, "No templates yet. ", h("a", { href: "#/edit/new" }, "Create one from a sample.")),
  ));
}

function masked(secret) {
  return "•".repeat(Math.min(24, secret.length));
}

async function releases(ticket = shownRoute) {
  const [templates, domains] = await Promise.all([api("/api/v1/templates"), api("/api/v1/domains")]);
  const cards = domains.map((domain) => {
    const secret = h("span", { class: "secret", "data-secret": "" }, masked(domain.secret));
    let shown = false;
    const serving = Object.fromEntries(domain.releases.map((r) => [r.templateId, r.version]));
    const rows = templates.map((t) => {
      const box = h("input", { type: "checkbox", id: `rel-${domain.id}-${t.id}`, checked: t.id in serving });
      box.addEventListener("change", async () => {
        try {
          if (box.checked) await api(`/api/v1/domains/${domain.id}/releases`, { method: "POST", json: { templateIds: [t.id] } });
          else await api(`/api/v1/domains/${domain.id}/releases/${t.id}`, { method: "DELETE" });
          await releases(); // shown first, so that the message comes with the view it describes
          flash(`${box.checked ? "Released" : "Withdrew"} ${t.name} ${box.checked ? "to" : "from"} ${domain.name}.`);
        } catch (error) { flash(errorText(error), "error"); box.checked = !box.checked; }
      });
      const note = t.id in serving
        ? (serving[t.id] === t.version ? `serving v${serving[t.id]}` : `serving v${serving[t.id]}; v${t.version} is newer: release again`)
        : "";
      return h("tr", {}, h("td", {}, box), h("td", {}, h("label", { for: box.id }, `${t.name} (id ${t.id}, v${t.version})`)), h("td", { class: "muted" }, note));
    });
    return h("section", { class: "card", "aria-label": `Domain ${domain.name}`, "data-domain-id": domain.id },
      h("h2", {}, `Domain ${domain.id}: ${domain.name}`, " ", h("span", { class: "badge" }, domain.lang)),
      h("p", {}, "Invoke URL: ", h("code", { "data-invoke-url": "" }, domain.invokeUrl), " ",
        h("button", { type: "button", onclick: (e) => copyText(domain.invokeUrl, e.currentTarget) }, "Copy URL")),
      h("p", {}, "Secret (X-OCR-SECRET): ", secret, " ",
        h("button", { type: "button", "aria-pressed": "false", onclick: (e) => {
          shown = !shown;
          secret.textContent = shown ? domain.secret : masked(domain.secret);
          e.currentTarget.setAttribute("aria-pressed", String(shown));
          e.currentTarget.textContent = shown ? "Hide" : "Show";
        } }, "Show"), " ",
        h("button", { type: "button", onclick: (e) => copyText(domain.secret, e.currentTarget) }, "Copy secret"), " ",
        h("button", { type: "button", class: "danger", onclick: async () => {
          if (!window.confirm(`Rotate the secret of ${domain.name}? Clients using the old one stop working.`)) return;
          try { await api(`/api/v1/domains/${domain.id}/secret`, { method: "POST" }); await releases(); flash("Secret rotated."); }
          catch (error) { flash(errorText(error), "error"); }
        } }, "Rotate")),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Released"), h("th", {}, "Template"), h("th", {}, ""))), h("tbody", {}, rows)));
  });
  show(ticket, h("h2", {}, "Releases"), ...cards);
}

async function route() {
  if (!token.get()) return signIn();
  nav.hidden = false;
  const hash = location.hash || "#/templates";
  const [, view, id] = hash.split("/");
  const ticket = ++shownRoute;
  main.dataset.route = String(ticket); // views that load before they render check it is still theirs
  current = null;
  try {
    if (view === "edit") {
      current = new Editor(main, id === "new" ? null : Number(id), flash);
      await current.load();
    } else if (view === "test") {
      current = new TestView(main, Number(id), flash);
      await current.load();
    } else if (view === "releases") await releases(ticket);
    else await templateList(ticket);
  } catch (error) {
    flash(errorText(error), "error");
  }
}

let lastHash = location.hash;
window.addEventListener("hashchange", () => {
  if (current && current.dirty && !window.confirm("You have unsaved changes. Leave this page and lose them?")) {
    history.replaceState(null, "", lastHash || "#/templates");
    return;
  }
  lastHash = location.hash;
  flash("");
  route();
});
window.addEventListener("beforeunload", (event) => {
  if (current && current.dirty) { event.preventDefault(); event.returnValue = ""; }
});
window.addEventListener("signed-out", () => { token.clear(); flash("Signed out: the token was refused.", "error"); signIn(); });
document.getElementById("sign-out").addEventListener("click", () => {
  if (current && current.dirty && !window.confirm("You have unsaved changes. Sign out and lose them?")) return;
  current = null;
  token.clear();
  flash("");
  signIn();
});
route();
