/* 云查地 / 智能选地: the form becomes a request to the land API; the answer is drawn on the
   map (coloured by score) and listed with each parcel's explanation. */
"use strict";
(function () {
  const RAMP = ["#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"];
  const form = document.getElementById("land-form");
  const summary = document.getElementById("land-summary");
  const results = document.getElementById("land-results");
  const detail = document.getElementById("land-detail");
  const excludedBox = document.getElementById("land-excluded");
  const downloads = document.getElementById("land-downloads");
  const map = GIS.map();
  let layer = null;
  let lastRequest = null;
  const byId = new Map();

  function values(name) {
    return Array.from(form.querySelectorAll(`[name="${name}"]:checked`)).map(e => e.value);
  }
  function num(name) {
    const input = form.elements[name];
    if (!input || input.value === "") { return null; }
    return Number(input.value);
  }
  function mode() { return values("mode")[0] || "selection"; }

  function criteria() {
    const c = {};
    const scheme = form.elements.scheme.value;
    const classes = Array.from(
      form.querySelectorAll(`.land-classes[data-scheme="${scheme}"] input:checked`)
    ).map(e => e.value);
    if (classes.length) { c.landuse = {scheme, codes: classes}; }
    const status = values("status");
    if (status.length) { c.status = status; }
    const min = num("area_min"), max = num("area_max");
    if (min !== null && max !== null && min > max) { throw new Error(GIS.t("web.land.bad_area")); }
    if (min !== null || max !== null) { c.area_m2 = {min, max}; }
    if (form.elements.district.value) { c.district = form.elements.district.value; }
    const distances = [];
    if (num("metro_within") !== null) {
      distances.push({to: "station", station_modes: ["metro"], within_m: num("metro_within")});
    }
    if (num("road_within") !== null) {
      distances.push({to: "road", within_m: num("road_within")});
    }
    if (distances.length) { c.distances = distances; }
    const constraints = [];
    const avoid = values("avoid");
    if (avoid.length) { constraints.push({kinds: avoid, mode: "avoid"}); }
    if (values("inside_urban").length) {
      constraints.push({kinds: ["urban_boundary"], mode: "intersect"});
    }
    if (constraints.length) { c.constraints = constraints; }
    const rasters = [];
    if (num("slope_max") !== null) { rasters.push({raster: "dem_slope", stat: "mean", max: num("slope_max")}); }
    if (num("flood_max") !== null) { rasters.push({raster: "flood_depth", stat: "max", max: num("flood_max")}); }
    if (rasters.length) { c.rasters = rasters; }
    return c;
  }

  function selection() {
    const data = GIS.data();
    const scores = [], weights = [];
    function add(weight, score) {
      if (weight !== null && weight > 0) { scores.push(score); weights.push(weight); }
    }
    add(num("w_metro"), {
      name: GIS.t("web.land.w_metro"), measure: "distance",
      distance: {to: "station", station_modes: ["metro"]},
      normalise: {shape: "linear_down", low: 0, high: 2000},
    });
    if (data.hasSlope) {
      add(num("w_slope"), {
        name: GIS.t("web.land.w_slope"), measure: "raster", raster: "dem_slope",
        normalise: {shape: "linear_down", low: 0, high: 15},
      });
    }
    if (data.hasFlood) {
      add(num("w_flood"), {
        name: GIS.t("web.land.w_flood"), measure: "raster", raster: "flood_depth", stat: "max",
        normalise: {shape: "linear_down", low: 0, high: 1},
      });
    }
    const ideal = num("ideal_area") || 50000;
    add(num("w_area"), {
      name: GIS.t("web.land.w_area"), measure: "area",
      normalise: {shape: "ideal", ideal, tolerance: ideal},
    });
    return {exclude: criteria(), scores, weights: {values: weights}, limit: 100, excluded_limit: 30};
  }

  function colour(score) {
    const s = Math.max(0, Math.min(1, Number(score) || 0));
    return RAMP[Math.min(RAMP.length - 1, Math.floor(s * RAMP.length))];
  }

  function draw(collection, scored) {
    if (layer) { map.removeLayer(layer); }
    byId.clear();
    layer = L.geoJSON(collection, {
      style: f => ({
        color: "#333", weight: 1, fillOpacity: 0.75,
        fillColor: scored ? colour(f.properties.score) : "#e6550d",
      }),
      onEachFeature: (f, l) => {
        byId.set(String(f.id), l);
        l.on("click", () => show(f));
        l.bindTooltip(GIS.escape(f.properties.parcel_code), {sticky: true});
      },
    }).addTo(map);
    if (collection.features.length) {
      map.fitBounds(layer.getBounds(), {padding: [30, 30], maxZoom: 17, animate: false});
    }
  }

  function table(features, scored) {
    if (!features.length) { results.innerHTML = ""; return; }
    const head = (scored ? ["rank"] : []).concat(["parcel_code", "landuse_name_zh", "measured_m2"])
      .concat(scored ? ["score"] : []);
    const rows = features.map(f => {
      const p = f.properties;
      const cells = head.map(k => {
        const numeric = k === "measured_m2" || k === "score" || k === "rank";
        const value = k === "measured_m2" ? GIS.number(p[k], 0)
          : k === "score" ? GIS.number(p[k], 3) : GIS.escape(p[k]);
        return `<td${numeric ? " class=\"num\"" : ""}>${value}</td>`;
      }).join("");
      return `<tr data-id="${GIS.escape(f.id)}">${cells}</tr>`;
    }).join("");
    const th = head.map(k => `<th>${GIS.escape(GIS.t("land.column." + k))}</th>`).join("");
    results.innerHTML = `<table class="gis-table" id="land-table"><thead><tr>${th}</tr></thead>` +
      `<tbody>${rows}</tbody></table>`;
    const features_by_id = new Map(features.map(f => [String(f.id), f]));
    results.querySelectorAll("tbody tr").forEach(tr => tr.addEventListener("click", () => {
      const f = features_by_id.get(tr.dataset.id);
      show(f);
      const l = byId.get(tr.dataset.id);
      if (l) { map.fitBounds(l.getBounds(), {maxZoom: 17, padding: [60, 60], animate: false}); }
    }));
  }

  function show(feature) {
    const p = feature.properties;
    results.querySelectorAll("tr.selected").forEach(tr => tr.classList.remove("selected"));
    const row = results.querySelector(`tr[data-id="${CSS.escape(String(feature.id))}"]`);
    if (row) { row.classList.add("selected"); }
    byId.forEach((l, id) => l.setStyle({weight: id === String(feature.id) ? 4 : 1}));
    let html = `<h3>${GIS.escape(GIS.t("web.land.detail_title", {code: p.parcel_code}))}</h3>`;
    if (p.explanation) { html += `<p>${GIS.escape(p.explanation)}</p>`; }
    if (Array.isArray(p.criteria) && p.criteria.length) {
      const cols = ["criterion", "raw", "score", "weight", "contribution"];
      html += "<table class=\"gis-table\"><thead><tr>" +
        cols.map(c => `<th>${GIS.escape(GIS.t("web.land." + c))}</th>`).join("") +
        "</tr></thead><tbody>" + p.criteria.map(c =>
          `<tr><td>${GIS.escape(c.name)}</td><td class="num">${GIS.escape(
            typeof c.value === "number" ? GIS.number(c.value, 1) : c.value)}</td>` +
          `<td class="num">${GIS.number(c.score, 2)}</td><td class="num">${GIS.number(c.weight, 3)}</td>` +
          `<td class="num">${GIS.number(c.contribution, 3)}</td></tr>`).join("") +
        "</tbody></table>";
    }
    detail.innerHTML = html;
  }

  function excluded(rows) {
    if (!rows || !rows.length) { excludedBox.innerHTML = ""; return; }
    excludedBox.innerHTML = `<h3>${GIS.escape(GIS.t("web.land.excluded_title"))}</h3>` +
      "<table class=\"gis-table\" id=\"land-excluded-table\"><tbody>" + rows.map(r =>
        `<tr><td>${GIS.escape(r.parcel_code)}</td><td>${GIS.escape(r.explanation)}</td></tr>`
      ).join("") + "</tbody></table>";
  }

  async function run(event) {
    event.preventDefault();
    const scored = mode() === "selection";
    const url = scored ? "/api/v1/land/site-selection" : "/api/v1/land/search";
    results.innerHTML = detail.innerHTML = excludedBox.innerHTML = "";
    downloads.hidden = true;
    try {
      const body = scored ? selection() : Object.assign(criteria(), {limit: 200});
      GIS.message(summary, GIS.t("web.land.running"));
      const answer = await GIS.fetchJSON(url + "?format=geojson", {json: body});
      lastRequest = {url, body};
      draw(answer, scored);
      table(answer.features, scored);
      const shown = answer.features.length;
      if (!shown) {
        GIS.message(summary, GIS.t("web.land.none"));
      } else if (scored) {
        const names = body.scores.map((s, i) => `${s.name} ${GIS.number(answer.weights.values[i], 3)}`);
        summary.innerHTML = `<div class="gis-message">${GIS.escape(GIS.t("web.land.ranked", {
          count: answer.numberMatched, excluded: answer.excludedMatched, shown}))}<br>` +
          `${GIS.escape(GIS.t("web.land.weights_used", {weights: names.join("，")}))}</div>`;
      } else {
        GIS.message(summary, GIS.t("web.land.found", {count: answer.numberMatched, shown}));
      }
      if (scored) { excluded(answer.excluded); }
      downloads.hidden = !shown;
    } catch (error) {
      if (layer) { map.removeLayer(layer); layer = null; }
      GIS.message(summary, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }

  async function download(format) {
    if (!lastRequest) { return; }
    const response = await fetch(`${lastRequest.url}?format=${format}`, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept-Language": GIS.data().lang},
      body: JSON.stringify(lastRequest.body),
    });
    if (!response.ok) { GIS.message(summary, GIS.t("web.common.error", {detail: response.statusText}), true); return; }
    const blob = await response.blob();
    const name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name ? name[1] : `land.${format}`;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  form.elements.scheme.addEventListener("change", () => {
    form.querySelectorAll(".land-classes").forEach(div => {
      div.hidden = div.dataset.scheme !== form.elements.scheme.value;
    });
  });
  form.querySelectorAll('[name="mode"]').forEach(r => r.addEventListener("change", () => {
    document.getElementById("weights").hidden = mode() !== "selection";
  }));
  downloads.querySelectorAll("button").forEach(b =>
    b.addEventListener("click", () => download(b.dataset.format)));
  form.addEventListener("submit", run);

  const prefill = GIS.data().prefill;
  if (prefill) {
    form.querySelector('[name="mode"][value="search"]').checked = true;
    document.getElementById("weights").hidden = true;
    if (prefill.district) { form.elements.district.value = prefill.district; }
    if (prefill.status.length) {
      form.querySelectorAll('[name="status"]').forEach(box => {
        box.checked = prefill.status.includes(box.value);
      });
    }
    form.querySelectorAll('[name="avoid"], [name="inside_urban"]').forEach(box => { box.checked = false; });
    if (form.elements.slope_max) { form.elements.slope_max.value = ""; }
    form.requestSubmit();
  }
})();
