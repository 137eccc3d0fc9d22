/* 楼层平面: a lift-panel level picker (top floor first), the chosen floor's rooms drawn from
   their polygons and coloured by the analyses, room numbers once zoomed in far enough,
   room facts on hover and in the side panel on click, data-quality problems outlined
   (thick, dashed) and listed. Without a building the page is a chooser. The date picker
   (as_of.js) reloads the plan for its date; GIS.floorPlan lets the editing scripts
   (room_edit.js, room_draw.js) reload the floor and hear of the room clicked. */
"use strict";
(function () {
  const MAX_ZOOM = 23;
  const data = GIS.data();
  /* The room classes in legend order and their colours, as the server (and its print) has them. */
  const COLOURS = data.statusColours || {};
  const LEGEND_ORDER = data.statusClasses || [];
  const map = GIS.map();
  const esc = GIS.escape;
  const t = GIS.t;

  function levelLabel(ordinal) {
    return ordinal < 0 ? `B${-ordinal}` : `${ordinal + 1}F`;
  }
  function m2(value, digits) {
    return t("web.common.m2", {value: GIS.number(value, digits ?? 2)});
  }
  function percent(rate) {
    return rate === null || rate === undefined ? "—"
      : t("web.common.percent", {value: GIS.number(100 * rate, 1)});
  }
  function row(label, value) {
    return value === null || value === undefined || value === "" ? ""
      : `<tr><th>${esc(label)}</th><td>${value}</td></tr>`;
  }
  function roomName(p) {
    const key = "web.floor.subtype." + p.subtype;
    return data.lang === "en" && p.subtype && t(key) !== key ? t(key) : (p.name || "");
  }
  function withParam(href, name, value) {
    const url = new URL(href, window.location.href);
    url.searchParams.set(name, value);
    return url.pathname + url.search;
  }

  GIS.mapTools.home(map, data.home);
  const mapLink = document.querySelector('.gis-nav a[data-page="map"]');
  if (mapLink && data.building) {
    mapLink.href = GIS.withLang(`/map?building=${data.building.id}`);
  }
  if (data.mode === "choose") { chooser(); } else { plan(); }

  /* ---- no building given (or a wrong one): search, list, or click one on the map ---- */
  function chooser() {
    const input = document.getElementById("floor-search");
    const list = document.getElementById("floor-search-results");
    let pending = null;
    let footprints = null;

    const SEARCH_MAX = 50;
    let first = null;
    async function search() {
      const q = input.value.trim();
      first = null;
      if (!q) { list.innerHTML = ""; return; }
      try {
        const answer = await GIS.fetchJSON(`/api/v1/search?q=${encodeURIComponent(q)}&limit=${SEARCH_MAX}`);
        const found = answer.items.filter(i => i.kind === "building" || i.kind === "body");
        const buildings = found.filter(i => i.kind === "building");
        first = buildings.length ? GIS.withLang("/floor-plan?building=" + buildings[0].id) : null;
        const more = buildings.length >= SEARCH_MAX
          ? `<li class="gis-muted">${esc(t("web.floor.x.more", {count: SEARCH_MAX}))}</li>` : "";
        list.innerHTML = found.length ? found.map(item => item.kind === "building"
          ? `<li><a href="${esc(GIS.withLang("/floor-plan?building=" + item.id))}">${esc(item.name)}</a> ` +
            `<span class="gis-muted">${esc(item.detail || "")}</span></li>`
          : `<li>${esc(item.name)} <a href="${esc(GIS.withLang("/map?body=" + item.id))}">` +
            `${esc(t("web.floor.body_on_map", {count: item.building_ids.length}))}</a></li>`
        ).join("") + more : `<li class="gis-muted">${esc(t("web.floor.no_match", {q}))}</li>`;
      } catch (error) {
        GIS.message(list, t("web.common.error", {detail: error.message}), true);
      }
    }
    input.addEventListener("input", () => { clearTimeout(pending); pending = setTimeout(search, 250); });
    input.addEventListener("keydown", async event => {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      clearTimeout(pending);
      await search();
      if (first) { window.location.href = first; }
    });

    async function drawBuildings() {
      const b = map.getBounds();
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(v => v.toFixed(6));
      try {
        const answer = await GIS.fetchJSON(`/api/v1/buildings?bbox=${bbox.join(",")}&limit=500`);
        if (footprints) { map.removeLayer(footprints); }
        footprints = L.geoJSON(answer, {
          style: {color: "#1d3557", weight: 1, fillColor: "#a8bcd6", fillOpacity: 0.7,
            className: "gis-building"},
          onEachFeature: (f, layer) => {
            layer.bindTooltip(esc(f.properties.name), {sticky: true});
            layer.on("click", () => {
              window.location.href = GIS.withLang("/floor-plan?building=" + f.id);
            });
          },
        }).addTo(map);
      } catch (error) {
        GIS.message(document.getElementById("floor-message"),
          t("web.common.error", {detail: error.message}), true);
      }
    }
    map.on("moveend", drawBuildings);
    drawBuildings();
    GIS.mapTools.labels(map);
  }

  /* ---- one building: level picker, rooms, legend, details ---- */
  function plan() {
    const building = data.building;
    const messageBox = document.getElementById("floor-message");
    const summaryBox = document.getElementById("floor-summary");
    const roomBox = document.getElementById("floor-room");
    const problemsBox = document.getElementById("floor-problems");
    const hint = roomBox.innerHTML;
    let floors = [];
    let current = null;
    let request = 0;
    let outlineLayer = null;
    let roomsLayer = null;
    const labels = L.layerGroup().addTo(map);
    const byId = new Map();
    let selected = null;

    /* The lift panel: a map control on the right, highest level on top. */
    const Picker = L.Control.extend({
      options: {position: "topright"},
      onAdd() {
        const div = L.DomUtil.create("div", "gis-levels leaflet-bar");
        div.setAttribute("role", "group");
        div.setAttribute("aria-label", t("web.floor.levels"));
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      },
    });
    const picker = new Picker().addTo(map);

    const Legend = L.Control.extend({
      options: {position: "bottomright"},
      onAdd() {
        const div = L.DomUtil.create("div", "gis-floor-legend");
        div.id = "floor-legend";
        L.DomEvent.disableClickPropagation(div);
        return div;
      },
    });
    const legend = new Legend().addTo(map);

    function fillPicker() {
      const div = picker.getContainer();
      div.innerHTML = `<div class="gis-levels-title">${esc(t("web.floor.levels"))}</div>` +
        floors.slice().reverse().map(f => {
          const marks = (f.over_standard_rooms ? "<i class=\"mark over\"></i>" : "") +
            (f.data_quality_problems ? "<i class=\"mark problem\"></i>" : "");
          const title = t("web.floor.level_title", {
            label: f.label, rooms: f.room_count, rate: percent(f.vacancy_rate),
            over: f.over_standard_rooms, problems: f.data_quality_problems,
          });
          return `<button type="button" data-ordinal="${f.ordinal}" aria-pressed="false" ` +
            `title="${esc(title)}">${esc(f.label)}${marks}</button>`;
        }).join("");
      div.querySelectorAll("button").forEach(button => button.addEventListener("click", () => {
        showLevel(floors.find(f => f.ordinal === Number(button.dataset.ordinal)));
      }));
    }

    function fillLegend(summary) {
      const rows = LEGEND_ORDER.map(c => {
        const count = summary ? summary[c] : null;
        return `<div class="gis-legend-row" data-status="${c}"><i style="background:${COLOURS[c]}"></i>` +
          `<span>${esc(t("web.floor.status." + c))}</span>` +
          (count ? `<span class="count">${esc(t("web.floor.legend_count", {rooms: count.rooms}))}</span>` : "") +
          "</div>";
      }).join("");
      legend.getContainer().innerHTML =
        `<div class="gis-legend-title">${esc(t("web.floor.legend_title"))}</div>${rows}` +
        `<div class="gis-legend-row"><i class="problem"></i><span>${esc(t("web.floor.legend_problem"))}</span></div>` +
        ["over", "problem"].map(kind => `<div class="gis-legend-row gis-legend-marks"><b class="mark ${kind}"></b>` +
          `${esc(t("web.floor.legend_mark_" + kind))}</div>`).join("");
    }

    function showMessage(text, isError) {
      if (text) { GIS.message(messageBox, text, isError); } else { messageBox.innerHTML = ""; }
    }

    function clearFloor() {
      if (outlineLayer) { map.removeLayer(outlineLayer); outlineLayer = null; }
      if (roomsLayer) { map.removeLayer(roomsLayer); roomsLayer = null; }
      labels.clearLayers();
      byId.clear();
      selected = null;
      summaryBox.innerHTML = problemsBox.innerHTML = "";
      roomBox.innerHTML = hint;
    }

    function remember(floor) {
      const here = withParam(window.location.href, "level", floor.ordinal);
      window.history.replaceState(null, "", here);
      const switcher = document.querySelector("[data-lang-switch]");
      if (switcher) { switcher.href = withParam(switcher.href, "level", floor.ordinal); }
    }

    async function showLevel(floor, selectRoom) {
      current = floor;
      const ticket = ++request;
      picker.getContainer().querySelectorAll("button").forEach(b =>
        b.setAttribute("aria-pressed", String(Number(b.dataset.ordinal) === floor.ordinal)));
      remember(floor);
      showMessage(t("web.common.loading"));
      let answer;
      try {
        answer = await GIS.fetchJSON(GIS.asOf.with(`/api/v1/floors/${floor.id}/rooms`));
      } catch (error) {
        if (ticket === request) {
          clearFloor();
          showMessage(t("web.common.error", {detail: error.message}), true);
        }
        return;
      }
      if (ticket !== request) { return; }
      clearFloor();
      draw(answer);
      summary(floor, answer);
      problems(answer);
      fillLegend(answer.summary);
      showMessage(answer.features.length ? "" : t("web.floor.empty", {level: floor.label}));
      if (selectRoom && byId.has(String(selectRoom))) { select(String(selectRoom), true); }
      document.dispatchEvent(new CustomEvent("gis:floor-shown", {detail: {floor, collection: answer}}));
    }

    function styleOf(feature) {
      const p = feature.properties;
      const problem = p.problems && p.problems.length > 0;
      return {
        color: problem ? "#111111" : "#5a5a5a",
        weight: problem ? 3.5 : 1,
        dashArray: problem ? "7 5" : null,
        fillColor: COLOURS[p.status_class] || COLOURS.ancillary,
        fillOpacity: 0.85,
        className: `gis-room gis-room-${p.status_class}${problem ? " gis-room-problem" : ""}`,
      };
    }

    function draw(collection) {
      if (collection.floor.outline) {
        outlineLayer = L.geoJSON(collection.floor.outline, {
          style: {color: "#333", weight: 2, fillColor: "#ffffff", fillOpacity: 1,
            className: "gis-floor-outline"},
          interactive: false,
        }).addTo(map);
      }
      roomsLayer = L.geoJSON(collection, {
        style: styleOf,
        onEachFeature: (feature, layer) => {
          const id = String(feature.id);
          byId.set(id, {feature, layer});
          layer.bindTooltip(() => tooltip(feature.properties), {sticky: true, className: "gis-room-tip"});
          layer.on("click", () => { if (!GIS.floorPlan.drawing) { select(id, false); } });
          const point = feature.properties.label_point;
          if (point) {
            labels.addLayer(L.marker([point[1], point[0]], {
              icon: L.divIcon({className: "gis-room-label",
                html: `<span>${esc(feature.properties.number)}</span>`, iconSize: null}),
              interactive: false, keyboard: false, roomId: id,
            }));
          }
        },
      }).addTo(map);
      const target = outlineLayer || roomsLayer;
      if (target && target.getBounds().isValid()) {
        const right = Math.max(picker.getContainer().offsetWidth,
          legend.getContainer().offsetWidth) + 24;
        map.fitBounds(target.getBounds(), {
          paddingTopLeft: [24, 24], paddingBottomRight: [right, 24], maxZoom: MAX_ZOOM, animate: false,
        });
      }
      placeLabels();
    }

    /* A room's number shows only once the room is wide and tall enough on screen for it. */
    function placeLabels() {
      labels.eachLayer(marker => {
        const entry = byId.get(marker.options.roomId);
        const bounds = entry.layer.getBounds();
        const a = map.latLngToContainerPoint(bounds.getSouthWest());
        const b = map.latLngToContainerPoint(bounds.getNorthEast());
        const wide = Math.abs(b.x - a.x) >= 8 * String(entry.feature.properties.number).length + 6;
        const tall = Math.abs(b.y - a.y) >= 16;
        const element = marker.getElement();
        if (element) { element.classList.toggle("hidden", !(wide && tall)); }
      });
    }
    map.on("zoomend", placeLabels);

    /* Occupants by rank, one line each, as escaped HTML. */
    function occupantsHtml(p) {
      return (p.occupants || []).map(o => esc(t("web.floor.occupant_row", {
        label: o.label, count: o.count,
        limit: o.limit_m2 === null ? "—" : GIS.number(o.limit_m2, 1),
      }))).join("<br>");
    }

    function tooltip(p) {
      const lines = [
        `<b>${esc(p.number)} ${esc(roomName(p))}</b>`,
        `${esc(t("web.floor.status." + p.status_class))} · ${esc(m2(p.usable_area_m2))}`,
      ];
      if (p.limit_m2 !== null && p.limit_m2 !== undefined) {
        lines.push(esc(p.over_standard
          ? t("web.floor.tip_over", {limit: GIS.number(p.limit_m2, 2), excess: GIS.number(p.excess_m2, 2)})
          : t("web.floor.tip_within", {limit: GIS.number(p.limit_m2, 2), spare: GIS.number(-p.excess_m2, 2)})));
      }
      const who = occupantsHtml(p);
      if (who) { lines.push(who); }
      if (p.organisation_name) { lines.push(esc(p.organisation_name)); }
      if (p.problems && p.problems.length) {
        lines.push(`<span class="problem">${esc(t("web.floor.tip_problems", {count: p.problems.length}))}</span>`);
      }
      return lines.join("<br>");
    }

    function select(id, pan) {
      const entry = byId.get(id);
      if (!entry) { return; }
      if (selected && byId.has(selected)) {
        const old = byId.get(selected);
        old.layer.setStyle(styleOf(old.feature));
        old.layer.getElement()?.classList.remove("selected");
      }
      selected = id;
      entry.layer.setStyle({weight: 4, color: "#1d3557", dashArray: null});
      entry.layer.getElement()?.classList.add("selected");
      entry.layer.bringToFront();
      if (pan) { map.panInside(entry.layer.getBounds().getCenter(), {padding: [80, 80], animate: false}); }
      detail(entry.feature.properties);
      document.dispatchEvent(new CustomEvent("gis:room-selected",
        {detail: {id, properties: entry.feature.properties, floor: current}}));
    }

    function otherRoomLinks(problem) {
      return (problem.other_rooms || []).map(o =>
        `<a href="#" class="gis-other-room" data-ordinal="${o.ordinal}" data-room="${o.room_id}">` +
        `${esc(t("web.floor.see_room", {number: o.number, level: o.label}))}</a>`).join("、");
    }

    function detail(p) {
      const status = `<span class="gis-swatch" style="background:${COLOURS[p.status_class]}"></span>` +
        esc(t("web.floor.status." + p.status_class));
      const attached = p.attached_to ? esc(t("web.floor.attached_to", {number: p.attached_to.number})) : "";
      const hasLimit = p.excess_m2 !== null && p.excess_m2 !== undefined;
      const facts = [
        row(t("web.floor.status_label"), status),
        row(t("web.floor.category"), esc(t("category." + p.category))),
        row(t("web.floor.area"), esc(m2(p.usable_area_m2))),
        row(t("web.floor.body"), esc(p.organisation_name || t("web.floor.unassigned"))),
        row(t("web.floor.ledger"), esc(t("web.floor.ledger." + p.ledger_status))),
        row(t("web.floor.occupants"), p.category === "office" && !p.attached_to
          ? (occupantsHtml(p) || esc(t("web.floor.no_occupants")))
          : ""),
        row(t("web.floor.standard"), p.limit_m2 === null || p.limit_m2 === undefined ? ""
          : esc(t("web.floor.standard_value", {limit: GIS.number(p.limit_m2, 2), n: p.occupant_count}))),
        row(t("web.floor.counted"), p.counted_area_m2 === null || p.counted_area_m2 === undefined ? ""
          : esc(m2(p.counted_area_m2))),
        row(t("web.floor.excess"), hasLimit && p.over_standard
          ? `<span class="gis-over">${esc(m2(p.excess_m2))}</span>` : ""),
        row(t("web.floor.spare"), hasLimit && !p.over_standard ? esc(m2(-p.excess_m2)) : ""),
        row(t("web.floor.suite"), attached),
      ].join("");
      let html = `<h4 id="floor-room-title">${esc(t("web.floor.room_title", {number: p.number, name: roomName(p)}))}</h4>` +
        `<table class="gis-table gis-facts">${facts}</table>`;
      if (p.explanation) { html += `<p class="gis-explain">${esc(p.explanation)}</p>`; }
      if (p.problems && p.problems.length) {
        html += `<div class="gis-problems"><b>${esc(t("web.floor.room_problems"))}</b><ul>` +
          p.problems.map(problem => `<li>${esc(problem.explanation)}` +
            (problem.other_rooms && problem.other_rooms.length
              ? `<br><span class="gis-muted">${esc(t("web.floor.also"))}</span>${otherRoomLinks(problem)}` : "") +
            "</li>").join("") + "</ul></div>";
      }
      roomBox.innerHTML = html;
      bindOtherRooms(roomBox);
    }

    function bindOtherRooms(box) {
      box.querySelectorAll("a.gis-other-room").forEach(a => a.addEventListener("click", event => {
        event.preventDefault();
        const floor = floors.find(f => f.ordinal === Number(a.dataset.ordinal));
        if (!floor) { return; }
        if (current && floor.ordinal === current.ordinal) { select(a.dataset.room, true); } else {
          showLevel(floor, a.dataset.room);
        }
      }));
    }

    function summary(floor, collection) {
      const facts = [
        row(t("web.floor.rooms"), esc(GIS.number(floor.room_count, 0))),
        row(t("web.floor.usable_area"), esc(m2(floor.usable_area_m2, 1))),
        row(t("web.floor.vacancy_rate"), esc(percent(floor.vacancy_rate)) +
          (floor.fully_idle ? ` <b>${esc(t("web.floor.fully_idle"))}</b>` : "")),
        row(t("web.floor.over_rooms"), esc(GIS.number(floor.over_standard_rooms, 0))),
        row(t("web.floor.problem_count"), esc(GIS.number(floor.data_quality_problems, 0))),
      ].join("");
      summaryBox.innerHTML = `<h3>${esc(t("web.floor.summary_title", {level: floor.label}))}</h3>` +
        `<table class="gis-table gis-facts">${facts}</table>` +
        `<p class="gis-muted">${esc(t("web.floor.as_of", {standard: collection.standard, date: collection.as_of}))}</p>`;
    }

    function problems(collection) {
      const rooms = collection.features.filter(f => f.properties.problems.length);
      const own = collection.floor.problems || [];
      const count = own.length + rooms.reduce((n, f) => n + f.properties.problems.length, 0);
      let html = `<h3>${esc(t("web.floor.problems_title", {count}))}</h3>`;
      if (!count) {
        problemsBox.innerHTML = html + `<p class="gis-muted">${esc(t("web.floor.no_problems"))}</p>`;
        return;
      }
      html += "<ul class=\"gis-list\" id=\"floor-problem-list\">" +
        own.map(p => `<li>${esc(p.explanation)}</li>`).join("") +
        rooms.map(f => f.properties.problems.map(p =>
          `<li><a href="#" data-room="${esc(f.id)}">${esc(t("web.floor.room_title", {
            number: f.properties.number, name: roomName(f.properties)}))}</a> ` +
          `<span class="gis-muted">${esc(t("web.floor.check." + p.check))}</span>` +
          `<div>${esc(p.explanation)}` +
          (p.other_rooms && p.other_rooms.length
            ? `<br>${esc(t("web.floor.also"))}${otherRoomLinks(p)}` : "") +
          "</div></li>").join("")).join("") + "</ul>";
      problemsBox.innerHTML = html;
      bindOtherRooms(problemsBox);
      problemsBox.querySelectorAll("a[data-room]").forEach(a => a.addEventListener("click", event => {
        event.preventDefault();
        select(a.dataset.room, true);
      }));
    }

    function defaultFloor() {
      return floors.find(f => f.ordinal === 0) || floors.find(f => f.ordinal > 0) ||
        floors[floors.length - 1];
    }

    /* The building's floors (for the date shown) into `floors` and the picker; false, with
       the error shown, when they could not be read. */
    async function loadFloors() {
      try {
        floors = (await GIS.fetchJSON(GIS.asOf.with(`/api/v1/buildings/${building.id}/floors`))).items;
      } catch (error) {
        showMessage(t("web.common.error", {detail: error.message}), true);
        return false;
      }
      fillPicker();
      return true;
    }

    async function start() {
      fillLegend(null);
      if (!await loadFloors()) { return; }
      if (!floors.length) { showMessage(t("web.floor.no_floors")); return; }
      const asked = data.levelAsked;
      if (asked !== null && asked !== undefined && asked !== "" && data.level === null) {
        showMessage(t("web.floor.bad_level", {value: asked}), true);
        return;
      }
      if (data.level !== null && data.level !== undefined) {
        const floor = floors.find(f => f.ordinal === data.level);
        if (!floor) {
          showMessage(t("web.floor.no_level", {level: levelLabel(data.level)}), true);
          return;
        }
        showLevel(floor);
        return;
      }
      showLevel(defaultFloor());
    }

    /* The floor again (after an edit, or for another date), the same level, `roomId` selected. */
    async function reload(roomId) {
      const ordinal = current ? current.ordinal : null;
      if (!await loadFloors()) { return; }
      const floor = floors.find(f => f.ordinal === ordinal) || defaultFloor();
      if (floor) { await showLevel(floor, roomId); }
    }

    GIS.floorPlan = {
      building,
      map,
      drawing: false,
      floor: () => current,
      selected: () => selected,
      layerOf: id => (byId.get(String(id)) || {}).layer,
      reload,
    };
    GIS.asOf.onChange(() => reload(selected));
    start();
  }
})();
