"""Vector-tile layers of the catalog on a folium map: Leaflet.VectorGrid (vendored under
web/vendor, through folium's `VectorGridProtobuf`) over the app's `/tiles/...` URLs, coloured,
explained and clickable as the layer file says."""

from __future__ import annotations

from html import escape
from typing import Any

from folium.plugins import VectorGridProtobuf
from folium.template import Template

from gis_app.i18n import t
from gis_app.layers import catalog
from gis_app.layers.catalog import LayerSpec
from gis_app.layers.sources import INFO_LAYER


def _popup_spec(spec: LayerSpec, lang: str) -> list[dict[str, Any]]:
    """What the tile layer's script needs to show a feature, labels in `lang`."""
    return [
        {
            "field": item.shown_field(lang),
            "label": catalog.pick(lang, item.label_zh, item.label_en),
            "unit": item.unit,
            "format": item.format,
            "digits": item.digits,
            "tooltip": item.tooltip,
        }
        for item in spec.popup
    ]


class CatalogVectorGrid(VectorGridProtobuf):
    """A tiled catalog layer: Leaflet.VectorGrid over `/tiles/<id>/{z}/{x}/{y}.mvt`, each
    feature coloured by the layer's style (ramp, categories or fixed, computed as
    `gis_app.layers.style` does), a table of its popup fields on click and of its tooltip
    fields on hover. The tile's `_tile` layer (a capped tile's note) is not drawn.

    Everything from the layer file reaches the page as JSON and is written into the popup
    as text (never markup), so a label cannot inject script.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) -%}
        var {{ this.get_name() }} = (function () {
          var spec = {{ this.spec|tojson }};
          function rgb(hex) {
            var d = hex.slice(1);
            if (d.length === 3) { d = d.replace(/./g, "$&$&"); }
            return [0, 2, 4].map(function (i) { return parseInt(d.slice(i, i + 2), 16); });
          }
          function hex2(c) { return ("0" + Math.round(c).toString(16)).slice(-2); }
          function rampColor(s, value) {
            var span = s.vmax - s.vmin, n = s.colors.length;
            var f = span === 0 ? 0 : Math.min(Math.max((value - s.vmin) / span, 0), 1);
            var pos = f * (n - 1), i = Math.min(Math.floor(pos), n - 2), frac = pos - i;
            var a = rgb(s.colors[i]), b = rgb(s.colors[i + 1]);
            return "#" + [0, 1, 2].map(function (k) {
              return hex2(a[k] + (b[k] - a[k]) * frac);
            }).join("");
          }
          function fillColor(props) {
            var s = spec.style, value = props[s.property];
            if (s.kind === "ramp") {
              var ok = typeof value === "number" && isFinite(value);
              return ok ? rampColor(s, value) : s.no_data_color;
            }
            if (s.kind === "categories") {
              for (var i = 0; i < s.categories.length; i++) {
                if (s.categories[i].value === value) { return s.categories[i].color; }
              }
              return s.other_color;
            }
            return s.color;
          }
          function pathStyle(props) {
            var s = spec.style, fill = fillColor(props), line = spec.geometry === "line";
            return {
              fill: !line, fillColor: fill, fillOpacity: s.fill_opacity,
              color: line ? fill : (s.outline || fill), weight: s.weight,
              opacity: s.opacity, radius: s.radius
            };
          }
          function shown(item, value) {
            if (value === undefined || value === null) { return "\\u2014"; }
            var text;
            if (item.format === "yesno") {
              text = value ? spec.yes : spec.no;
            } else if (item.format !== "text" && typeof value === "number") {
              var v = item.format === "percent" ? value * 100 : value;
              text = v.toLocaleString(spec.locale, {
                minimumFractionDigits: item.digits, maximumFractionDigits: item.digits
              });
              if (item.format === "percent") { text += " %"; }
            } else {
              text = String(value);
            }
            return item.unit ? text + " " + item.unit : text;
          }
          function table(props, hover) {
            var el = document.createElement("table");
            spec.popup.forEach(function (item) {
              if (hover && !item.tooltip) { return; }
              var row = el.insertRow(), head = document.createElement("th");
              head.textContent = item.label;
              head.style.paddingRight = "8px";
              row.appendChild(head);
              row.insertCell().textContent = shown(item, props[item.field]);
            });
            return el;
          }
          if (!L.DomEvent.fakeStop) {
            // VectorGrid 1.3 calls fakeStop, gone since Leaflet 1.8, whose canvas renderer
            // keeps the map from seeing its clicks by itself (_leaflet_disable_events).
            L.DomEvent.fakeStop = function () {};
          }
          var styles = {};
          styles[spec.layer] = function (props) { return pathStyle(props); };
          styles[spec.info_layer] = [];
          var layer = L.vectorGrid.protobuf(spec.url, {
            vectorTileLayerStyles: styles,
            interactive: true,
            pane: "overlayPane",  // among the GeoJSON layers, in catalog order, not under them
            rendererFactory: L.canvas.tile,
            minZoom: spec.min_zoom,
            maxZoom: spec.max_zoom,
            getFeatureId: function (f) { return f.id; }
          });
          layer.gisValuesInView = function () {
            // The styled field's values in the loaded tiles of this zoom that meet the view
            // (tile-exact, not feature-exact), for the legend to show only those classes.
            var map = layer._map, values = new Set();
            if (!map) { return values; }
            var view = map.getBounds();
            Object.keys(layer._vectorTiles || {}).forEach(function (key) {
              var parts = key.split(":"), coords = L.point(+parts[0], +parts[1]);
              coords.z = +parts[2];
              if (coords.z !== layer._tileZoom ||
                  !view.intersects(layer._tileCoordsToBounds(coords))) { return; }
              var features = layer._vectorTiles[key]._features || {};
              Object.keys(features).forEach(function (id) {
                var value = features[id].feature.properties[spec.style.property];
                if (value !== undefined && value !== null) {
                  values.add(typeof value === "string" ? value : JSON.stringify(value));
                }
              });
            });
            return values;
          };
          var tip = null;
          window.GIS_LAYERS = window.GIS_LAYERS || {};
          window.GIS_LAYERS[spec.layer] = layer;
          layer.on("click", function (e) {
            if (window.GIS_onFeatureClick) {
              window.GIS_onFeatureClick(spec.layer, e.layer.properties);
              return;
            }
            if (!spec.popup.length) { return; }
            L.popup().setLatLng(e.latlng).setContent(table(e.layer.properties, false))
              .openOn(layer._map);
          });
          layer.on("mouseover", function (e) {
            var content = table(e.layer.properties, true);
            if (!content.rows.length) { return; }
            tip = L.tooltip({direction: "top"}).setLatLng(e.latlng).setContent(content);
            layer._map.openTooltip(tip);
          });
          layer.on("mouseout", function () {
            if (tip) { layer._map.closeTooltip(tip); tip = null; }
          });
          return layer;
        })();
        {%- endmacro %}
        """
    )

    def __init__(self, spec: LayerSpec, lang: str, base_url: str = "") -> None:
        """`base_url`: the app's root path ("" or e.g. "/gis"), never another host."""
        if base_url and not base_url.startswith("/") or base_url.startswith("//"):
            raise ValueError(f"base_url {base_url!r} must be a path on this app, e.g. /gis")
        url = f"{base_url.rstrip('/')}/tiles/{spec.id}/{{z}}/{{x}}/{{y}}.mvt"
        super().__init__(url, name=escape(spec.title(lang)), show=spec.visible)
        self.spec = {
            "url": url,
            "layer": spec.id,
            "info_layer": INFO_LAYER,
            "geometry": spec.geometry,
            "min_zoom": spec.min_zoom,
            "max_zoom": spec.max_zoom,
            "style": spec.style.model_dump(),
            "popup": _popup_spec(spec, lang),
            "locale": lang,
            "yes": t("layers.yes", lang),
            "no": t("layers.no", lang),
        }
