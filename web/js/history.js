/* A history list one click away: GET …/history ({items: [Change]}, newest first, see
   docs/editing.md) as a table of when, who, what, 文号 and each field before → after.
   GIS.history.toggle(box, url) opens it in `box`, or closes it when it is open. */
"use strict";
GIS.history = (function () {
  const t = GIS.t;
  const esc = GIS.escape;

  function known(key, fallback) {
    const text = t(key);
    return text === key ? fallback : text;
  }
  function value(field, v) {
    if (v === null || v === undefined || v === "") { return "—"; }
    if (field === "status") { return known("web.floor.ledger." + v, String(v)); }
    if (field === "category") { return known("category." + v, String(v)); }
    if (field === "subtype") { return known("web.floor.subtype." + v, String(v)); }
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  function when(at) {
    if (!at) { return ""; }
    const d = new Date(at);
    return Number.isNaN(d.getTime()) ? String(at)
      : d.toLocaleString(GIS.data().lang === "en" ? "en" : "zh-CN", {hour12: false});
  }
  function changesHtml(changes) {
    return Object.entries(changes || {}).map(([field, c]) =>
      `<div><span class="gis-muted">${esc(known("web.history.field." + field, field))}</span> ` +
      `${esc(value(field, c && c.before))} → ${esc(value(field, c && c.after))}</div>`).join("");
  }

  function table(items) {
    if (!items.length) { return `<p class="gis-muted">${esc(t("web.history.empty"))}</p>`; }
    const head = ["when", "who", "action", "document_no", "changes"].map(k =>
      `<th>${esc(t("web.history.column." + k))}</th>`).join("");
    return `<table class="gis-table gis-history-table"><tr>${head}</tr>` + items.map(c =>
      `<tr data-change="${esc(c.id)}"><td>${esc(when(c.at))}` +
      (c.effective_date ? `<div class="gis-muted">${esc(t("web.history.effective", {date: c.effective_date}))}</div>` : "") +
      `</td><td>${esc(c.who || "")}</td>` +
      `<td>${esc(known("web.history.action." + c.action, c.action || c.operation || ""))}</td>` +
      `<td>${esc(c.document_no || "")}</td>` +
      `<td>${changesHtml(c.changes)}${c.note ? `<div class="gis-muted">${esc(c.note)}</div>` : ""}</td></tr>`
    ).join("") + "</table>";
  }

  async function show(box, url) {
    box.dataset.open = "true";
    box.innerHTML = `<p class="gis-muted">${esc(t("web.common.loading"))}</p>`;
    try {
      const answer = await GIS.fetchJSON(url);
      box.innerHTML = `<h5>${esc(t("web.history.title"))}</h5>` +
        table(Array.isArray(answer) ? answer : (answer.items || []));
    } catch (error) {
      GIS.message(box, t("web.history.cannot_load", {detail: error.message}), true);
    }
  }

  function toggle(box, url) {
    if (box.dataset.open === "true") {
      box.dataset.open = "false";
      box.innerHTML = "";
      return Promise.resolve();
    }
    return show(box, url);
  }

  return {show, toggle};
})();
