/* Editing a room on the floor plan (users with the edit right only; the page loads this file
   for them alone). A click on a room opens its form below the room's facts: status, category,
   subtype, body, the occupants (move someone here, end a stay), the effective date, 文号 and
   note. Save is a PATCH carrying the room's ETag (If-Match); a 412 says someone else changed
   the room, shows their values and reloads the form with them. Every save reloads the floor.
   API: docs/editing.md. */
"use strict";
GIS.roomEdit = (function () {
  const data = GIS.data();
  const t = GIS.t;
  const esc = GIS.escape;
  const box = document.getElementById("room-edit");
  const plan = GIS.floorPlan;
  if (!box || !plan) { return null; }
  let room = null;    /* the room as GET /api/v1/rooms/{id} answered */
  let etag = null;
  let flash = null;   /* {text, error, html} shown above the form, kept across a reload */
  let ticket = 0;
  let typed = null;   /* the common fields as typed, kept while the same room reloads */
  let staffPending = null;
  let bodyPending = null;
  const SUBTYPES = Object.keys(data.texts).filter(k => k.startsWith("web.floor.subtype."))
    .map(k => k.slice("web.floor.subtype.".length));

  /* A request to this site: the JSON answer and its ETag; an error carries status and body. */
  async function call(url, options) {
    const opts = Object.assign({}, options || {});
    const headers = Object.assign({"Accept-Language": data.lang}, opts.headers || {});
    if (opts.json !== undefined) {
      opts.method = opts.method || "POST";
      headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    opts.headers = headers;
    const response = await fetch(url, opts);
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = {detail: text}; }
    if (!response.ok) {
      const detail = body && body.detail;
      const error = new Error(detail && typeof detail.message === "string" ? detail.message
        : typeof detail === "string" ? detail : response.statusText || String(response.status));
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return {body, etag: response.headers.get("ETag")};
  }

  /* The fields every action carries: effective date (default today), 文号, note. */
  function commonHtml(prefix) {
    return `<fieldset class="gis-edit-common"><legend>${esc(t("web.room_edit.common"))}</legend>` +
      `<label for="${prefix}-date">${esc(t("web.room_edit.effective_date"))}</label>` +
      `<input type="date" id="${prefix}-date" max="${GIS.asOf.today()}" value="${GIS.asOf.today()}">` +
      `<label for="${prefix}-doc">${esc(t("web.room_edit.document_no"))}</label>` +
      `<input type="text" id="${prefix}-doc" maxlength="100" placeholder="${esc(t("web.room_edit.document_no_hint"))}">` +
      `<label for="${prefix}-note">${esc(t("web.room_edit.note"))}</label>` +
      `<textarea id="${prefix}-note" maxlength="500" rows="2"></textarea></fieldset>`;
  }
  function commonValues(prefix) {
    const out = {};
    const date = document.getElementById(`${prefix}-date`).value;
    const doc = document.getElementById(`${prefix}-doc`).value.trim();
    const note = document.getElementById(`${prefix}-note`).value.trim();
    if (date) { out.effective_date = date; }
    if (doc) { out.document_no = doc; }
    if (note) { out.note = note; }
    return out;
  }

  function options(values, label, chosen) {
    return values.map(v => `<option value="${esc(v)}"${v === chosen ? " selected" : ""}>` +
      `${esc(label(v))}</option>`).join("");
  }
  const statusLabel = s => t("web.floor.ledger." + s);
  const categoryLabel = c => t("category." + c);
  const subtypeLabel = s => t("web.floor.subtype." + s);

  /* Findings an action caused (over-standard offices, say), one line each. */
  /* A rank in the page's language (the API gives both). */
  function rankName(row) {
    return (data.lang === "en" ? row.rank_name_en : row.rank_name_zh) || row.rank_code || "";
  }
  function findingsHtml(findings) {
    if (!findings || !findings.length) { return ""; }
    return `<ul class="gis-findings">` + findings.map(f => `<li>${esc(t(
      "web.room_edit.finding_over_standard",
      {number: f.room_number, counted: f.counted_area_m2, limit: f.limit_m2, excess: f.excess_m2},
    ))}</li>`).join("") + "</ul>";
  }
  function say(text, isError, extraHtml) {
    flash = {text, error: Boolean(isError), html: extraHtml || ""};
    showFlash();
  }
  function showFlash() {
    const target = box.querySelector("#room-edit-message");
    if (!target) { return; }
    target.innerHTML = flash ? `<div class="gis-message${flash.error ? " error" : ""}">` +
      `${esc(flash.text)}${flash.html}</div>` : "";
    if (flash && flash.error) { target.scrollIntoView({block: "nearest"}); }
  }

  /* What the room holds now, in words (for the 412 message). */
  function valuesHtml(r) {
    const rows = [
      [t("web.room_edit.status"), statusLabel(r.status)],
      [t("web.room_edit.category"), categoryLabel(r.category)],
      [t("web.room_edit.subtype"), r.subtype ? subtypeLabel(r.subtype) : "—"],
      [t("web.room_edit.body"), r.organisation_name || t("web.floor.unassigned")],
      [t("web.room_edit.number"), r.number],
    ];
    return `<table class="gis-table gis-facts" id="room-edit-current">` + rows.map(([k, v]) =>
      `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("") + "</table>";
  }

  function occupantsHtml(r) {
    if (!data.seesPeople) { return ""; }
    const rows = (r.occupants || []).map(o =>
      `<li data-staff="${esc(o.staff_id)}"><b>${esc(o.name || t("web.room_edit.someone"))}</b> ` +
      `<span class="gis-muted">${esc(rankName(o))} · ${esc(t("web.room_edit.since", {date: o.valid_from}))}</span> ` +
      `<button type="button" class="edit-end-stay" data-staff="${esc(o.staff_id)}">${esc(t("web.room_edit.end_stay"))}</button> ` +
      `<a href="#" class="edit-staff-history" data-staff="${esc(o.staff_id)}">${esc(t("web.history.link"))}</a>` +
      `<div class="gis-history" data-history-of="${esc(o.staff_id)}"></div></li>`).join("");
    return `<h5>${esc(t("web.room_edit.occupants"))}</h5>` +
      `<ul class="gis-list" id="edit-occupants">${rows ||
        `<li class="gis-muted">${esc(t("web.floor.no_occupants"))}</li>`}</ul>` +
      `<label for="edit-staff-search">${esc(t("web.room_edit.find_person"))}</label>` +
      `<input type="search" id="edit-staff-search" autocomplete="off" placeholder="${esc(t("web.room_edit.find_person_hint"))}">` +
      `<ul class="gis-list" id="edit-staff-results"></ul>`;
  }

  function render() {
    const r = room;
    const bodyOptions = new Map();
    if (r.organisation_id) { bodyOptions.set(String(r.organisation_id), r.organisation_name || String(r.organisation_id)); }
    (render.bodies || []).forEach(b => bodyOptions.set(String(b.id), b.name));
    box.innerHTML =
      `<h4 id="room-edit-title">${esc(t("web.room_edit.title", {number: r.number}))}</h4>` +
      `<div id="room-edit-message" role="status"></div>` +
      `<form id="room-edit-form" class="gis-form gis-edit-form" data-room="${esc(r.id)}" data-version="${esc(r.version ?? "")}">` +
      `<label for="edit-status">${esc(t("web.room_edit.status"))}</label>` +
      `<select id="edit-status">${options(data.roomStatuses, statusLabel, r.status)}</select>` +
      `<label for="edit-category">${esc(t("web.room_edit.category"))}</label>` +
      `<select id="edit-category">${options(data.roomCategories, categoryLabel, r.category)}</select>` +
      `<label for="edit-subtype">${esc(t("web.room_edit.subtype"))}</label>` +
      `<select id="edit-subtype"><option value="">—</option>${options(SUBTYPES, subtypeLabel, r.subtype)}` +
      (r.subtype && !SUBTYPES.includes(r.subtype) ? `<option value="${esc(r.subtype)}" selected>${esc(r.subtype)}</option>` : "") +
      `</select>` +
      `<label for="edit-body">${esc(t("web.room_edit.body"))}</label>` +
      `<select id="edit-body"><option value="">${esc(t("web.room_edit.no_body"))}</option>` +
      [...bodyOptions].map(([id, name]) => `<option value="${esc(id)}"${id === String(r.organisation_id) ? " selected" : ""}>${esc(name)}</option>`).join("") +
      `</select>` +
      `<input type="search" id="edit-body-search" autocomplete="off" placeholder="${esc(t("web.room_edit.find_body"))}" aria-label="${esc(t("web.room_edit.find_body"))}">` +
      commonHtml("edit") +
      `<button type="submit" id="edit-save" class="gis-primary"${etag ? "" : " disabled"}>${esc(t("web.room_edit.save"))}</button>` +
      `</form>` + occupantsHtml(r) +
      `<p><a href="#" id="room-history-link">${esc(t("web.history.room_link"))}</a></p>` +
      `<div class="gis-history" id="room-history"></div>`;
    if (typed) {  /* what was typed in the common fields survives a reload of the form */
      ["date", "doc", "note"].forEach((k, i) => { box.querySelector(`#edit-${k}`).value = typed[i]; });
    }
    showFlash();
    box.querySelector("#room-edit-form").addEventListener("submit", event => { event.preventDefault(); save(); });
    box.querySelector("#edit-body-search").addEventListener("input", event => {
      clearTimeout(bodyPending);
      bodyPending = setTimeout(() => findBody(event.target.value.trim()), 250);
    });
    box.querySelector("#room-history-link").addEventListener("click", event => {
      event.preventDefault();
      GIS.history.toggle(box.querySelector("#room-history"), `/api/v1/rooms/${r.id}/history`);
    });
    box.querySelectorAll(".edit-end-stay").forEach(b => b.addEventListener("click", () =>
      move(Number(b.dataset.staff), null)));
    box.querySelectorAll(".edit-staff-history").forEach(a => a.addEventListener("click", event => {
      event.preventDefault();
      GIS.history.toggle(box.querySelector(`[data-history-of="${a.dataset.staff}"]`),
        `/api/v1/staff/${a.dataset.staff}/history`);
    }));
    const search = box.querySelector("#edit-staff-search");
    if (search) {
      search.addEventListener("input", () => {
        clearTimeout(staffPending);
        staffPending = setTimeout(() => findStaff(search.value.trim()), 250);
      });
    }
    document.dispatchEvent(new CustomEvent("gis:room-loaded", {detail: {room: r}}));
  }

  async function findBody(q) {
    if (!q) { return; }
    try {
      const answer = await GIS.fetchJSON(`/api/v1/search?q=${encodeURIComponent(q)}`);
      const select = box.querySelector("#edit-body");
      answer.items.filter(i => i.kind === "body").forEach(item => {
        if (!select.querySelector(`option[value="${item.id}"]`)) {
          select.insertAdjacentHTML("beforeend", `<option value="${esc(item.id)}">${esc(item.name)}</option>`);
          (render.bodies = render.bodies || []).push({id: item.id, name: item.name});
        }
      });
    } catch (error) {
      say(t("web.common.error", {detail: error.message}), true);
    }
  }

  async function findStaff(q) {
    const list = box.querySelector("#edit-staff-results");
    if (!q) { list.innerHTML = ""; return; }
    try {
      const answer = await GIS.fetchJSON(`/api/v1/staff?q=${encodeURIComponent(q)}&limit=10`);
      list.innerHTML = answer.items.length ? answer.items.map(p => {
        const here = p.room && room && p.room.id === room.id;
        const where = p.left_on ? t("web.room_edit.left_on", {date: p.left_on})
          : p.room ? t("web.room_edit.sits_in", {number: p.room.number}) : t("web.room_edit.no_room");
        return `<li><b>${esc(p.name)}</b> <span class="gis-muted">${esc([rankName(p), p.organisation_name, where].filter(Boolean).join(" · "))}</span> ` +
          `<button type="button" class="edit-move" data-staff="${esc(p.id)}"${here || p.left_on ? " disabled" : ""}>` +
          `${esc(t("web.room_edit.move_here"))}</button></li>`;
      }).join("") : `<li class="gis-muted">${esc(t("web.room_edit.no_person", {q}))}</li>`;
      list.querySelectorAll(".edit-move").forEach(b => b.addEventListener("click", () =>
        move(Number(b.dataset.staff), room.id)));
    } catch (error) {
      GIS.message(list, t("web.common.error", {detail: error.message}), true);
    }
  }

  async function move(staffId, roomId) {
    const id = room.id;
    try {
      const answer = await call(`/api/v1/staff/${staffId}/move`,
        {json: {room_id: roomId, ...commonValues("edit")}});
      say(t(roomId === null ? "web.room_edit.stay_ended" : "web.room_edit.moved"), false,
        findingsHtml(answer.body && answer.body.findings));
      await plan.reload(id);
    } catch (error) {
      say(t("web.common.error", {detail: error.message}), true);
    }
  }

  function changes() {
    const out = {};
    const status = box.querySelector("#edit-status").value;
    const category = box.querySelector("#edit-category").value;
    const subtype = box.querySelector("#edit-subtype").value || null;
    const body = box.querySelector("#edit-body").value;
    const organisation = body ? Number(body) : null;
    if (status !== room.status) { out.status = status; }
    if (category !== room.category) { out.category = category; }
    if (subtype !== (room.subtype || null)) { out.subtype = subtype; }
    if (organisation !== (room.organisation_id ?? null)) { out.organisation_id = organisation; }
    return out;
  }

  async function save() {
    const changed = changes();
    if (!Object.keys(changed).length) { say(t("web.room_edit.nothing_changed")); return; }
    const id = room.id;
    const button = box.querySelector("#edit-save");
    button.disabled = true;
    try {
      const answer = await call(`/api/v1/rooms/${id}`, {
        method: "PATCH", headers: {"If-Match": etag}, json: {...changed, ...commonValues("edit")},
      });
      say(t("web.room_edit.saved"), false, findingsHtml(answer.body && answer.body.findings));
      await plan.reload(id);
    } catch (error) {
      if (error.status === 412) {
        stale(error.body);
        await plan.reload(id);
        return;
      }
      say(t("web.common.error", {detail: error.message}), true);
      button.disabled = false;
    }
  }

  /* Someone else changed the room since it was read: say so, show their values, and put them
     in the form (the floor reloads and with it the room's new ETag). */
  function stale(body) {
    keepTyped();
    const current = body && body.detail && body.detail.current;
    say(t("web.room_edit.stale"), true, current ? valuesHtml(current) : "");
    if (current) {
      room = Object.assign({}, room, current);
      etag = null;
      render();
    }
  }

  function keepTyped() {
    const inputs = ["date", "doc", "note"].map(k => box.querySelector(`#edit-${k}`));
    if (inputs.every(Boolean)) { typed = inputs.map(input => input.value); }
  }

  async function load(id) {
    const mine = ++ticket;
    if (GIS.asOf.value()) {
      box.innerHTML = `<p class="gis-muted" id="room-edit-past">${esc(t("web.room_edit.past", {date: GIS.asOf.value()}))}</p>`;
      return;
    }
    if (!room || String(room.id) !== String(id)) { flash = null; typed = null; } else { keepTyped(); }
    box.innerHTML = `<p class="gis-muted">${esc(t("web.common.loading"))}</p>`;
    try {
      const [answer, bodies] = await Promise.all([
        call(`/api/v1/rooms/${id}`),
        render.bodies ? Promise.resolve(null) : GIS.fetchJSON(`/api/v1/buildings/${plan.building.id}/bodies`),
      ]);
      if (mine !== ticket) { return; }
      if (bodies) { render.bodies = bodies.items.map(b => ({id: b.id, name: b.name})); }
      room = answer.body;
      etag = answer.etag;
      render();
    } catch (error) {
      if (mine !== ticket) { return; }
      room = null;
      etag = null;
      box.innerHTML = "";
      GIS.message(box, t("web.room_edit.cannot_load", {detail: error.message}), true);
    }
  }

  document.addEventListener("gis:room-selected", event => load(event.detail.id));
  document.addEventListener("gis:floor-shown", () => {
    if (!plan.selected()) { ticket++; room = null; etag = null; box.innerHTML = ""; }
  });

  return {
    call,
    commonHtml,
    commonValues,
    findingsHtml,
    options,
    statusLabel,
    categoryLabel,
    /* The room open in the form and its ETag (the split tool needs both). */
    current: () => (room ? {room, etag} : null),
    say,
  };
})();
