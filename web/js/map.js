/* The map browser: search (as you type, Enter opens the first match), building colouring
   switch, and the side panel: a building's facts, bodies and floors (each opening the
   floor-plan viewer); a body's or campus's buildings and figures; a parcel clicked. The
   URL records the selection, the layers shown and the view (replaceState), so the address
   bar is always a link to what is on screen; the navigation's floor-plan link keeps the
   building. The date picker (as_of.js) shows the figures, and asks the tiles, for its date. */
"use strict";
(function () {
  const map = GIS.map();
  const data = GIS.data();
  const panel = document.getElementById("building-panel");
  const message = document.getElementById("map-message");
  const input = document.getElementById("map-search");
  const list = document.getElementById("map-search-results");
  let highlight = null;
  const selection = {building: null, body: null, campus: null};
  let selectionItem = null;
  const layers = window.GIS_LAYERS || {};

  function row(label, value, note) {
    if (value === null || value === undefined || value === "") { return ""; }
    const th = note ? `<th class="gis-note" title="${GIS.escape(note)}">` : "<th>";
    return `<tr>${th}${GIS.escape(label)}</th><td>${GIS.escape(value)}</td></tr>`;
  }
  function floorLabel(ordinal) {
    return ordinal < 0 ? GIS.t("web.map.below_b", {n: -ordinal})
      : GIS.t("web.map.above_f", {n: ordinal + 1});
  }
  function percent(rate) { return GIS.number(100 * (rate || 0), 1); }

  function drawOutline(features) {
    if (highlight) { map.removeLayer(highlight); highlight = null; }
    if (!features.length) { return null; }
    highlight = L.geoJSON({type: "FeatureCollection", features}, {
      style: {color: "#111", weight: 4, fill: false, dashArray: "6 4"}, interactive: false,
    }).addTo(map);
    return highlight;
  }
  async function outline(buildingIds) {
    const features = await Promise.all((buildingIds || []).slice(0, 50).map(id =>
      GIS.fetchJSON(`/api/v1/buildings/${id}`)));
    return {layer: drawOutline(features), features};
  }

  /* ---- the URL: selection, layers, view ---- */
  function select(kind, id) {
    Object.keys(selection).forEach(k => { selection[k] = k === kind ? id : null; });
    writeUrl();
  }
  function shownLayers() {
    return Object.keys(layers).filter(id => map.hasLayer(layers[id]));
  }
  function writeUrl() {
    const url = new URL(window.location.href);
    Object.entries(selection).forEach(([k, v]) => {
      if (v === null) { url.searchParams.delete(k); } else { url.searchParams.set(k, v); }
    });
    url.searchParams.set("layers", shownLayers().join(","));
    const c = map.getCenter();
    url.searchParams.set("view", `${c.lat.toFixed(6)},${c.lng.toFixed(6)},${map.getZoom()}`);
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    const floors = document.querySelector('.gis-nav a[data-page="floors"]');
    if (floors) {
      floors.href = GIS.withLang(selection.building !== null
        ? `/floor-plan?building=${selection.building}` : "/floor-plan");
    }
  }
  function readView(text) {
    const parts = (text || "").split(",").map(Number);
    const [lat, lon, zoom] = parts;
    const ok = parts.length === 3 && parts.every(Number.isFinite) && Math.abs(lat) <= 90 &&
      Math.abs(lon) <= 180 && zoom >= 0 && zoom <= map.getMaxZoom();
    return ok ? {lat, lon, zoom} : null;
  }
  function readLayers(text) {
    const wanted = new Set(text.split(",").filter(Boolean));
    Object.entries(layers).forEach(([id, layer]) => {
      if (wanted.has(id) && !map.hasLayer(layer)) { map.addLayer(layer); }
      if (!wanted.has(id) && map.hasLayer(layer)) { map.removeLayer(layer); }
    });
    const over = wanted.has("buildings_over_standard") && !wanted.has("buildings_vacancy");
    const radio = document.querySelector(`[name="colour"][value="${over ? "over_standard" : "vacancy"}"]`);
    if (radio) { radio.checked = true; }
  }

  async function showBuilding(id, fly) {
    select("building", id);
    GIS.message(panel, GIS.t("web.common.loading"));
    try {
      const [feature, summary, bodies] = await Promise.all([
        GIS.fetchJSON(`/api/v1/buildings/${id}`),
        GIS.fetchJSON(GIS.asOf.with(`/api/v1/analysis/buildings/${id}/summary`)),
        GIS.fetchJSON(`/api/v1/buildings/${id}/bodies`),
      ]);
      const p = feature.properties;
      const v = summary.vacancy || {};
      const o = summary.over_standard || {};
      const facts = [
        row(GIS.t("web.map.code"), p.code),
        row(GIS.t("web.map.address"), p.address),
        row(GIS.t("web.map.title_holder"), p.title_holder_name),
        row(GIS.t("web.map.safety"), p.safety_grade),
        row(GIS.t("web.map.floors_count"), `${p.floors_above}` + (p.floors_below ? ` / B${p.floors_below}` : "")),
        row(GIS.t("web.map.gfa"), p.gross_floor_area_m2 ? GIS.t("web.common.m2", {value: GIS.number(p.gross_floor_area_m2, 0)}) : ""),
        row(GIS.t("web.map.footprint"), GIS.t("web.common.m2", {value: GIS.number(p.footprint_area_m2, 0)})),
        row(GIS.t("web.map.year"), p.year_built),
        row(GIS.t("web.map.vacancy"), v.vacancy_rate !== undefined ? GIS.t("web.common.percent", {value: percent(v.vacancy_rate)}) : "",
          GIS.t("web.map.vacancy_note", {date: summary.as_of})),
        row(GIS.t("web.map.vacant_area"), v.vacant_area_m2 !== undefined ? GIS.t("web.common.m2", {value: GIS.number(v.vacant_area_m2, 1)}) : ""),
        row(GIS.t("web.map.over_rooms"), o.over_standard_rooms ?? 0),
        row(GIS.t("web.map.over_area"), GIS.t("web.common.m2", {value: GIS.number(o.excess_m2 || 0, 1)})),
        row(GIS.t("web.map.findings"), summary.data_quality_findings, GIS.t("web.map.findings_note",
          {date: summary.as_of, bodies: summary.data_quality_findings_of_bodies})),
      ].join("");
      const bodyRows = bodies.items.map(b =>
        `<li><a href="${GIS.withLang("/map?body=" + b.id)}">${GIS.escape(b.name)}</a> ` +
        `<span class="gis-muted">${GIS.escape(GIS.t("web.map.body_rooms", {
          rooms: b.rooms, area: GIS.number(b.usable_area_m2, 0)}))}</span></li>`).join("");
      const floors = summary.floors.slice().sort((a, b) => b.ordinal - a.ordinal).map(f =>
        `<li><a class="gis-floor-link" href="${GIS.withLang(GIS.asOf.with(`/floor-plan?building=${id}&level=${f.ordinal}`))}">` +
        `${GIS.escape(GIS.t("web.map.floor_row", {label: f.name || floorLabel(f.ordinal), rate: percent(f.vacancy_rate)}))}</a></li>`
      ).join("");
      panel.innerHTML = `<h3 id="building-name">${GIS.escape(p.name)}</h3>` +
        `<table class="gis-table gis-facts" id="building-facts">${facts}</table>` +
        `<p class="gis-muted" id="building-as-of">${GIS.escape(GIS.t("web.as_of.shown", {date: summary.as_of}))}</p>` +
        `<div id="building-safety"></div>` +
        `<h3>${GIS.escape(GIS.t("web.map.bodies"))}</h3>` +
        `<ul class="gis-list">${bodyRows || GIS.escape(GIS.t("web.map.none"))}</ul>` +
        `<h3>${GIS.escape(GIS.t("web.map.floors"))}</h3><ul class="gis-list" id="building-floors">${floors}</ul>`;
      showSafety(id, panel.querySelector("#building-safety"));
      const {layer} = await outline([id]);
      if (fly && layer) { map.fitBounds(layer.getBounds(), {maxZoom: 18, padding: [60, 60], animate: false}); }
    } catch (error) {
      GIS.message(panel, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }

  /* A C/D building people still work in: what to do and, per body, the nearest idle space
     (GET …/relocation); an overdue appraisal. Nothing for a building without findings. */
  function candidateText(c) {
    const values = {building: c.building_name, floor: c.rooms.length ? c.rooms[0].floor_name : "",
      offices: c.offices, area: GIS.number(c.picked_area_m2, 1), distance: GIS.number(c.distance_m, 0)};
    return GIS.t(c.unit === "floor" ? "web.map.safety.candidate" : "web.map.safety.candidate_building", values);
  }
  async function showSafety(id, box) {
    try {
      const report = await GIS.fetchJSON(GIS.asOf.with(`/api/v1/analysis/safety?building_id=${id}&only_flagged=false`));
      const b = report.items[0];
      if (!b || (!b.severity && !b.appraisal_overdue)) { return; }
      const lines = [];
      if (b.severity) {
        lines.push(`<p class="gis-safety-${b.severity}">${GIS.escape(GIS.t("web.map.safety.danger", {
          grade: b.safety_grade, people: b.people, rooms: b.rooms, area: GIS.number(b.area_m2, 1)}))}</p>`);
      }
      if (b.appraisal_overdue) {
        lines.push(`<p class="gis-safety-warning">${GIS.escape(GIS.t("web.map.safety.overdue", {
          date: b.safety_appraised_on, years: b.appraisal_years}))}</p>`);
      }
      lines.push(`<p id="building-safety-action">${GIS.escape(GIS.t("web.map.safety.action", {action: b.action}))}</p>`);
      box.innerHTML = `<h3>${GIS.escape(GIS.t("web.map.safety.heading"))}</h3>${lines.join("")}`;
      if (!b.relocation_url) { return; }
      const moves = await GIS.fetchJSON(GIS.asOf.with(b.relocation_url));
      const options = group => group.candidates.map(c => `<li>${GIS.escape(candidateText(c))}</li>`).join("")
        || `<li class="gis-muted">${GIS.escape(GIS.t("web.map.safety.no_candidate", {distance: GIS.number(moves.max_distance_m, 0)}))}</li>`;
      const floors = body => body.by_floor.map(f => `<li>${GIS.escape(GIS.t("web.map.safety.floor", {
        floor: f.floor_name, people: f.people, offices: f.offices, area: GIS.number(f.area_m2, 1)}))}` +
        `<ul>${options(f)}</ul></li>`).join("");
      const bodies = moves.bodies.map(body =>
        `<li>${GIS.escape(GIS.t("web.map.safety.body", {name: body.name, people: body.people,
          offices: body.offices, area: GIS.number(body.area_m2, 1)}))}` +
        `<ul>${body.by_floor.length ? floors(body) : options(body)}</ul></li>`).join("");
      box.insertAdjacentHTML("beforeend", `<h3>${GIS.escape(GIS.t("web.map.safety.relocation"))}</h3>` +
        `<ul class="gis-list" id="building-relocation">${bodies}</ul>`);
    } catch (error) {
      GIS.message(box, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }

  function fact(label, value) { return row(label, value); }
  function m2(value) {
    return value === null || value === undefined ? "" : GIS.t("web.common.m2", {value: GIS.number(value, 0)});
  }
  function buildingList(features) {
    return `<h3>${GIS.escape(GIS.t("web.map.x.buildings", {count: features.length}))}</h3>` +
      `<ul class="gis-list" id="group-buildings">` + features.map(f =>
        `<li><a href="${GIS.withLang("/map?building=" + f.id)}" data-building="${f.id}">` +
        `${GIS.escape(f.properties.name)}</a> <span class="gis-muted">${GIS.escape(f.properties.code)}</span></li>`
      ).join("") + "</ul>";
  }
  function wireBuildingList() {
    panel.querySelectorAll("a[data-building]").forEach(a => a.addEventListener("click", event => {
      event.preventDefault();
      showBuilding(Number(a.dataset.building), true);
    }));
  }
  function fit(layer, fly) {
    if (fly && layer) { map.fitBounds(layer.getBounds(), {maxZoom: 17, padding: [60, 60], animate: false}); }
  }

  /* A body: its buildings, its figures (staff, office area against its quota, vacancy) and
     the dashboard for it. */
  async function showBody(item, fly) {
    select("body", item.id);
    selectionItem = item;
    GIS.message(panel, GIS.t("web.common.loading"));
    try {
      const [{layer, features}, summary] = await Promise.all([
        outline(item.building_ids),
        GIS.fetchJSON(GIS.asOf.with(`/api/v1/analysis/bodies/${item.id}/summary`)),
      ]);
      const q = summary.quota || {};
      const v = summary.vacancy || {};
      const staff = q.staff_count === undefined ? "" : `${q.staff_count}` +
        (q.authorised_staff ? ` / ${q.authorised_staff}` : "");
      const facts = [
        fact(GIS.t("web.map.x.staff"), staff),
        fact(GIS.t("web.map.x.office_area"), m2(q.office_m2)),
        fact(GIS.t("web.map.x.office_quota"), m2(q.office_quota_m2)),
        fact(GIS.t("web.map.x.over_standard"), q.over_standard === undefined ? ""
          : GIS.t(q.over_standard ? "web.map.x.yes" : "web.map.x.no")),
        fact(GIS.t("web.map.x.unoccupied"), m2(v.unoccupied_area_m2)),
        fact(GIS.t("web.map.vacancy"), v.vacancy_rate === undefined ? ""
          : GIS.t("web.common.percent", {value: percent(v.vacancy_rate)})),
        fact(GIS.t("web.map.over_rooms"), summary.over_standard_rooms_in_subtree),
        fact(GIS.t("web.map.findings"), summary.data_quality_findings_in_subtree),
      ].join("");
      panel.innerHTML = `<h3 id="group-name">${GIS.escape(GIS.t("web.map.x.body_heading", {name: item.name}))}</h3>` +
        `<table class="gis-table gis-facts" id="group-facts">${facts}</table>` +
        `<p><a id="group-dashboard" href="${GIS.withLang(GIS.asOf.with("/dashboard?body=" + item.id))}">` +
        `${GIS.escape(GIS.t("web.map.x.dashboard"))}</a></p>` + buildingList(features);
      wireBuildingList();
      fit(layer, fly);
    } catch (error) {
      GIS.message(panel, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }

  /* A campus: its buildings and its vacancy by usable area. */
  async function showCampus(id, fly) {
    select("campus", id);
    GIS.message(panel, GIS.t("web.common.loading"));
    try {
      const [buildings, report] = await Promise.all([
        GIS.fetchJSON(`/api/v1/buildings?campus_id=${id}&limit=500`),
        GIS.fetchJSON(GIS.asOf.with(`/api/v1/analysis/vacancy?level=campus&campus_id=${id}`)),
      ]);
      const c = report.items[0] || {};
      const features = buildings.features;
      const facts = [
        fact(GIS.t("web.map.code"), c.code),
        fact(GIS.t("web.map.x.allocatable"), m2(c.allocatable_area_m2)),
        fact(GIS.t("web.map.vacant_area"), m2(c.vacant_area_m2)),
        fact(GIS.t("web.map.vacancy"), c.vacancy_rate === undefined ? ""
          : GIS.t("web.common.percent", {value: percent(c.vacancy_rate)})),
      ].join("");
      panel.innerHTML = `<h3 id="group-name">${GIS.escape(GIS.t("web.map.x.campus_title", {name: c.name || id}))}</h3>` +
        `<table class="gis-table gis-facts" id="group-facts">${facts}</table>` + buildingList(features);
      wireBuildingList();
      fit(drawOutline(features), fly);
    } catch (error) {
      GIS.message(panel, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }

  /* A parcel under a click that no building took (with the parcel layer on). */
  async function showParcel(latlng) {
    const d = 1e-6;
    const bbox = [latlng.lng - d, latlng.lat - d, latlng.lng + d, latlng.lat + d].map(v => v.toFixed(7));
    try {
      const answer = await GIS.fetchJSON(`/api/v1/layers/parcels_landuse/features?bbox=${bbox.join(",")}&limit=1`);
      const f = answer.features[0];
      if (!f) { GIS.message(panel, GIS.t("web.map.x.parcel_none")); return; }
      const p = f.properties;
      const en = GIS.data().lang === "en";
      const facts = [
        fact(GIS.t("web.map.code"), p.parcel_code),
        fact(GIS.t("web.map.x.land_use"), `${p.landuse_code} ${(en ? p.landuse_name_en : p.landuse_name_zh) || ""}`),
        fact(GIS.t("web.map.x.scheme"), p.landuse_scheme),
        fact(GIS.t("web.map.x.area"), m2(p.area_m2)),
        fact(GIS.t("web.map.x.status"), p.status),
        fact(GIS.t("web.map.x.district"), p.district),
      ].join("");
      panel.innerHTML = `<h3 id="parcel-name">${GIS.escape(GIS.t("web.map.x.parcel_title", {code: p.parcel_code}))}</h3>` +
        `<table class="gis-table gis-facts" id="parcel-facts">${facts}</table>` +
        `<p><a href="${GIS.withLang("/land")}">${GIS.escape(GIS.t("web.map.x.land_link"))}</a></p>`;
      drawOutline([f]);
    } catch (error) {
      GIS.message(panel, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }
  /* The building tiles' canvas keeps its clicks from the map, so a click that no building
     took is caught on the map's element: not on a control, not the end of a drag. */
  let featureClicked = 0;
  map.getContainer().addEventListener("click", event => {
    const parcels = layers.parcels_landuse;
    if (!parcels || !map.hasLayer(parcels) || Date.now() - featureClicked < 300) { return; }
    if (event.target.closest(".leaflet-control, .leaflet-popup, .leaflet-marker-icon")) { return; }
    if ((map.dragging && map.dragging.moved()) || (map.pm && map.pm.globalDrawModeEnabled())) { return; }
    showParcel(map.mouseEventToLatLng(event));
  });

  let pending = null;
  let found = [];
  function open(item) {
    if (item.kind === "building") { showBuilding(item.id, true); }
    else if (item.kind === "campus") { showCampus(item.id, true); }
    else { showBody(item, true); }
  }
  async function search() {
    const q = input.value.trim();
    found = [];
    if (!q) { list.innerHTML = ""; return; }
    try {
      const answer = await GIS.fetchJSON(`/api/v1/search?q=${encodeURIComponent(q)}`);
      found = answer.items;
      if (!answer.items.length) {
        list.innerHTML = `<li class="gis-muted">${GIS.escape(GIS.t("web.map.no_match", {q}))}</li>`;
        return;
      }
      list.innerHTML = answer.items.map((item, i) =>
        `<li><a href="#" data-i="${i}"><span class="gis-kind">${GIS.escape(GIS.t("web.map.kind." + item.kind))}</span> ` +
        `${GIS.escape(item.name)}</a> <span class="gis-muted">${GIS.escape(item.detail || "")}</span></li>`).join("");
      list.querySelectorAll("a[data-i]").forEach(a => a.addEventListener("click", event => {
        event.preventDefault();
        open(answer.items[Number(a.dataset.i)]);
      }));
    } catch (error) {
      GIS.message(message, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }
  input.addEventListener("input", () => { clearTimeout(pending); pending = setTimeout(search, 250); });
  input.addEventListener("keydown", async event => {
    if (event.key !== "Enter") { return; }
    event.preventDefault();
    clearTimeout(pending);
    await search();
    if (found.length) { open(found[0]); }
  });

  function colourBy(mode) {
    const layers = window.GIS_LAYERS || {};
    const show = mode === "over_standard" ? "buildings_over_standard" : "buildings_vacancy";
    const hide = mode === "over_standard" ? "buildings_vacancy" : "buildings_over_standard";
    if (layers[hide] && map.hasLayer(layers[hide])) { map.removeLayer(layers[hide]); }
    if (layers[show] && !map.hasLayer(layers[show])) { map.addLayer(layers[show]); }
  }
  document.querySelectorAll('[name="colour"]').forEach(r =>
    r.addEventListener("change", () => colourBy(r.value)));
  const safetyBox = document.querySelector('[name="safety-layer"]');
  function showSafetyLayer() {
    const layer = (window.GIS_LAYERS || {}).buildings_safety;
    if (!layer) { return; }
    if (safetyBox.checked) { map.addLayer(layer); } else { map.removeLayer(layer); }
  }
  if (safetyBox) { safetyBox.addEventListener("change", showSafetyLayer); }

  window.GIS_onFeatureClick = function (layerId, properties) {
    if (layerId.startsWith("buildings") && properties && properties.id !== undefined) {
      featureClicked = Date.now();
      showBuilding(properties.id, false);
    }
  };

  // Each tiled layer is a stack of canvases that would swallow clicks meant for the layers
  // under it: only the buildings answer clicks here, the others show through.
  function passive(layer) {
    Object.entries(window.GIS_LAYERS || {}).forEach(([id, known]) => {
      if (known === (layer || known) && !id.startsWith("buildings") &&
          typeof known.getContainer === "function" && known.getContainer()) {
        known.getContainer().classList.add("gis-passive");
      }
    });
  }
  passive(null);
  map.on("layeradd", e => passive(e.layer));

  /* The tiles are asked for the chosen date too (a tile URL without one is today). */
  function datedTiles() {
    Object.values(window.GIS_LAYERS || {}).forEach(layer => {
      if (typeof layer.setUrl !== "function" || !layer._url || !layer._url.includes("/tiles/")) { return; }
      layer.setUrl(GIS.asOf.with(layer._url.replace(/[?&]as_of=[^&]*/, "")));
    });
  }
  GIS.asOf.onChange(() => {
    datedTiles();
    if (selection.building !== null) { showBuilding(selection.building, false); }
    if (selection.body !== null && selectionItem) { showBody(selectionItem, false); }
    if (selection.campus !== null) { showCampus(selection.campus, false); }
  });
  if (GIS.asOf.value()) { datedTiles(); }

  GIS.mapTools.home(map, data.home);
  GIS.mapTools.loading(map, Object.values(layers));
  GIS.mapTools.measure(map);
  GIS.mapTools.labels(map);
  GIS.mapTools.compactLayers(map);

  const params = new URL(window.location.href).searchParams;
  if (params.has("layers")) { readLayers(params.get("layers")); }
  const view = readView(params.get("view"));
  if (params.has("view") && !view) {
    GIS.message(message, GIS.t("web.map.x.bad_view", {value: params.get("view")}), true);
  }
  if (view) { map.setView([view.lat, view.lon], view.zoom, {animate: false}); }
  const campus = /^\d{1,10}$/.test(params.get("campus") || "") ? Number(params.get("campus")) : null;
  if (data.building) { showBuilding(data.building, !view); }
  else if (data.body) { showBody(data.body, !view); }
  else if (campus !== null) { showCampus(campus, !view); }
  map.on("moveend overlayadd overlayremove", writeUrl);
  writeUrl();
})();
