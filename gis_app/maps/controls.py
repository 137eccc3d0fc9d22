"""Map furniture: a plain background, a metric scale, and a legend for styled layers.

The legend is built as plain HTML in Python (escaped) and handed to the page as a JSON
string, so caller text such as layer titles can never break out into markup or script.
"""

from __future__ import annotations

import json
from html import escape

from branca.element import MacroElement
from folium.template import Template

from gis_app.i18n import DEFAULT_LANGUAGE, t
from gis_app.layers.fields import check_color
from gis_app.layers.style import CategoryStyle, RampStyle


def format_value(value: float) -> str:
    """A legend number: grouped thousands for large values, a few digits for small ones."""
    if abs(value) >= 1000 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _swatch(color: str, text: str, value: str | None = None) -> str:
    marked = "" if value is None else f' data-value="{escape(value)}"'
    return (
        f'<div class="gis-legend-row"{marked}><i style="background:{color}"></i>'
        f"<span>{escape(text)}</span></div>"
    )


def ramp_html(style: RampStyle, caption: str, no_data: str | None) -> str:
    """A gradient bar with the ramp's min and max; `no_data` is the text of a swatch for
    features with no value (None: no swatch)."""
    stops = ", ".join(style.colors)
    rows = [
        f'<div class="gis-legend-caption">{escape(caption)}</div>',
        f'<div class="gis-legend-ramp" style="background:linear-gradient(to right, {stops})">'
        "</div>",
        '<div class="gis-legend-scale">'
        f"<span>{escape(format_value(style.vmin))}</span>"
        f"<span>{escape(format_value(style.vmax))}</span></div>",
    ]
    if no_data is not None:
        rows.append(_swatch(style.no_data_color, no_data))
    return "".join(rows)


def category_html(style: CategoryStyle, lang: str, caption: str, other: str | None) -> str:
    """One swatch per category (labels in `lang`), in the style's order, each row marked
    with its value so the page can hide classes not in view; values of the form
    "scheme:class" fall under a heading per scheme (`layers.scheme.<scheme>`). `other` is
    the text of a swatch for unlisted values (None: no swatch)."""
    rows = [f'<div class="gis-legend-caption">{escape(caption)}</div>']
    group = None
    for c in style.categories:
        value = c.value if isinstance(c.value, str) else json.dumps(c.value)
        scheme = value.split(":", 1)[0] if isinstance(c.value, str) and ":" in value else None
        if scheme is not None and scheme != group:
            label = t(f"layers.scheme.{scheme}", lang)
            shown = scheme if label == f"layers.scheme.{scheme}" else label
            rows.append(
                f'<div class="gis-legend-group" data-group="{escape(scheme)}">{escape(shown)}</div>'
            )
        group = scheme
        rows.append(_swatch(c.color, c.label(lang), value))
    if other is not None:
        rows.append(_swatch(style.other_color, other))
    return "".join(rows)


