/* The dashboard: fetch /api/v1/dashboard, fill the KPI cards and draw one Chart.js chart per
   [data-chart]; a bar (or a row of the chart's data table) opens its building or body on the
   map. The data-quality count comes last, from its own request: on a province it is slow.
   The date picker (as_of.js) loads the figures of its date. */
"use strict";
(function () {
  const data = GIS.data();
  const root = document.getElementById("dashboard");
  const message = document.getElementById("dash-message");
  const COLOURS = {
    vacancy: "#1f5fa8", unoccupied: "#2e86c1", excess: "#c0392b", office: "#c0392b",
    service: "#e67e22", equipment: "#8e6c0b", idle: "#d35400", reserved: "#2874a6",
    in_use: "#aab7b8",
  };
  const LABEL_CHARS = 14;

  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.color = "#222";
  Chart.defaults.animation = false;

  const t = (key, values) => GIS.t("web.dashboard." + key, values);
  const whole = value => GIS.number(value, 0);
  const m2 = (value, digits) => GIS.number(value || 0, digits ?? 0);
  const ha = value => GIS.number((value || 0) / 10000, 1);
  const percent = rate => GIS.t("web.common.percent", {value: GIS.number(100 * (rate || 0), 1)});
  const short = text => (text.length > LABEL_CHARS ? text.slice(0, LABEL_CHARS - 1) + "…" : text);

  function setKpi(name, value, sub, warn) {
    const card = root.querySelector(`[data-kpi="${name}"]`);
    card.querySelector(".value").textContent = value;
    card.querySelector(".sub").textContent = sub || "";
    card.classList.toggle("warn", Boolean(warn));
  }

  function fillKpis(s) {
    setKpi("buildings", whole(s.buildings),
      t("kpi.buildings_sub", {campuses: whole(s.campuses), area: m2(s.floor_area_m2)}));
    setKpi("bodies", whole(s.bodies), t("kpi.bodies_sub", {offices: whole(s.occupied_offices)}));
    setKpi("usable_area", m2(s.usable_area_m2), t("kpi.usable_area_sub",
      {office: m2(s.office_area_m2), allocatable: m2(s.allocatable_area_m2)}));
    setKpi("vacancy_rate", s.vacancy_rate === null ? "–" : percent(s.vacancy_rate),
      t("kpi.vacancy_rate_sub", {area: m2(s.vacant_area_m2), rooms: whole(s.vacant_rooms)}));
    setKpi("over_standard_rooms", whole(s.over_standard_rooms),
      t("kpi.over_standard_rooms_sub", {area: m2(s.over_standard_area_m2, 1)}),
      s.over_standard_rooms > 0);
    setKpi("bodies_over_quota", whole(s.bodies_over_office_quota),
      t("kpi.bodies_over_quota_sub", {count: whole(s.bodies_over_quota)}),
      s.bodies_over_office_quota > 0);
    setKpi("idle_parcels", whole(s.idle_parcels), t("kpi.idle_parcels_sub",
      {area: ha(s.idle_parcel_area_m2), reserved: whole(s.reserved_parcels)}));
  }

  const byName = r => r.name;
  const byLabel = r => r.label;
  const buildingTitle = r => `${r.name}（${r.code}）`;
  const overArea = (r, kind) => (r[kind + "_over"] ? r[kind + "_excess_m2"] : 0);
  const area = value => GIS.t("web.common.m2", {value: m2(value, 1)});
  const parcels = (count, m2Area) => t("tip.parcels", {count: whole(count), area: ha(m2Area)});
  const labelled = (key, detail) => t("legend", {label: t(key), detail});

  /* How each chart reads its rows: bar label and tooltip title, series (value, colour), the
     value in its data table, a tooltip line, and the value axis (unit, maximum). */
  const SPECS = {
    vacancy_by_building: {
      label: byName, title: buildingTitle, unit: "%", max: 100,
      series: [{key: "vacancy_rate", colour: COLOURS.vacancy, value: r => 100 * r.vacancy_rate}],
      cell: r => percent(r.vacancy_rate),
      tip: r => t("tip.vacancy",
        {vacant: m2(r.vacant_area_m2, 1), allocatable: m2(r.allocatable_area_m2, 1)}),
    },
    over_standard_by_body: {
      label: byName, title: byName, unit: " m²", stacked: true,
      series: ["office", "service", "equipment"].map(kind =>
        ({key: kind, colour: COLOURS[kind], value: r => overArea(r, kind)})),
      cell: r => area(r.over_standard_area_m2),
    },
    vacancy_by_body: {
      label: byName, title: byName, unit: "%", max: 100,
      series: [{key: "unoccupied_rate", colour: COLOURS.unoccupied,
        value: r => 100 * r.vacancy_rate}],
      cell: r => percent(r.vacancy_rate),
      tip: r => t("tip.unoccupied",
        {unoccupied: m2(r.unoccupied_area_m2, 1), office: m2(r.office_area_m2, 1)}),
    },
    over_standard_by_building: {
      label: byName, title: buildingTitle, unit: " m²",
      series: [{key: "excess", colour: COLOURS.excess, value: r => r.excess_m2}],
      cell: r => area(r.excess_m2),
      tip: r => t("tip.over_rooms",
        {rooms: whole(r.over_standard_rooms), area: m2(r.excess_m2, 1)}),
    },
    parcels_by_district: {
      label: byLabel, title: byLabel, unit: "", vertical: true,
      series: ["idle", "reserved"].map(status =>
        ({key: status, colour: COLOURS[status], value: r => r[status + "_area_m2"] / 10000})),
      cell: r => [
        labelled("series.idle", parcels(r.idle_parcels, r.idle_area_m2)),
        labelled("series.reserved", parcels(r.reserved_parcels, r.reserved_area_m2)),
      ].join(" · "),
    },
    parcels_by_status: {
      label: byLabel, title: byLabel, doughnut: true,
      cell: r => parcels(r.parcels, r.area_m2),
    },
  };

  function openOnMap(rows, elements) {
    const row = elements.length ? rows[elements[0].index] : null;
    if (row && row.map_url) { window.location.href = GIS.withLang(row.map_url); }
  }

  function interaction(rows) {
    return {
      onClick: (event, elements) => openOnMap(rows, elements),
      onHover: (event, elements) => {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      },
    };
  }

  function barConfig(rows, spec) {
    const value = spec.vertical ? "y" : "x";
    const category = spec.vertical ? "x" : "y";
    return {
      type: "bar",
      data: {
        labels: rows.map(spec.label),
        datasets: spec.series.map(s => ({
          label: t("series." + s.key), data: rows.map(s.value), backgroundColor: s.colour,
          maxBarThickness: 22,
        })),
      },
      options: {
        indexAxis: category,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          [value]: {
            beginAtZero: true, max: spec.max, stacked: spec.stacked,
            ticks: {callback: v => GIS.number(v, 1) + (spec.unit || "")},
          },
          [category]: {
            stacked: spec.stacked,
            ticks: {autoSkip: false, callback(v) { return short(this.getLabelForValue(v)); }},
          },
        },
        plugins: {
          legend: {display: spec.series.length > 1},
          tooltip: {callbacks: {
            title: items => spec.title(rows[items[0].dataIndex]),
            label: item => `${item.dataset.label}: ${GIS.number(item.parsed[value], 1)}`,
            afterBody: items => (spec.tip ? spec.tip(rows[items[0].dataIndex]) : ""),
          }},
        },
        ...interaction(rows),
      },
    };
  }

  function doughnutConfig(rows, spec) {
    return {
      type: "doughnut",
      data: {
        labels: rows.map(r => t("legend", {label: spec.label(r), detail: spec.cell(r)})),
        datasets: [{
          label: t("series.parcels"), data: rows.map(r => r.parcels),
          backgroundColor: rows.map(r => COLOURS[r.status] || COLOURS.in_use),
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: {position: "right"},
          tooltip: {callbacks: {label: item => item.label}},
        },
        ...interaction(rows),
      },
    };
  }

  function fillTable(figure, rows, spec) {
    const head = `<tr><th>${GIS.escape(t("column.name"))}</th>`
      + `<th class="num">${GIS.escape(t("column.value"))}</th></tr>`;
    const link = r =>
      `<a href="${GIS.escape(GIS.withLang(r.map_url))}">${GIS.escape(spec.title(r))}</a>`;
    figure.querySelector("table").innerHTML = head + rows.map(r =>
      `<tr><td>${link(r)}</td><td class="num">${GIS.escape(spec.cell(r))}</td></tr>`).join("");
  }

  function draw(name, chart) {
    const figure = root.querySelector(`[data-chart="${name}"]`);
    const spec = SPECS[name];
    const rows = chart.rows;
    fillTable(figure, rows, spec);
    if (!rows.length || (spec.doughnut && !rows.some(r => r.parcels))) {
      const old = Chart.getChart(figure.querySelector("canvas"));
      if (old) { old.destroy(); }
      GIS.message(figure.querySelector(".dash-canvas"), GIS.t("web.common.empty"));
      figure.querySelector("details").hidden = true;
      figure.dataset.empty = "true";
      return;
    }
    const holder = figure.querySelector(".dash-canvas");
    if (!holder.querySelector("canvas")) {  /* an empty chart of another date left a message */
      holder.innerHTML = `<canvas id="chart-${name}" role="img" aria-labelledby="title-${name}"></canvas>`;
    }
    figure.querySelector("details").hidden = false;
    delete figure.dataset.empty;
    const canvas = holder.querySelector("canvas");
    const old = Chart.getChart(canvas);
    if (old) { old.destroy(); }
    new Chart(canvas, spec.doughnut ? doughnutConfig(rows, spec) : barConfig(rows, spec));
  }

  /* The safety block: buildings by grade, people in occupied C/D buildings, overdue
     appraisals, and the occupied C/D buildings (D first) linking to the map. */
  const GRADE_COLOURS = {A: "#1a9641", B: "#a6d96a", C: "#ffb000", D: "#d7191c", none: "#bdbdbd"};
  function renderSafety(safety) {
    const box = document.getElementById("dash-safety");
    const grade = g => (g === "none" ? t("safety.grade_none") : t("safety.grade", {grade: g}));
    box.querySelector('[data-safety="grades"]').innerHTML = ["A", "B", "C", "D", "none"]
      .filter(g => g !== "none" || safety.grades.none)
      .map(g => `<span class="dash-grade" data-grade="${g}">` +
        `<i style="background:${GRADE_COLOURS[g]}"></i>${GIS.escape(grade(g))} ` +
        `<b>${GIS.escape(whole(safety.grades[g] || 0))}</b></span>`).join("");
    const occupied = safety.occupied;
    const card = (name, value, sub, warn) => {
      const el = box.querySelector(`[data-safety="${name}"]`);
      el.querySelector(".value").textContent = value;
      if (sub !== null) { el.querySelector(".sub").textContent = sub; }
      el.classList.toggle("warn", warn);
    };
    card("occupied", whole(occupied.buildings), t("safety.occupied_sub", {buildings:
      whole(occupied.buildings), people: whole(occupied.people), area: m2(occupied.area_m2, 1)}),
      occupied.buildings > 0);
    box.querySelector('[data-safety="overdue"] .label').textContent =
      t("safety.overdue", {years: safety.appraisal_years});
    card("overdue", whole(safety.overdue), null, safety.overdue > 0);
    const head = ["building", "grade", "people", "area", "bodies", "action"]
      .map(c => `<th${["people", "area"].includes(c) ? ' class="num"' : ""}>` +
        `${GIS.escape(t("safety.column." + c))}</th>`).join("");
    const rows = safety.buildings.map(r => `<tr class="dash-safety-${r.severity}">` +
      `<td><a href="${GIS.escape(GIS.withLang(r.map_url))}">${GIS.escape(buildingTitle(r))}</a></td>` +
      `<td>${GIS.escape(r.safety_grade)}</td><td class="num">${GIS.escape(whole(r.people))}</td>` +
      `<td class="num">${GIS.escape(m2(r.area_m2, 1))}</td>` +
      `<td>${GIS.escape(r.bodies.map(b => b.name).join("、"))}</td>` +
      `<td>${GIS.escape(r.action)}</td></tr>`).join("");
    box.querySelector('[data-safety="buildings"]').innerHTML = rows
      ? `<tr>${head}</tr>${rows}` : `<tr><td>${GIS.escape(t("safety.none"))}</td></tr>`;
    box.querySelector('[data-safety="report"]').href = safety.report_url;
    box.querySelector('[data-safety="overdue-report"]').href = safety.overdue_report_url;
  }

  async function loadDataQuality(url) {
    const card = root.querySelector('[data-kpi="data_quality"]');
    card.querySelector(".sub").textContent = GIS.t("web.common.loading");
    try {
      const found = await GIS.fetchJSON(url);
      setKpi("data_quality", whole(found.data_quality_findings), t("kpi.data_quality_sub"),
        found.data_quality_findings > 0);
    } catch (error) {
      setKpi("data_quality", "–", GIS.t("web.common.error", {detail: error.message}));
    }
    root.dataset.quality = "ready";
  }

  /* The filter bar (body, district): applying it opens the dashboard of that scope on the
     chosen date; the figures are asked for the page's scope. */
  function filterBar() {
    const form = document.getElementById("dash-filters");
    form.onsubmit = event => {
      event.preventDefault();
      const params = new URLSearchParams(new FormData(form));
      [...params.keys()].filter(k => !params.get(k)).forEach(k => params.delete(k));
      window.location.href = GIS.asOf.with("/dashboard?" + params);
    };
    const scope = new URLSearchParams();
    if (data.bodyId) { scope.set("body_id", data.bodyId); }
    if (data.district) { scope.set("district", data.district); }
    return scope.toString() ? "?" + scope : "";
  }

  async function load() {
    GIS.message(message, GIS.t("web.common.loading"));
    const query = GIS.asOf.with(filterBar());
    let figures;
    try {
      figures = await GIS.fetchJSON(data.api + query);
    } catch (error) {
      GIS.message(message, GIS.t("web.common.error", {detail: error.message}), true);
      root.dataset.state = "error";
      return;
    }
    message.innerHTML = "";
    document.getElementById("dash-as-of").textContent =
      t("as_of", {date: figures.as_of, standard: figures.standard});
    root.querySelectorAll("[data-note]").forEach(e => { e.title = GIS.t(e.dataset.note, {date: figures.as_of}); });
    fillKpis(figures.totals);
    data.charts.forEach(name => draw(name, figures.charts[name]));
    renderSafety(figures.safety);
    root.dataset.state = "ready";
    loadDataQuality(figures.data_quality_url);
  }

  GIS.asOf.onChange(() => {
    root.dataset.state = "loading";
    root.dataset.quality = "";
    load();
  });
  load();
})();
