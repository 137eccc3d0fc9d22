/* 云查地 / 智能选地: the form becomes a request to the land API; the answer is drawn on the
   map (coloured by score, with a legend of score bands and the ranks in each) and listed in
   the results column beside the map (below it on a phone, scrolled to) with each parcel's
   explanation. The form checks its own fields and says what is wrong next to the field in
   the page's language (no browser bubble); every run starts with no message left over. */
"use strict";
(function () {
  const RAMP = ["#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"];
  const FOUND = "#e6550d";
  const NOTES = {measured_m2: "web.land.note.measured_m2", score: "web.land.note.score"};
  const data = GIS.data();
  const form = document.getElementById("land-form");
  const formMessage = document.getElementById("land-form-message");
  const pane = document.getElementById("land-results-pane");
  const summary = document.getElementById("land-summary");
  const legendBox = document.getElementById("land-legend");
  const results = document.getElementById("land-results");
  const detail = document.getElementById("land-detail");
  const excludedBox = document.getElementById("land-excluded");
  const downloads = document.getElementById("land-downloads");
  const map = GIS.map();
  let layer = null;
  let lastRequest = null;
  const byId = new Map();
  const MEASURES = {
    metro: {
      measure: "distance", distance: {to: "station", station_modes: ["metro"]},
      normalise: {shape: "linear_down", low: 0, high: 2000},
    },
    slope: {measure: "raster", raster: "dem_slope", normalise: {shape: "linear_down", low: 0, high: 15}},
    flood: {
      measure: "raster", raster: "flood_depth", stat: "max",
      normalise: {shape: "linear_down", low: 0, high: 1},
    },
  };

  /* The results are a column of their own: beside the panel on a wide screen, after the
     map on a narrow one (web/css/land.css). */
  document.getElementById("panel").after(pane);

  function values(name) {
    return Array.from(form.querySelectorAll(`[name="${name}"]:checked`)).map(e => e.value);
  }
  function num(name) {
    const input = form.elements[name];
    if (!input || input.value === "") { return null; }
    return Number(input.value);
  }
  function mode() { return values("mode")[0] || "selection"; }

  function fieldName(input) {
    const label = form.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    return label ? label.childNodes[0].textContent.trim() : input.name;
  }
  function clearField(input) {
    input.setCustomValidity("");
    input.removeAttribute("aria-invalid");
    const note = input.nextElementSibling;
    if (note && note.classList.contains("land-field-error")) { note.remove(); }
  }
  function fieldError(input, text) {
    input.setCustomValidity(text);
    input.setAttribute("aria-invalid", "true");
    const note = document.createElement("div");
    note.className = "land-field-error";
    note.setAttribute("role", "alert");
    note.textContent = text;
    input.after(note);
  }
  function problem(input) {
    const v = input.validity;
    const field = fieldName(input);
    if (v.badInput) { return GIS.t("web.land.invalid.number", {field}); }
    if (v.rangeUnderflow) { return GIS.t("web.land.invalid.min", {field, min: GIS.number(input.min)}); }
    if (v.rangeOverflow) { return GIS.t("web.land.invalid.max", {field, max: GIS.number(input.max)}); }
    return null;
  }
  /* Every visible number field within its bounds, the area range in order, some weight
     above 0 (something to score by); the first wrong field gets the focus. */
  function validate() {
    const wrong = [];
    form.querySelectorAll('input[type="number"]').forEach(input => {
      clearField(input);
      if (input.closest("[hidden]")) { return; }
      const text = problem(input);
      if (text) { fieldError(input, text); wrong.push(input); }
    });
    const min = num("area_min"), max = num("area_max");
    if (!wrong.length && min !== null && max !== null && min > max) {
      fieldError(form.elements.area_max, GIS.t("web.land.bad_area"));
      wrong.push(form.elements.area_max);
    }
    const weighted = data.criteria.some(k => (num("w_" + k) || 0) > 0);
    if (!wrong.length && mode() === "selection" && !ahp() && !weighted) {
      const first = form.elements["w_" + data.criteria[0]];
      fieldError(first, GIS.t("web.land.invalid.no_weight"));
      wrong.push(first);
    }
    if (wrong.length) { wrong[0].focus(); }
    return !wrong.length;
  }

  function criteria() {
    const c = {};
    const scheme = form.elements.scheme.value;
    const classes = Array.from(
      form.querySelectorAll(`.land-classes[data-scheme="${CSS.escape(scheme)}"] input:checked`)
    ).map(e => e.value);
    if (classes.length) { c.landuse = {scheme, codes: classes}; }
    const status = values("status");
    if (status.length) { c.status = status; }
    const min = num("area_min"), max = num("area_max");
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

  function scored(key) {
    const name = GIS.t("web.land.w_" + key);
    if (key === "area") {
      const ideal = num("ideal_area") || data.idealArea;
      return {name, measure: "area", normalise: {shape: "ideal", ideal, tolerance: ideal}};
    }
    return Object.assign({name}, MEASURES[key]);
  }
  function ratio(text) {
    const [top, bottom] = text.split("/");
    return bottom ? Number(top) / Number(bottom) : Number(top);
  }
  /* Saaty's reciprocal matrix from the judgements of the pairs (a over b, a before b). */
  function pairwise(keys) {
    return keys.map((a, i) => keys.map((b, j) => {
      if (i === j) { return 1; }
      const judged = ratio(form.elements[i < j ? `ahp_${a}_${b}` : `ahp_${b}_${a}`].value);
      return i < j ? judged : 1 / judged;
    }));
  }
  function ahp() { return values("weighting")[0] === "ahp"; }

  function selection() {
    const keys = ahp() ? data.criteria : data.criteria.filter(k => (num("w_" + k) || 0) > 0);
    const weights = ahp() ? {ahp: pairwise(keys)} : {values: keys.map(k => num("w_" + k))};
    return {exclude: criteria(), scores: keys.map(scored), weights, limit: 100, excluded_limit: 30};
  }

  function bin(score) {
    const s = Math.max(0, Math.min(1, Number(score) || 0));
    return Math.min(RAMP.length - 1, Math.floor(s * RAMP.length));
  }

  function draw(collection, scored) {
    if (layer) { map.removeLayer(layer); }
    byId.clear();
    layer = L.geoJSON(collection, {
      style: f => ({
        color: "#333", weight: 1, fillOpacity: 0.75,
        fillColor: scored ? RAMP[bin(f.properties.score)] : FOUND,
      }),
      onEachFeature: (f, l) => {
        byId.set(String(f.id), l);
        l.on("click", () => show(f));
        const p = f.properties;
        const tip = scored ? GIS.t("web.land.rank_tooltip", {
          rank: p.rank, code: p.parcel_code, score: GIS.number(p.score, 3)}) : p.parcel_code;
        l.bindTooltip(GIS.escape(tip), {sticky: true});
      },
    }).addTo(map);
    if (collection.features.length) {
      map.fitBounds(layer.getBounds(), {padding: [30, 30], maxZoom: 17, animate: false});
    }
  }

  /* The score bands of the colour ramp, best first, each with the ranks drawn in it. */
  function legend(features, scored) {
    if (!features.length) { legendBox.innerHTML = ""; return; }
    const swatch = colour => `<span class="land-swatch" style="background:${colour}"></span>`;
    if (!scored) {
      legendBox.innerHTML = `<div class="land-legend">${swatch(FOUND)} ` +
        `${GIS.escape(GIS.t("web.land.legend_found"))}</div>`;
      return;
    }
    const rows = RAMP.map((colour, i) => {
      const ranks = features.filter(f => bin(f.properties.score) === i).map(f => f.properties.rank);
      const first = Math.min(...ranks), last = Math.max(...ranks);
      const label = !ranks.length ? GIS.t("web.land.legend_none")
        : first === last ? GIS.t("web.land.legend_rank", {rank: first})
          : GIS.t("web.land.legend_ranks", {first, last});
      const band = GIS.t("web.land.legend_scores",
        {low: GIS.number(i / RAMP.length, 1), high: GIS.number((i + 1) / RAMP.length, 1)});
      return `<tr data-band="${i}"><td>${swatch(colour)}</td><td>${GIS.escape(band)}</td>` +
        `<td class="land-ranks">${GIS.escape(label)}</td></tr>`;
    }).reverse().join("");
    legendBox.innerHTML = `<h3>${GIS.escape(GIS.t("web.land.legend_title"))}</h3>` +
      `<table class="gis-table land-legend" id="land-legend-table"><tbody>${rows}</tbody></table>`;
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
        const colour = k === "score" ? `<span class="land-swatch" style="background:${RAMP[bin(p.score)]}"></span>` : "";
        return `<td${numeric ? " class=\"num\"" : ""}>${colour}${value}</td>`;
      }).join("");
      return `<tr data-id="${GIS.escape(f.id)}">${cells}</tr>`;
    }).join("");
    const th = head.map(k => {
      const note = NOTES[k] ? ` class="gis-note" title="${GIS.escape(GIS.t(NOTES[k], {date: data.today}))}"` : "";
      return `<th${note}>${GIS.escape(GIS.t("land.column." + k))}</th>`;
    }).join("");
    results.innerHTML = `<table class="gis-table" id="land-table"><thead><tr>${th}</tr></thead>` +
      `<tbody>${rows}</tbody></table>`;
    const featuresById = new Map(features.map(f => [String(f.id), f]));
    results.querySelectorAll("tbody tr").forEach(tr => tr.addEventListener("click", () => {
      show(featuresById.get(tr.dataset.id));
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
      html += "<table class=\"gis-table\" id=\"land-criteria\"><thead><tr>" +
        cols.map(c => `<th>${GIS.escape(GIS.t("web.land." + c))}</th>`).join("") +
        "</tr></thead><tbody>" + p.criteria.map(c =>
          `<tr><td>${GIS.escape(c.name)}</td><td class="num">${GIS.escape(c.value_text)}</td>` +
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

  /* What the weights came to: each criterion's weight and, for AHP, the consistency. */
  function weightsText(answer) {
    const w = answer.weights;
    const names = w.names.map((name, i) => `${name} ${GIS.number(w.values[i], 3)}`).join("，");
    if (w.method !== "ahp") { return [GIS.t("web.land.weights_used", {weights: names})]; }
    const cr = GIS.number(w.consistency_ratio, 3);
    return [
      GIS.t("web.land.weights_ahp", {weights: names}),
      GIS.t(w.consistent ? "web.land.consistency_ok" : "web.land.consistency_bad", {cr}),
    ];
  }

  function showPane() {
    pane.hidden = false;
    document.body.classList.add("land-has-results");
    map.invalidateSize({animate: false});
  }
  function hidePane() {
    pane.hidden = true;
    document.body.classList.remove("land-has-results");
    map.invalidateSize({animate: false});
  }

  function answered(answer, scored) {
    showPane();
    draw(answer, scored);
    table(answer.features, scored);
    legend(answer.features, scored);
    const shown = answer.features.length;
    if (!shown) {
      GIS.message(summary, GIS.t("web.land.none"));
    } else if (scored) {
      const lines = [GIS.t("web.land.ranked", {
        count: answer.numberMatched, excluded: answer.excludedMatched, shown})].concat(weightsText(answer));
      summary.innerHTML = `<div class="gis-message${answer.weights.consistent === false ? " warn" : ""}" id="land-weights">` +
        lines.map(GIS.escape).join("<br>") + "</div>";
    } else {
      GIS.message(summary, GIS.t("web.land.found", {count: answer.numberMatched, shown}));
    }
    if (scored) { excluded(answer.excluded); }
    downloads.hidden = !shown;
    pane.scrollTop = 0;
    pane.scrollIntoView({block: "start"});
  }

  async function run(event) {
    event.preventDefault();
    formMessage.innerHTML = "";
    summary.innerHTML = legendBox.innerHTML = results.innerHTML = "";
    detail.innerHTML = excludedBox.innerHTML = "";
    downloads.hidden = true;
    if (!validate()) { return; }
    const scored = mode() === "selection";
    const url = scored ? "/api/v1/land/site-selection" : "/api/v1/land/search";
    const body = scored ? selection() : Object.assign(criteria(), {limit: 200});
    GIS.message(formMessage, GIS.t("web.land.running"));
    try {
      const answer = await GIS.fetchJSON(url + "?format=geojson", {json: body});
      formMessage.innerHTML = "";
      lastRequest = {url, body};
      answered(answer, scored);
    } catch (error) {
      if (layer) { map.removeLayer(layer); layer = null; }
      hidePane();
      GIS.message(formMessage, GIS.t("web.common.error", {detail: error.message}), true);
    }
  }

  async function download(format) {
    if (!lastRequest) { return; }
    const response = await fetch(`${lastRequest.url}?format=${format}`, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept-Language": data.lang},
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
  form.querySelectorAll('[name="weighting"]').forEach(r => r.addEventListener("change", () => {
    document.getElementById("land-direct").hidden = ahp();
    document.getElementById("land-ahp").hidden = !ahp();
  }));
  /* A preset value's "default" mark stays only while the value is the preset one. */
  function markDefault(input) {
    const label = input.closest("label") || form.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    const mark = label && label.querySelector(".land-default");
    if (!mark) { return; }
    const preset = input.type === "checkbox" || input.type === "radio" ? input.checked === input.defaultChecked
      : input.tagName === "SELECT" ? input.selectedOptions[0].defaultSelected : input.value === input.defaultValue;
    mark.hidden = !preset;
  }
  function changed(event) {
    if (event.target.matches('input[type="number"]')) { clearField(event.target); }
    form.querySelectorAll("input[data-default], select").forEach(markDefault);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  downloads.querySelectorAll("button").forEach(b =>
    b.addEventListener("click", () => download(b.dataset.format)));
  form.addEventListener("submit", run);

  const prefill = data.prefill;
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
    form.requestSubmit();
  }
})();
