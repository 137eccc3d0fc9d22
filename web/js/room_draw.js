/* The floor plan's drawing tools (edit right only), with Leaflet-Geoman (web/vendor):
   "draw room" draws a polygon and POSTs it to /api/v1/floors/{floor_id}/rooms with its number,
   category and status; "split room" draws a line across the selected room and POSTs it to
   /api/v1/rooms/{id}/split with the room's ETag. Either reloads the floor. */
"use strict";
(function () {
  const data = GIS.data();
  const t = GIS.t;
  const esc = GIS.escape;
  const box = document.getElementById("edit-tools");
  const plan = GIS.floorPlan;
  const edit = GIS.roomEdit;
  if (!box || !plan || !edit || !window.L || !L.PM) { return; }
  const map = plan.map;
  if (!map.pm) {  /* the map was made before Geoman loaded (both scripts are deferred) */
    map.pm = new L.PM.Map(map);
    map.pm.setGlobalOptions({});
  }
  map.pm.setLang(data.lang === "en" ? "en" : "zh");
  let mode = null;    /* "room" or "split" while drawing or filling in the form */
  let drawn = null;   /* the layer just drawn, kept on the map until saved or cancelled */

  function tools() {
    const selected = edit.current();
    box.innerHTML =
      `<div class="gis-tool-row" role="toolbar" aria-label="${esc(t("web.room_edit.tools"))}">` +
      `<button type="button" id="tool-draw-room">${esc(t("web.room_edit.draw_room"))}</button> ` +
      `<button type="button" id="tool-split-room"${selected ? "" : " disabled"} ` +
      `title="${esc(t("web.room_edit.split_hint"))}">${esc(t("web.room_edit.split_room"))}</button></div>` +
      `<div id="tool-message" role="status"></div>`;
    box.querySelector("#tool-draw-room").addEventListener("click", () => start("room"));
    box.querySelector("#tool-split-room").addEventListener("click", () => start("split"));
    if (GIS.asOf.value()) { box.querySelectorAll("button").forEach(b => { b.disabled = true; }); }
  }

  function start(kind) {
    const current = plan.floor();
    if (!current) { return; }
    if (kind === "split" && !edit.current()) { return; }
    stop();
    mode = kind;
    plan.drawing = true;
    map.pm.enableDraw(kind === "room" ? "Polygon" : "Line", {snappable: true, snapDistance: 12});
    const hint = kind === "room" ? t("web.room_edit.drawing_room")
      : t("web.room_edit.drawing_split", {number: edit.current().room.number});
    box.innerHTML = `<p class="gis-muted" id="tool-hint">${esc(hint)}</p>` +
      `<button type="button" id="tool-finish">${esc(t("web.room_edit.finish"))}</button> ` +
      `<button type="button" id="tool-cancel">${esc(t("web.room_edit.cancel"))}</button>`;
    box.querySelector("#tool-finish").addEventListener("click", finish);
    box.querySelector("#tool-cancel").addEventListener("click", () => { stop(); tools(); });
  }

  function finish() {
    const shape = mode === "room" ? "Polygon" : "Line";
    const draw = map.pm.Draw[shape];
    if (draw && draw._enabled) { draw._finishShape(); }
  }

  function stop() {
    if (map.pm.globalDrawModeEnabled()) { map.pm.disableDraw(); }
    if (drawn) { map.removeLayer(drawn); drawn = null; }
    mode = null;
    plan.drawing = false;
  }

  map.on("pm:create", event => {
    if (!mode) { map.removeLayer(event.layer); return; }
    drawn = event.layer;
    if (mode === "room") { roomForm(); } else { splitForm(); }
  });

  function roomForm() {
    box.innerHTML = `<form id="draw-room-form" class="gis-form gis-edit-form">` +
      `<h4>${esc(t("web.room_edit.new_room", {level: plan.floor().label}))}</h4>` +
      `<div id="draw-message" role="status"></div>` +
      `<label for="draw-number">${esc(t("web.room_edit.number"))}</label>` +
      `<input type="text" id="draw-number" maxlength="20" required>` +
      `<label for="draw-category">${esc(t("web.room_edit.category"))}</label>` +
      `<select id="draw-category">${edit.options(data.roomCategories, edit.categoryLabel, "office")}</select>` +
      `<label for="draw-status">${esc(t("web.room_edit.status"))}</label>` +
      `<select id="draw-status">${edit.options(data.roomStatuses, edit.statusLabel, "vacant")}</select>` +
      edit.commonHtml("draw") +
      `<button type="submit" id="draw-save" class="gis-primary">${esc(t("web.room_edit.save"))}</button> ` +
      `<button type="button" id="draw-cancel">${esc(t("web.room_edit.cancel"))}</button></form>`;
    bindForm("#draw-room-form", "#draw-cancel", saveRoom);
    box.querySelector("#draw-number").focus();
  }

  function splitForm() {
    if (!edit.current()) { stop(); tools(); return; }
    const room = edit.current().room;
    box.innerHTML = `<form id="split-form" class="gis-form gis-edit-form">` +
      `<h4>${esc(t("web.room_edit.split_title", {number: room.number}))}</h4>` +
      `<div id="draw-message" role="status"></div>` +
      `<label for="split-number-a">${esc(t("web.room_edit.split_numbers"))}</label>` +
      `<div class="row"><input type="text" id="split-number-a" maxlength="20" placeholder="${esc(room.number)}">` +
      `<input type="text" id="split-number-b" maxlength="20"></div>` +
      edit.commonHtml("split") +
      `<button type="submit" id="split-save" class="gis-primary">${esc(t("web.room_edit.split_save"))}</button> ` +
      `<button type="button" id="draw-cancel">${esc(t("web.room_edit.cancel"))}</button></form>`;
    bindForm("#split-form", "#draw-cancel", saveSplit);
  }

  function bindForm(form, cancel, action) {
    box.querySelector(form).addEventListener("submit", event => { event.preventDefault(); action(); });
    box.querySelector(cancel).addEventListener("click", () => { stop(); tools(); });
  }

  function problem(error) {
    GIS.message(box.querySelector("#draw-message"), t("web.common.error", {detail: error.message}), true);
  }

  async function saveRoom() {
    const floor = plan.floor();
    const json = {
      number: box.querySelector("#draw-number").value.trim(),
      category: box.querySelector("#draw-category").value,
      status: box.querySelector("#draw-status").value,
      geometry: drawn.toGeoJSON().geometry,
      crs: "CRS84",
      ...edit.commonValues("draw"),
    };
    try {
      const answer = await edit.call(`/api/v1/floors/${floor.id}/rooms`, {json});
      stop();
      tools();
      GIS.message(box.querySelector("#tool-message"), t("web.room_edit.room_created", {number: json.number}));
      await plan.reload(answer.body && answer.body.id);
    } catch (error) {
      problem(error);
    }
  }

  async function saveSplit() {
    const {room, etag} = edit.current();
    const a = box.querySelector("#split-number-a").value.trim();
    const b = box.querySelector("#split-number-b").value.trim();
    const json = {line: drawn.toGeoJSON().geometry, crs: "CRS84", ...edit.commonValues("split")};
    if (a || b) { json.numbers = [a || room.number, b || `${room.number}-2`]; }
    try {
      const answer = await edit.call(`/api/v1/rooms/${room.id}/split`,
        {json, headers: etag ? {"If-Match": etag} : {}});
      stop();
      tools();
      GIS.message(box.querySelector("#tool-message"), t("web.room_edit.room_split", {number: room.number}));
      const rooms = (answer.body && answer.body.rooms) || [];
      await plan.reload(rooms.length ? rooms[0].id : null);
    } catch (error) {
      if (error.status === 412) {
        GIS.message(box.querySelector("#draw-message"), t("web.room_edit.stale"), true);
        return;
      }
      problem(error);
    }
  }

  document.addEventListener("gis:room-loaded", () => { if (!mode) { tools(); } });
  document.addEventListener("gis:floor-shown", () => { if (!mode) { tools(); } });
  GIS.asOf.onChange(() => { stop(); tools(); });
  tools();
})();
