/* Downloads and prints of what a page shows (templates/exports.html): the buildings in the map
   view, the rooms of the floor shown, the dashboard's tables as XLSX; the map view or floor
   as a PDF. Each link is pointed at the current view, scope and date when it is clicked. */
"use strict";
(function () {
  const box = document.querySelector("[data-exports]");
  if (!box) { return; }
  const kind = box.dataset.exports;
  const data = GIS.data();
  const dated = url => (GIS.asOf ? GIS.asOf.with(url) : url);
  const floors = {};

  function viewBox() {
    const b = GIS.map().getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(v => v.toFixed(6)).join(",");
  }
  function level() {
    return new URLSearchParams(location.search).get("level") || "0";
  }
  function paper() {
    return "&paper=" + box.querySelector("[data-export-paper]").value +
      "&orientation=" + box.querySelector("[data-export-orientation]").value;
  }
  function scope() {
    const params = new URLSearchParams();
    if (data.bodyId) { params.set("body_id", data.bodyId); }
    if (data.district) { params.set("district", data.district); }
    return params.toString();
  }
  const LINKS = {
    view: {
      xlsx: () => "/api/v1/registers/buildings?format=xlsx&bbox=" + viewBox(),
      pdf: () => "/print/map?bbox=" + viewBox() + "&layers=" + data.printLayers + paper(),
    },
    floor: {
      xlsx: () => "/api/v1/registers/rooms?format=xlsx&sort=room_number&floor_id=" + floors[level()],
      pdf: () => "/print/floor-plan?building=" + data.building.id + "&level=" + level() + paper(),
    },
    dashboard: {
      xlsx: () => "/api/v1/dashboard/xlsx?" + scope(),
    },
  };
  box.querySelectorAll("[data-export]").forEach(link => {
    link.addEventListener("click", () => {
      link.href = dated(LINKS[kind][link.dataset.export]());
    });
  });
  if (kind === "floor" && data.building) {
    GIS.fetchJSON(dated("/api/v1/buildings/" + data.building.id + "/floors")).then(answer => {
      answer.items.forEach(floor => { floors[String(floor.ordinal)] = floor.id; });
      box.dataset.ready = "true";
    });
  } else {
    box.dataset.ready = "true";
  }
})();
