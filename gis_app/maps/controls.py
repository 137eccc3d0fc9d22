"""Map furniture: a plain background, a metric scale, and a legend for styled layers.

The legend is built as plain HTML in Python (escaped) and handed to the page as a JSON
string, so caller text such as layer titles can never break out into markup or script.
"""

from __future__ import annotations

from html import escape

from branca.element import MacroElement
from folium.template import Template

from gis_app.layers.fields import check_color
from gis_app.layers.style import CategoryStyle, RampStyle


def format_value(value: float) -> str:
    """A legend number: grouped thousands for large values, a few digits for small ones."""
    if abs(value) >= 1000 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _swatch(color: str, text: str) -> str:
    return (
        f'<div class="gis-legend-row"><i style="background:{color}"></i>'
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
    """One swatch per category (labels in `lang`), in the style's order; `other` is the text
    of a swatch for unlisted values (None: no swatch)."""
    rows = [f'<div class="gis-legend-caption">{escape(caption)}</div>']
    rows += [_swatch(c.color, c.label(lang)) for c in style.categories]
    if other is not None:
        rows.append(_swatch(style.other_color, other))
    return "".join(rows)


class Legend(MacroElement):
    """Bottom-right legend; each section follows its layer in the layer control."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .gis-legend { background: rgba(255, 255, 255, 0.92); padding: 6px 10px;
            border-radius: 4px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3);
            font: 12px/1.4 sans-serif; max-width: 260px; }
          .gis-legend-section + .gis-legend-section { margin-top: 8px; }
          .gis-legend-title { font-weight: bold; }
          .gis-legend-caption { color: #444; }
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
          control.onAdd = function () {
            L.DomEvent.disableClickPropagation(div);
            sections.forEach(function (section) {
              var part = L.DomUtil.create("div", "gis-legend-section", div);
              part.innerHTML = section[1];
              section.push(part);
            });
            return div;
          };
          control.addTo(map);
          function sync() {
            var shown = 0;
            sections.forEach(function (section) {
              var on = map.hasLayer(section[0]);
              section[2].style.display = on ? "" : "none";
              shown += on ? 1 : 0;
            });
            div.style.display = shown ? "" : "none";
          }
          map.on("overlayadd overlayremove", sync);
          sync();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, sections: list[tuple[str, str]]) -> None:
        """`sections`: (JS variable name of a layer, legend HTML for it)."""
        super().__init__()
        self._name = "Legend"
        self.sections = sections


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
