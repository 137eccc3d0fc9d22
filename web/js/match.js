/* 闲置房源调剂匹配: the form becomes a match request; the ranked candidates are listed with
   their tier and drawn on the map, one candidate's rooms are shown on click, the request is
   held against the body's office quota, and a user with the right records the chosen
   candidate as a reallocation (调剂). */
"use strict";
(function () {
  const COLOURS = {own: "#1a9850", system: "#1f5fa8", other: "#7b3294"};
  const data = GIS.data();
  const form = document.getElementById("match-form");
  const summary = document.getElementById("match-summary");
  const quotaBox = document.getElementById("match-quota");
  const results = document.getElementById("match-results");
  const detail = document.getElementById("match-detail");
  const map = GIS.map();
  let layer = null;
  let origin = null;
  let asked = null;
  const byRank = new Map();

  function num(name) {
    const input = form.elements[name];
    return input.value === "" ? null : Number(input.value);
  }

  function request() {
    const lon = num("lon"), lat = num("lat");
    if ((lon === null) !== (lat === null)) { throw new Error(GIS.t("web.match.bad_origin")); }
    const body = {
      organisation_id: Number(form.elements.organisation_id.value),
      area_m2: num("area_m2"),
      rooms: {office: num("offices") ?? 0, meeting: num("meetings") ?? 0},
      max_distance_m: num("max_distance_m") ?? 5000,
    };
    if (lon !== null) { body.location = {lon, lat}; }
    return body;
  }

  function tierBadge(tier) {
    return `<span class="match-tier ${GIS.escape(tier)}">${GIS.escape(GIS.t("match.tier." + tier))}</span>`;
  }

  function showOrigin(point) {
    if (origin) { map.removeLayer(origin); }
    origin = L.circleMarker([point.lat, point.lon], {
      radius: 7, color: "#c0392b", weight: 2, fillColor: "#fff", fillOpacity: 1,
    }).bindTooltip(GIS.escape(GIS.t("web.match.origin"))).addTo(map);
  }

  function draw(collection) {
    if (layer) { map.removeLayer(layer); }
    byRank.clear();
    /* Floors of one building share its footprint: the best ranked is drawn last, on top. */
    const ranked = Object.assign({}, collection, {features: collection.features.slice().reverse()});
    layer = L.geoJSON(ranked, {
      style: f => ({
        color: "#222", weight: 1, fillOpacity: 0.7, fillColor: COLOURS[f.properties.tier] || "#999",
      }),
      onEachFeature: (f, l) => {
        byRank.set(String(f.id), l);
        l.on("click", () => show(f));
        l.bindTooltip(GIS.escape(`${f.properties.rank}. ${f.properties.building_name}`), {sticky: true});
      },
    }).addTo(map);
    if (collection.features.length) {
      map.fitBounds(layer.getBounds().extend(origin.getLatLng()),
        {padding: [40, 40], maxZoom: 17, animate: false});
    }
    origin.bringToFront();
  }

  function place(p) {
    const floor = p.unit === "floor" && p.rooms.length ? " " + p.rooms[0].floor_name : "";
    return p.building_name + floor;
  }

  function table(features) {
    if (!features.length) { results.innerHTML = ""; return; }
    const cols = ["rank", "tier", "place", "picked_area_m2", "distance_m"];
    const th = cols.map(c => `<th${c === "tier" || c === "place" ? "" : " class=\"num\""}>` +
      `${GIS.escape(GIS.t("web.match.column." + c))}</th>`).join("");
    const rows = features.map(f => {
      const p = f.properties;
      return `<tr data-rank="${GIS.escape(f.id)}"><td class="num">${GIS.escape(p.rank)}</td>` +
        `<td>${tierBadge(p.tier)}</td><td>${GIS.escape(place(p))}</td>` +
        `<td class="num">${GIS.number(p.picked_area_m2, 1)}</td>` +
        `<td class="num">${GIS.number(p.distance_m, 0)}</td></tr>`;
    }).join("");
    results.innerHTML = `<table class="gis-table" id="match-table"><thead><tr>${th}</tr></thead>` +
      `<tbody>${rows}</tbody></table>`;
    const byId = new Map(features.map(f => [String(f.id), f]));
    results.querySelectorAll("tbody tr").forEach(tr => tr.addEventListener("click", () => {
      show(byId.get(tr.dataset.rank));
      const l = byRank.get(tr.dataset.rank);
      if (l) { map.fitBounds(l.getBounds(), {maxZoom: 18, padding: [60, 60], animate: false}); }
    }));
  }

  function quota(q) {
    const over = q.over_by_m2 > 0;
    const rows = ["office_quota_m2", "office_m2", "requested_m2", "after_m2"].map(k =>
      `<tr><th>${GIS.escape(GIS.t("web.match.quota." + k))}</th>` +
      `<td class="num">${GIS.number(q[k], 1)} m²</td></tr>`).join("");
    const verdict = over
      ? `<p class="over" id="match-over">${GIS.escape(GIS.t("web.match.quota.over", {m2: GIS.number(q.over_by_m2, 1)}))}</p>`
      : `<p class="within" id="match-over">${GIS.escape(GIS.t("web.match.quota.within"))}</p>`;
    quotaBox.innerHTML = `<h3>${GIS.escape(GIS.t("web.match.quota.title"))}</h3>` +
      `<table class="gis-table">${rows}</table>${verdict}`;
  }

  function candidateQuota(p) {
    const over = p.quota_over_by_m2 > 0;
    const verdict = over
      ? GIS.t("web.match.candidate_over", {m2: GIS.number(p.quota_over_by_m2, 1)})
      : GIS.t("web.match.candidate_within");
    return `<p id="match-candidate-quota">${GIS.escape(GIS.t("web.match.candidate_quota", {
      gained: GIS.number(p.gained_m2, 1), after: GIS.number(p.quota_after_m2, 1)}))} ` +
      `<span class="${over ? "over" : "within"}">${GIS.escape(verdict)}</span></p>`;
  }

  function reallocForm() {
    if (!data.canReallocate) { return ""; }
    const today = new Date().toISOString().slice(0, 10);
    return `<form class="gis-form" id="match-realloc" autocomplete="off" novalidate>` +
      `<h3>${GIS.escape(GIS.t("web.match.realloc.title"))}</h3><div class="row">` +
      `<div><label for="realloc-date">${GIS.escape(GIS.t("web.match.realloc.effective_date"))}</label>` +
      `<input id="realloc-date" name="effective_date" type="date" value="${today}" max="${today}"></div>` +
      `<div><label for="realloc-doc">${GIS.escape(GIS.t("web.match.realloc.document_no"))}</label>` +
      `<input id="realloc-doc" name="document_no" type="text" maxlength="100"></div></div>` +
      `<label for="realloc-note">${GIS.escape(GIS.t("web.match.realloc.note"))}</label>` +
      `<input id="realloc-note" name="note" type="text" maxlength="500">` +
      `<button type="submit" class="gis-button" id="realloc-run">${GIS.escape(GIS.t("web.match.realloc.run"))}</button>` +
      `<div id="realloc-result" role="status"></div></form>`;
  }

  function show(feature) {
    const p = feature.properties;
    results.querySelectorAll("tr.selected").forEach(tr => tr.classList.remove("selected"));
    const row = results.querySelector(`tr[data-rank="${CSS.escape(String(feature.id))}"]`);
    if (row) { row.classList.add("selected"); }
    byRank.forEach((l, id) => l.setStyle({weight: id === String(feature.id) ? 4 : 1}));
    const chosen = byRank.get(String(feature.id));
    if (chosen) { chosen.bringToFront(); }
    if (origin) { origin.bringToFront(); }
    const rooms = p.rooms.map(r =>
      `<tr><td>${GIS.escape(r.number)}</td><td>${GIS.escape(r.floor_name)}</td>` +
      `<td class="num">${GIS.number(r.usable_area_m2, 1)}</td><td>${tierBadge(r.tier)}</td></tr>`
    ).join("");
    const heads = ["number", "floor", "area", "tier"].map(c =>
      `<th${c === "area" ? " class=\"num\"" : ""}>${GIS.escape(GIS.t("web.match.room." + c))}</th>`).join("");
    detail.innerHTML =
      `<h3>${GIS.escape(GIS.t("web.match.detail_title", {rank: p.rank, place: place(p)}))} ${tierBadge(p.tier)}</h3>` +
      `<p>${GIS.escape(p.explanation)}</p>` + candidateQuota(p) +
      `<table class="gis-table" id="match-rooms"><thead><tr>${heads}</tr></thead><tbody>${rooms}</tbody>` +
      `<tfoot><tr><th colspan="2">${GIS.escape(GIS.t("web.match.room.total"))}</th>` +
      `<th class="num">${GIS.number(p.picked_area_m2, 1)}</th><th></th></tr></tfoot></table>` +
      reallocForm();
    const realloc = document.getElementById("match-realloc");
    if (realloc) { realloc.addEventListener("submit", event => reallocate(event, p)); }
  }

  async function reallocate(event, candidate) {
    event.preventDefault();
    const box = document.getElementById("realloc-result");
    const f = event.target.elements;
    const body = {
      organisation_id: asked.organisation_id,
      room_ids: candidate.rooms.map(r => r.room_id),
      request: asked,
      candidate,
    };
    if (f.effective_date.value) { body.effective_date = f.effective_date.value; }
    if (f.document_no.value.trim()) { body.document_no = f.document_no.value.trim(); }
    if (f.note.value.trim()) { body.note = f.note.value.trim(); }
    try {
      const answer = await GIS.fetchJSON(data.reallocateApi, {json: body});
      GIS.message(box, GIS.t("web.match.realloc.done", {id: answer.id, rooms: answer.rooms.length}));
      event.target.querySelector("button").disabled = true;
      box.scrollIntoView({block: "nearest"});
    } catch (error) {
      GIS.message(box, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }

  async function run(event) {
    event.preventDefault();
    results.innerHTML = detail.innerHTML = quotaBox.innerHTML = "";
    try {
      const body = request();
      GIS.message(summary, GIS.t("web.match.running"));
      const answer = await GIS.fetchJSON(data.api + "?format=geojson", {json: body});
      asked = body;
      showOrigin(answer.origin);
      draw(answer);
      table(answer.features);
      quota(answer.quota);
      const count = answer.features.length;
      GIS.message(summary, count ? GIS.t("web.match.found", {count}) : GIS.t("web.match.none"));
      if (count) { show(answer.features[0]); }
      summary.scrollIntoView({block: "start"});
    } catch (error) {
      if (layer) { map.removeLayer(layer); layer = null; }
      GIS.message(summary, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }

  map.on("click", event => {
    form.elements.lon.value = event.latlng.lng.toFixed(6);
    form.elements.lat.value = event.latlng.lat.toFixed(6);
    showOrigin({lon: event.latlng.lng, lat: event.latlng.lat});
  });
  document.getElementById("match-clear-origin").addEventListener("click", () => {
    form.elements.lon.value = form.elements.lat.value = "";
    if (origin) { map.removeLayer(origin); origin = null; }
  });
  form.addEventListener("submit", run);
})();
