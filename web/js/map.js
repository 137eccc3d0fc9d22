/* The map browser: search, building colouring switch, and the building side panel with its
   facts, the bodies using it and its floors (each opening the floor-plan viewer). The date
   picker (as_of.js) shows the building's figures, and asks the tiles, for its date. */
"use strict";
(function () {
  const map = GIS.map();
  const data = GIS.data();
  const panel = document.getElementById("building-panel");
  const message = document.getElementById("map-message");
  const input = document.getElementById("map-search");
  const list = document.getElementById("map-search-results");
  let highlight = null;
  let shown = null;

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

  function outline(buildingIds) {
    if (highlight) { map.removeLayer(highlight); highlight = null; }
    if (!buildingIds || !buildingIds.length) { return Promise.resolve(null); }
    return Promise.all(buildingIds.slice(0, 50).map(id =>
      GIS.fetchJSON(`/api/v1/buildings/${id}`))).then(features => {
      highlight = L.geoJSON({type: "FeatureCollection", features}, {
        style: {color: "#111", weight: 4, fill: false, dashArray: "6 4"}, interactive: false,
      }).addTo(map);
      return highlight;
    });
  }

  async function showBuilding(id, fly) {
    shown = id;
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
      const layer = await outline([id]);
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

  async function showBody(item) {
    const layer = await outline(item.building_ids);
    panel.innerHTML = `<h3>${GIS.escape(GIS.t("web.map.body_title", {name: item.name, count: item.building_ids.length}))}</h3>`;
    if (layer) { map.fitBounds(layer.getBounds(), {maxZoom: 17, padding: [60, 60], animate: false}); }
  }

  let pending = null;
  async function search() {
    const q = input.value.trim();
    if (!q) { list.innerHTML = ""; return; }
    try {
      const answer = await GIS.fetchJSON(`/api/v1/search?q=${encodeURIComponent(q)}`);
      if (!answer.items.length) {
        list.innerHTML = `<li class="gis-muted">${GIS.escape(GIS.t("web.map.no_match", {q}))}</li>`;
        return;
      }
      list.innerHTML = answer.items.map((item, i) =>
        `<li><a href="#" data-i="${i}"><span class="gis-kind">${GIS.escape(GIS.t("web.map.kind." + item.kind))}</span> ` +
        `${GIS.escape(item.name)}</a> <span class="gis-muted">${GIS.escape(item.detail || "")}</span></li>`).join("");
      list.querySelectorAll("a[data-i]").forEach(a => a.addEventListener("click", event => {
        event.preventDefault();
        const item = answer.items[Number(a.dataset.i)];
        if (item.kind === "building") { showBuilding(item.id, true); } else { showBody(item); }
      }));
    } catch (error) {
      GIS.message(message, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }
  input.addEventListener("input", () => { clearTimeout(pending); pending = setTimeout(search, 250); });

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
      showBuilding(properties.id, false);
    }
  };

  // Each tiled layer is a stack of canvases that would swallow clicks meant for the layers
  // under it: only the buildings answer clicks here, the others show through.
  function passive(layer) {
    Object.entries(window.GIS_LAYERS || {}).forEach(([id, known]) => {
      if (known === (layer || known) && !id.startsWith("buildings") && known.getContainer()) {
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
    if (shown !== null) { showBuilding(shown, false); }
  });
  if (GIS.asOf.value()) { datedTiles(); }

  if (data.building) { showBuilding(data.building, true); }
  if (data.body) { showBody(data.body); }
})();
