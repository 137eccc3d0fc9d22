/* Orientation tools of the map pages: a home button back to the configured home view, a note
   while tiles load (zooming out asks for a hundred or more), and a measuring tool for
   distances and areas drawn with Leaflet-Geoman (vendored; its own measuring is not in the
   free edition). Lengths and areas are on the sphere (R = 6 371 008.8 m): within a few
   tenths of a percent of the ellipsoid at these latitudes, enough to orient by. */
"use strict";
GIS.mapTools = (function () {
  const RADIUS = 6371008.8;
  const t = GIS.t;

  function button(container, id, text, title) {
    const b = L.DomUtil.create("a", "gis-tool", container);
    b.id = id;
    b.href = "#";
    b.setAttribute("role", "button");
    b.title = title;
    b.setAttribute("aria-label", title);
    b.textContent = text;
    return b;
  }

  /* ⌂: back to `bounds` (west, south, east, north), under the zoom buttons. */
  function home(map, bounds) {
    const [west, south, east, north] = bounds;
    const Home = L.Control.extend({
      options: {position: "topleft"},
      onAdd() {
        const div = L.DomUtil.create("div", "leaflet-bar gis-home");
        const b = button(div, "map-home", "⌂", t("web.layout.home"));
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.on(b, "click", e => {
          L.DomEvent.preventDefault(e);
          map.fitBounds([[south, west], [north, east]], {padding: [24, 24], animate: false});
        });
        return div;
      },
    });
    return new Home().addTo(map);
  }

  /* "Loading tiles (n)…" while any tiled layer waits for tiles; hidden once all came. */
  function loading(map, layers) {
    const Note = L.Control.extend({
      options: {position: "bottomleft"},
      onAdd() {
        const div = L.DomUtil.create("div", "gis-loading");
        div.id = "map-loading";
        div.setAttribute("role", "status");
        div.hidden = true;
        return div;
      },
    });
    const note = new Note().addTo(map);
    const waiting = new Map();
    function show() {
      let n = 0;
      waiting.forEach(count => { n += count; });
      const div = note.getContainer();
      div.hidden = n === 0;
      div.textContent = n ? t("web.layout.loading_tiles", {n}) : "";
      map.getContainer().dataset.tilesWaiting = String(n);
    }
    layers.filter(layer => layer instanceof L.GridLayer).forEach(layer => {
      waiting.set(layer, 0);
      layer.on("tileloadstart", () => { waiting.set(layer, waiting.get(layer) + 1); show(); });
      layer.on("tileload tileerror tileabort", () => {
        waiting.set(layer, Math.max(waiting.get(layer) - 1, 0)); show();
      });
      layer.on("load remove", () => { waiting.set(layer, 0); show(); });
    });
    show();
    return note;
  }

  function radians(degrees) { return degrees * Math.PI / 180; }
  function length(latlngs) {
    let sum = 0;
    for (let i = 1; i < latlngs.length; i++) {
      const a = latlngs[i - 1], b = latlngs[i];
      const dLat = radians(b.lat - a.lat), dLon = radians(b.lng - a.lng);
      const h = Math.sin(dLat / 2) ** 2 +
        Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLon / 2) ** 2;
      sum += 2 * RADIUS * Math.asin(Math.min(1, Math.sqrt(h)));
    }
    return sum;
  }
  function area(latlngs) {
    let sum = 0;
    for (let i = 0; i < latlngs.length; i++) {
      const a = latlngs[i], b = latlngs[(i + 1) % latlngs.length];
      sum += radians(b.lng - a.lng) * (2 + Math.sin(radians(a.lat)) + Math.sin(radians(b.lat)));
    }
    return Math.abs(sum * RADIUS * RADIUS / 2);
  }
  function describe(layer) {
    const ring = layer instanceof L.Polygon;
    const points = ring ? layer.getLatLngs()[0] : layer.getLatLngs();
    if (ring) {
      const m2 = area(points);
      return m2 >= 10000 ? t("web.layout.measure_area_ha", {value: GIS.number(m2 / 10000, 2)})
        : t("web.layout.measure_area_m2", {value: GIS.number(m2, 0)});
    }
    const m = length(points);
    return m >= 1000 ? t("web.layout.measure_length_km", {value: GIS.number(m / 1000, 2)})
      : t("web.layout.measure_length", {value: GIS.number(m, 1)});
  }

  /* Ruler and area buttons: draw a line or polygon, read its length or area on it. */
  function measure(map) {
    if (!L.PM) { return null; }
    if (!map.pm) {  /* the map was made before Geoman loaded (both scripts are deferred) */
      map.pm = new L.PM.Map(map);
      map.pm.setGlobalOptions({});
    }
    map.pm.setLang(GIS.data().lang === "en" ? "en" : "zh");
    const drawn = L.layerGroup().addTo(map);
    const Tool = L.Control.extend({
      options: {position: "topleft"},
      onAdd() {
        const div = L.DomUtil.create("div", "leaflet-bar gis-measure");
        div.title = t("web.layout.measure_note");
        const line = button(div, "measure-line", "↔", t("web.layout.measure_line"));
        const ring = button(div, "measure-area", "⬠", t("web.layout.measure_area"));
        const clear = button(div, "measure-clear", "✕", t("web.layout.measure_clear"));
        L.DomEvent.disableClickPropagation(div);
        const style = {color: "#d9480f", weight: 3, dashArray: "6 4", fillOpacity: 0.15};
        L.DomEvent.on(line, "click", e => {
          L.DomEvent.preventDefault(e);
          map.pm.enableDraw("Line", {pathOptions: style, templineStyle: style, snappable: false});
        });
        L.DomEvent.on(ring, "click", e => {
          L.DomEvent.preventDefault(e);
          map.pm.enableDraw("Polygon", {pathOptions: style, templineStyle: style, snappable: false});
        });
        L.DomEvent.on(clear, "click", e => {
          L.DomEvent.preventDefault(e);
          map.pm.disableDraw();
          drawn.clearLayers();
        });
        return div;
      },
    });
    map.on("pm:create", e => {
      if (!["Line", "Polygon"].includes(e.shape)) { return; }
      e.layer.options.pmIgnore = true;
      map.removeLayer(e.layer);
      drawn.addLayer(e.layer);
      e.layer.bindTooltip(describe(e.layer), {permanent: true, className: "gis-measure-label"})
        .openTooltip();
    });
    new Tool().addTo(map);
    return {layers: drawn, length, area};
  }

  /* Building names from LABEL_ZOOM on, the larger buildings first, a name left out where it
     would overlap one already placed; they let clicks through to the buildings. */
  const LABEL_ZOOM = 14;
  function labels(map) {
    const group = L.layerGroup().addTo(map);
    let asked = 0;
    const state = map.getContainer().dataset;
    let inFlight = 0;
    async function draw() {
      const ticket = ++asked;
      if (map.getZoom() < LABEL_ZOOM) {
        group.clearLayers();
        state.labels = inFlight ? "loading" : "done";
        return;
      }
      state.labels = "loading";
      const b = map.getBounds();
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(v => v.toFixed(6));
      let answer = null;
      inFlight += 1;
      try {
        answer = await GIS.fetchJSON(`/api/v1/buildings?bbox=${bbox.join(",")}&limit=400`);
      } catch (error) {
        answer = null;  // labels are a help: a failed fetch leaves the map without them
      } finally {
        inFlight -= 1;
      }
      state.labels = inFlight ? "loading" : "done";
      if (ticket !== asked || answer === null) { return; }
      group.clearLayers();
      const placed = [];
      answer.features.map(f => ({f, box: L.geoJSON(f).getBounds()}))
        .map(item => Object.assign(item, {size: map.latLngToLayerPoint(item.box.getNorthEast())
          .distanceTo(map.latLngToLayerPoint(item.box.getSouthWest()))}))
        .sort((a, b) => b.size - a.size)
        .forEach(({f, box}) => {
          const name = f.properties.name || "";
          const p = map.latLngToLayerPoint(box.getCenter());
          const w = name.length * 12 + 8, h = 18;
          const rect = L.bounds([p.x - w / 2, p.y - h / 2], [p.x + w / 2, p.y + h / 2]);
          if (placed.some(other => other.intersects(rect))) { return; }
          placed.push(rect);
          L.marker(box.getCenter(), {
            interactive: false, keyboard: false,
            icon: L.divIcon({className: "gis-building-label", iconSize: null,
              html: `<span>${GIS.escape(name)}</span>`}),
          }).addTo(group);
        });
    }
    map.on("moveend", draw);
    draw();
    return group;
  }

  /* On a narrow map the layer control starts folded to its button (open it is a third of a
     phone's map); a tap opens it, a tap on the map folds it. */
  function compactLayers(map) {
    const control = map.getContainer().querySelector(".leaflet-control-layers");
    if (!control || map.getSize().x >= 600) { return; }
    const expanded = "leaflet-control-layers-expanded";
    const refit = () => { if (map.gisLegend) { map.gisLegend.sync(); } };
    control.classList.remove(expanded);
    control.querySelector(".leaflet-control-layers-toggle").addEventListener("click", event => {
      event.preventDefault();
      control.classList.add(expanded);
      refit();
    });
    map.on("click", () => { control.classList.remove(expanded); refit(); });
    refit();
  }

  return {home, loading, measure, labels, compactLayers, length, area};
})();
