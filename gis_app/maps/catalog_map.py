"""Catalog layers on a folium map: small layers as GeoJSON drawn by `gis_app.maps.base`,
large ones as vector tiles (Leaflet.VectorGrid, vendored) from `/tiles/...`,
both coloured and explained from the layer files, with one legend.

Vector-tile layers fetch their tiles from the app, so a page holding them must be served by
it (`base_url` is the app's root path, e.g. "" or "/gis"); the GeoJSON layers are in the page.
Raster overlays are pictures from the raster API over the raster's bounds, with a legend
like any layer; one not registered (or any, in an inline page) is reported as skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from typing import Any, TypedDict, Unpack

import folium
from branca.element import MacroElement
from folium.template import Template
from sqlalchemy.orm import Session

from gis_app.i18n import t
from gis_app.layers import catalog
from gis_app.layers.catalog import LayerSpec, PopupField, RasterSource
from gis_app.layers.describe import format_number
from gis_app.layers.query import layer_features, raster_footprint
from gis_app.layers.style import CategoryStyle, FixedStyle, number
from gis_app.maps.base import BBox, MapLayer, base_map, geojson_layer
from gis_app.maps.controls import category_html, ramp_html, section_html
from gis_app.maps.vector_tiles import CatalogVectorGrid


@dataclass
class AddedLayers:
    """The folium layers `catalog_layers` made, for the caller's map, legend and layer
    control."""

    layers: list[tuple[str, folium.map.Layer]] = field(default_factory=list)
    """(layer id, the folium layer), in catalog order."""
    legend: list[tuple[str, str]] = field(default_factory=list)
    """Legend sections: (JS name of the folium layer, HTML), ready for `controls.Legend`."""
    skipped: list[str] = field(default_factory=list)
    """Raster overlays, which this module does not draw."""


class LayerOptions(TypedDict, total=False):
    """Where `catalog_layers` reads features and tiles from, and whether it inlines them."""

    session: Session | None
    bbox: BBox | None
    base_url: str
    inline: bool


# --- colours and legend -------------------------------------------------------------------


def _caption(spec: LayerSpec, lang: str) -> str:
    legend = spec.legend
    caption = (
        catalog.pick(lang, legend.caption_zh, legend.caption_en)
        if legend.caption_zh
        else spec.title(lang)
    )
    return f"{caption} ({legend.unit})" if legend.unit else caption


def legend_html(spec: LayerSpec, lang: str, present: set[Any] | None = None) -> str | None:
    """The layer's legend section, or None (a fixed colour, or hidden by the layer file).
    `present`: the category values the drawn features have (a printed view lists only
    those: land use has some 50 classes in three schemes); None lists every category."""
    legend, style = spec.legend, spec.style
    if not legend.show or isinstance(style, FixedStyle):
        return None
    caption = _caption(spec, lang)
    if isinstance(style, CategoryStyle) and present is not None:
        kept = [c for c in style.categories if c.value in present]
        style = style.model_copy(update={"categories": kept or style.categories})
    if isinstance(style, CategoryStyle):
        other = legend.no_data_label(lang, "layers.other") if legend.no_data else None
        return section_html(spec.title(lang), category_html(style, lang, caption, other))
    no_data = legend.no_data_label(lang, "layers.no_data") if legend.no_data else None
    if legend.format == "percent":  # a 0..1 share reads as 0..100 %
        style = style.model_copy(update={"vmin": style.vmin * 100, "vmax": style.vmax * 100})
        caption = f"{caption} (%)"
    return section_html(spec.title(lang), ramp_html(style, caption, no_data))


# --- popups -------------------------------------------------------------------------------


def display_value(item: PopupField, value: Any, lang: str) -> str:
    """A popup value as the reader sees it: grouped numbers, percent, yes/no, with unit."""
    if value is None:
        return "—"
    if item.format == "yesno":
        text = t("layers.yes" if value else "layers.no", lang)
    elif item.format in ("number", "percent") and number(value) is not None:
        text = format_number(float(value), item.format, item.digits)
    else:
        text = str(value)
    return f"{text} {item.unit}" if item.unit else text


# --- GeoJSON layers -----------------------------------------------------------------------


def geojson_map_layer(session: Session, spec: LayerSpec, lang: str, bbox: BBox | None) -> MapLayer:
    """A small layer's features in `bbox` (at most `max_features`) as a `MapLayer`; each
    popup field becomes a display text `popup_<i>`, so numbers read as the layer file says."""
    rows, _ = layer_features(
        session, spec, bbox, limit=spec.max_features, fields=spec.used_fields()
    )
    features = []
    for row in rows:
        properties = {k: v for k, v in row.items() if k not in ("id", "geometry")}
        for i, item in enumerate(spec.popup):
            properties[f"popup_{i}"] = display_value(item, row.get(item.shown_field(lang)), lang)
        features.append(
            {"type": "Feature", "geometry": _json(row["geometry"]), "properties": properties}
        )
    labels = {
        f"popup_{i}": catalog.pick(lang, p.label_zh, p.label_en) for i, p in enumerate(spec.popup)
    }
    tooltip_keys = [f"popup_{i}" for i, p in enumerate(spec.popup) if p.tooltip]
    return MapLayer(
        title=spec.title(lang),
        data={"type": "FeatureCollection", "features": features},
        style=spec.style,
        tooltip={k: labels[k] for k in tooltip_keys},
        popup=labels,
        shown=spec.visible,
    )


def _json(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


# --- whole maps ---------------------------------------------------------------------------


def _raster_overlay(
    session: Session | None, spec: LayerSpec, lang: str, base_url: str
) -> folium.raster_layers.ImageOverlay | None:
    """The registered raster as a picture from GET /api/v1/rasters/{code}/image.png over its
    bounds; None when it is not registered (or there is no session to look it up)."""
    assert isinstance(spec.source, RasterSource)
    if session is None:
        return None
    bounds = raster_footprint(session, spec.source.raster)
    if bounds is None:
        return None
    style = "hillshade" if spec.source.render == "hillshade" else "ramp"
    url = f"{base_url.rstrip('/')}/api/v1/rasters/{spec.source.raster}/image.png?style={style}"
    west, south, east, north = bounds
    overlay = folium.raster_layers.ImageOverlay(
        "data:,",
        bounds=[[south, west], [north, east]],
        opacity=spec.source.opacity,
        name=escape(spec.title(lang)),
        show=spec.visible,
        interactive=False,
    )
    overlay.url = url  # folium would read a path given as the image from disk
    return overlay


def catalog_layers(
    layer_ids: list[str],
    lang: str,
    *,
    session: Session | None = None,
    bbox: BBox | None = None,
    base_url: str = "",
    inline: bool = False,
) -> AddedLayers:
    """The folium layers of the catalog layers `layer_ids` (first drawn lowest), not yet on
    a map; `inline` puts every vector layer's features in `bbox` into the page (for a file
    that must work with no server), tiled ones included, at most `max_features` each.

    GeoJSON layers read their features in `bbox` through `session` (needed when any is
    asked for); tiled layers load tiles from `base_url` + `/tiles/...` in the browser.
    Unknown ids are NotFound.
    """
    added = AddedLayers()
    for layer_id in layer_ids:
        spec = catalog.get_layer(layer_id)
        element: folium.map.Layer | None
        present: set[Any] | None = None
        if isinstance(spec.source, RasterSource):
            element = None if inline else _raster_overlay(session, spec, lang, base_url)
            if element is None:
                added.skipped.append(spec.id)
                continue
        elif spec.delivery == "geojson" or inline:
            if session is None:
                raise ValueError(f"layer {spec.id} is drawn from GeoJSON: pass a session")
            drawn = geojson_map_layer(session, spec, lang, bbox)
            element = geojson_layer(drawn)
            if inline and isinstance(spec.style, CategoryStyle):
                key = spec.style.property
                present = {f["properties"].get(key) for f in drawn.data["features"]}
        else:
            element = CatalogVectorGrid(spec, lang, base_url)
        added.layers.append((spec.id, element))
        section = legend_html(spec, lang, present)
        if section is not None:
            added.legend.append((element.get_name(), section))
    return added


def add_catalog_layers(
    fmap: folium.Map, layer_ids: list[str], lang: str, **options: Unpack[LayerOptions]
) -> AddedLayers:
    """`catalog_layers` put on `fmap`. The caller adds the layer control and
    `Legend(added.legend)` (as `catalog_map` does), so several sources of layers can share
    one legend."""
    added = catalog_layers(layer_ids, lang, **options)
    for _, element in added.layers:
        element.add_to(fmap)
    return added


def catalog_map(
    layer_ids: list[str],
    lang: str,
    bounds: BBox,
    *,
    session: Session | None = None,
    base_url: str = "",
    inline: bool = False,
) -> folium.Map:
    """A map of catalog layers over `bounds` (west, south, east, north), with an open layer
    control and one legend; no basemap (the layers are the picture). Render it with
    `gis_app.maps.export.render_html`, which points its scripts at the vendored copies."""
    added = catalog_layers(
        layer_ids, lang, session=session, bbox=bounds, base_url=base_url, inline=inline
    )
    layers = [element for _, element in added.layers]
    fmap = base_map(layers, added.legend, bounds, max_zoom=22, collapsed=False, lang=lang)
    LayerIndex(added.layers).add_to(fmap)
    return fmap


class LayerIndex(MacroElement):
    """`window.GIS_LAYERS[<layer id>]`: every catalog layer of the map by its id, rasters
    included, so a page's script can switch layers by id and write them into its URL."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.GIS_LAYERS = window.GIS_LAYERS || {};
        {%- for layer_id, name in this.names %}
        window.GIS_LAYERS[{{ layer_id|tojson }}] = {{ name }};
        {%- endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, layers: list[tuple[str, folium.map.Layer]]) -> None:
        super().__init__()
        self._name = "LayerIndex"
        self.names = [(layer_id, element.get_name()) for layer_id, element in layers]