class Legend(MacroElement):
    """Bottom-right legend under a header that folds it (folded at first on a narrow map).
    Each section follows its layer in the layer control; its box scrolls inside the room
    the map leaves below the top-right controls, so it never covers them. A tiled layer
    that reports the values of its loaded tiles in view (`gisValuesInView`) shows only
    those classes, and a scheme heading only while one of its classes shows."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .gis-legend { background: rgba(255, 255, 255, 0.94); border-radius: 4px;
            box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); font: 12px/1.4 sans-serif;
            max-width: 260px; }
          .gis-legend-head { display: block; width: 100%; border: 0; background: none;
            font: bold 12px/1.4 sans-serif; text-align: left; padding: 6px 10px;
            cursor: pointer; min-height: 32px; }
          .gis-legend-head::after { content: " \\25BE"; }
          .gis-legend.collapsed .gis-legend-head::after { content: " \\25B8"; }
          .gis-legend-body { overflow-y: auto; padding: 0 10px 6px; }
          .gis-legend.collapsed .gis-legend-body { display: none; }
          .gis-legend-section + .gis-legend-section { margin-top: 8px; }
          .gis-legend-title { font-weight: bold; }
          .gis-legend-caption { color: #444; }
          .gis-legend-group { color: #1d3557; margin-top: 4px; font-style: italic; }
          .gis-legend-ramp { height: 10px; width: 180px; margin-top: 2px;
            border: 1px solid #999; }
          .gis-legend-scale { display: flex; justify-content: space-between; width: 182px; }
          .gis-legend-row i { display: inline-block; width: 12px; height: 12px;
            margin-right: 6px; vertical-align: -2px; border: 1px solid #777; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var sections = [
            {%- for layer_name, html in this.sections %}
            [{{ layer_name }}, {{ html|tojson }}]{{ "," if not loop.last }}
            {%- endfor %}
          ];
          var control = L.control({position: "bottomright"});
          var div = L.DomUtil.create("div", "gis-legend");
          div.id = "map-legend";
          var head = L.DomUtil.create("button", "gis-legend-head", div);
          head.type = "button";
          head.textContent = {{ this.title|tojson }};
          head.title = {{ this.toggle|tojson }};
          var body = L.DomUtil.create("div", "gis-legend-body", div);
          function setOpen(open) {
            div.classList.toggle("collapsed", !open);
            head.setAttribute("aria-expanded", open ? "true" : "false");
            fit();
          }
          control.onAdd = function () {
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            sections.forEach(function (section) {
              var part = L.DomUtil.create("div", "gis-legend-section", body);
              part.innerHTML = section[1];
              section.push(part);
            });
            return div;
          };
          control.addTo(map);
          L.DomEvent.on(head, "click", function () {
            setOpen(div.classList.contains("collapsed"));
          });
          function fit() {
            var box = map.getContainer().getBoundingClientRect();
            var top = map._controlCorners.topright.getBoundingClientRect();
            var below = div.parentNode ? div.parentNode.getBoundingClientRect().bottom
              - div.getBoundingClientRect().bottom : 10;
            var room = box.bottom - below - Math.max(top.bottom, box.top) - 12
              - head.offsetHeight;
            body.style.maxHeight = Math.max(room, 24) + "px";
          }
          function present(section) {
            var values = section[0].gisValuesInView ? section[0].gisValuesInView() : null;
            section[2].querySelectorAll("[data-value]").forEach(function (row) {
              row.style.display = !values || values.has(row.dataset.value) ? "" : "none";
            });
            section[2].querySelectorAll("[data-group]").forEach(function (group) {
              var rows = section[2].querySelectorAll(
                '[data-value^="' + group.dataset.group.replace(/"/g, "") + ':"]');
              var any = Array.prototype.some.call(rows, function (r) {
                return r.style.display !== "none";
              });
              group.style.display = any ? "" : "none";
            });
          }
          function sync() {
            var shown = 0;
            sections.forEach(function (section) {
              var on = map.hasLayer(section[0]);
              section[2].style.display = on ? "" : "none";
              if (on) { present(section); }
              shown += on ? 1 : 0;
            });
            div.style.display = shown ? "" : "none";
            fit();
          }
          var pending = null;
          function later() { clearTimeout(pending); pending = setTimeout(sync, 150); }
          map.on("overlayadd overlayremove layeradd layerremove resize", sync);
          map.on("moveend", later);
          sections.forEach(function (section) { section[0].on("load tileload", later); });
          window.addEventListener("resize", sync);
          map.gisLegend = {sync: sync, setOpen: setOpen, element: div};
          setOpen(map.getSize().x >= 600);
          sync();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, sections: list[tuple[str, str]], lang: str = DEFAULT_LANGUAGE) -> None:
        """`sections`: (JS variable name of a layer, legend HTML for it); header in `lang`."""
        super().__init__()
        self._name = "Legend"
        self.sections = sections
        self.title = t("web.layout.legend", lang)
        self.toggle = t("web.layout.legend_toggle", lang)


def section_html(title: str, body: str) -> str:
    """A legend section: the layer's title above its scale or swatches."""
    return f'<div class="gis-legend-title">{escape(title)}</div>{body}'


class MapChrome(MacroElement):
    """Plain background in place of a basemap, a metric-only scale, a flag-free credit, and
    the first view fitted to the data beside the legend, without animation (a screenshot
    taken right after loading would otherwise catch the zoom halfway). Add it last, after
    the legend it makes room for.

    The credit stays ("Leaflet", as text): without tiles there is no other attribution.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .folium-map.leaflet-container { background: {{ this.background }}; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
        (function (map) {
          var legend = map.getContainer().querySelector(".gis-legend");
          var right = legend && legend.offsetWidth ? legend.offsetWidth + 10 : 0;
          map.fitBounds({{ this.bounds|tojson }}, {
            paddingTopLeft: [24, 24], paddingBottomRight: [24 + right, 24],
            maxZoom: 18, animate: false
          });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, background: str, bounds: tuple[float, float, float, float]) -> None:
        """`bounds`: (west, south, east, north) of the data."""
        super().__init__()
        self._name = "MapChrome"
        self.background = check_color(background)
        west, south, east, north = bounds
        self.bounds = [[south, west], [north, east]]
