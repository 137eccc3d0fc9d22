/* The registers page: one register at a time (tab), filtered by the form, sorted by a click on
   a column name, paged; the export link downloads exactly the filtered register as XLSX. The
   page's URL keeps tab, filters, sort and page, so a filtered register can be linked. */
"use strict";
(function () {
  const data = GIS.data();
  const t = GIS.t;
  const root = document.getElementById("registers");
  const form = document.getElementById("reg-filters");
  const table = document.getElementById("reg-table");
  const messageBox = document.getElementById("reg-message");
  const FILTERS = ["body_id", "campus_id", "district", "safety_grade", "vacancy_min",
    "vacancy_max", "status", "category"];
  const CODED = {category: "category.", status: "room_status.", level: "jurisdiction."};
  const LINKS = {
    name: (row, tab) => tab === "bodies" ? "/map?body=" + row.organisation_id
      : "/map?building=" + row.building_id,
    building_name: (row) => "/floor-plan?building=" + row.building_id,
  };
  const state = {tab: data.kinds[0], sort: null, order: "asc", offset: 0};

  function relevant(name) {
    if (name === "vacancy_min" || name === "vacancy_max") { return data.withRate.includes(state.tab); }
    if (data.roomFilters.includes(name)) { return state.tab === "rooms"; }
    return true;
  }

  function formValues() {
    const values = {};
    for (const name of FILTERS) {
      if (!relevant(name)) { continue; }
      if (name === "safety_grade") {
        const grades = [...form.querySelectorAll("input[name=safety_grade]:checked")].map((i) => i.value);
        if (grades.length) { values[name] = grades.join(","); }
        continue;
      }
      const value = form.elements[name].value.trim();
      if (value !== "") { values[name] = value; }
    }
    return values;
  }

  function fillForm(params) {
    for (const name of FILTERS) {
      const value = params.get(name) || "";
      if (name === "safety_grade") {
        const grades = value.split(",");
        form.querySelectorAll("input[name=safety_grade]").forEach((i) => { i.checked = grades.includes(i.value); });
      } else {
        form.elements[name].value = value;
      }
    }
  }

  function query(extra) {
    const params = new URLSearchParams(formValues());
    if (GIS.asOf.value()) { params.set("as_of", GIS.asOf.value()); }
    if (state.sort && data.columns[state.tab].includes(state.sort)) {
      params.set("sort", state.sort);
      params.set("order", state.order);
    }
    for (const [key, value] of Object.entries(extra || {})) { params.set(key, value); }
    return params;
  }

  function showTab() {
    document.querySelectorAll("[data-tab]").forEach((b) => {
      b.setAttribute("aria-selected", String(b.dataset.tab === state.tab));
    });
    form.querySelectorAll("[data-only]").forEach((el) => {
      el.hidden = el.dataset.only === "rate" ? !data.withRate.includes(state.tab) : el.dataset.only !== state.tab;
    });
  }

  function cell(key, value, row) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value === "boolean") { return value ? t("report.yes") : ""; }
    if (key === "vacancy_rate") { return GIS.number(value * 100, 1) + "%"; }
    if (CODED[key]) { return GIS.escape(t(CODED[key] + value)); }
    if (typeof value === "number" && !key.endsWith("_id") && key !== "year_built") {
      return GIS.number(value, 2);
    }
    const link = LINKS[key];
    return link ? "<a href=\"" + GIS.escape(GIS.withLang(link(row, state.tab))) + "\">" +
      GIS.escape(value) + "</a>" : GIS.escape(value);
  }

  function render(answer) {
    const head = answer.columns.map((c) => {
      const sorted = c.key === answer.sort ? (answer.order === "desc" ? "descending" : "ascending") : "none";
      return "<th aria-sort=\"" + sorted + "\" data-key=\"" + c.key + "\"><button type=\"button\">" +
        GIS.escape(c.label) + "</button></th>";
    }).join("");
    const body = answer.items.map((row) => "<tr>" + answer.columns.map((c) => {
      const numeric = typeof row[c.key] === "number" && !c.key.endsWith("_id");
      return "<td" + (numeric ? " class=\"num\"" : "") + " data-key=\"" + c.key + "\">" +
        cell(c.key, row[c.key], row) + "</td>";
    }).join("") + "</tr>").join("");
    table.innerHTML = "<thead><tr>" + head + "</tr></thead><tbody>" + body + "</tbody>";
    state.sort = answer.sort;
    state.order = answer.order;
    const first = answer.total ? answer.offset + 1 : 0;
    const last = answer.offset + answer.items.length;
    document.getElementById("reg-range").textContent =
      t("web.registers.page", {first, last, total: answer.total});
    document.getElementById("reg-prev").disabled = answer.offset === 0;
    document.getElementById("reg-next").disabled = last >= answer.total;
    if (!answer.total) { GIS.message(messageBox, t("web.registers.empty")); } else { messageBox.innerHTML = ""; }
  }

  async function load() {
    showTab();
    root.dataset.state = "loading";
    const page = query({limit: data.pageSize, offset: state.offset});
    const url = data.api + "/" + state.tab;
    document.getElementById("reg-export").href = url + "?" + query({format: "xlsx"});
    const shown = query({tab: state.tab, offset: state.offset});
    shown.set("lang", data.lang);
    history.replaceState(null, "", location.pathname + "?" + shown);
    try {
      render(await GIS.fetchJSON(url + "?" + page));
      root.dataset.state = "ready";
    } catch (error) {
      GIS.message(messageBox, t("web.registers.error", {message: error.message}), true);
      root.dataset.state = "error";
    }
  }

  document.querySelectorAll("[data-tab]").forEach((button) => {
    button.addEventListener("click", () => {
      state.tab = button.dataset.tab;
      state.sort = null;
      state.offset = 0;
      load();
    });
  });
  table.addEventListener("click", (event) => {
    const th = event.target.closest("th[data-key]");
    if (!th) { return; }
    state.order = th.dataset.key === state.sort && state.order === "asc" ? "desc" : "asc";
    state.sort = th.dataset.key;
    state.offset = 0;
    load();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.offset = 0;
    load();
  });
  document.getElementById("reg-reset").addEventListener("click", () => {
    fillForm(new URLSearchParams());
    state.offset = 0;
    load();
  });
  document.getElementById("reg-prev").addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - data.pageSize);
    load();
  });
  document.getElementById("reg-next").addEventListener("click", () => {
    state.offset += data.pageSize;
    load();
  });

  GIS.asOf.onChange(() => {
    state.offset = 0;
    load();
  });
  const params = new URLSearchParams(location.search);
  if (data.kinds.includes(params.get("tab"))) { state.tab = params.get("tab"); }
  state.sort = params.get("sort");
  state.order = params.get("order") === "desc" ? "desc" : "asc";
  state.offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
  fillForm(params);
  load();
})();
