/* The printed sheet: fit the map to what it prints (`data-fit`, beside the legend), and give
   the scale as a ratio (1:n): ground metres across the map's middle per metre of paper (a
   CSS pixel is 0.2646 mm on paper), rounded to two significant figures. */
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  const div = document.querySelector(".folium-map");
  const map = div && window[div.id];
  const sheet = document.getElementById("print-sheet");
  const out = document.getElementById("print-ratio");
  if (!map || !sheet || !out) { return; }
  function ratio() {
    const size = map.getSize();
    const left = map.containerPointToLatLng([size.x * 0.25, size.y / 2]);
    const right = map.containerPointToLatLng([size.x * 0.75, size.y / 2]);
    const paperMetres = size.x * 0.5 * 25.4 / 96 / 1000;
    const n = map.distance(left, right) / paperMetres;
    const digits = Math.pow(10, Math.max(0, Math.floor(Math.log10(n)) - 1));
    out.textContent = "1:" + (Math.round(n / digits) * digits).toLocaleString("en");
  }
  map.on("zoomend moveend resize", ratio);
  if (sheet.dataset.fit) {
    const legend = document.getElementById("print-legend");
    map.fitBounds(JSON.parse(sheet.dataset.fit), {
      paddingTopLeft: [60, 40], paddingBottomRight: [legend.offsetWidth + 40, 40],
      maxZoom: Number(sheet.dataset.maxZoom), animate: false,
    });
  }
  ratio();
});
