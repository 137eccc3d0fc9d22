"""What every map here is made of: an offline folium map (no tiles: offices work without
internet, so the layers themselves are the picture, on a plain background), its layer
control, legend and fitted first view, and GeoJSON layers drawn from a `MapLayer`.

Everything a caller supplies (titles, labels, property values) is HTML-escaped here, because
Leaflet's layer control and folium's tooltips put that text into the page as markup.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

import folium

from gis_app.i18n import DEFAULT_LANGUAGE
from gis_app.layers.style import AnyStyle, FixedStyle, number
from gis_app.maps.controls import Legend, MapChrome

BBox = tuple[float, float, float, float]
BACKGROUND = "#f4f3ee"
"""The plain map background standing in for a basemap."""
RESULT_STROKE: dict[str, float] = {"weight": 1.5, "fill_opacity": 0.65, "radius": 6.0}
"""How result maps (land results) stroke their features: bolder than a layer file's
default, as they always have been."""


def _default_style() -> FixedStyle:
    return FixedStyle(color="#3388ff", **RESULT_STROKE)


@dataclass(frozen=True, kw_only=True)
class MapLayer:
    """One layer of the map: its features, how they are coloured and what they tell."""

    title: str
    """Shown in the layer control and legend, already in the reader's language."""
    data: Mapping[str, Any]
    """A GeoJSON FeatureCollection in lon/lat (EPSG:4490 is drawn as EPSG:4326)."""
    style: AnyStyle = field(default_factory=_default_style)
    tooltip: Mapping[str, str] = field(default_factory=dict)
    """Property name -> label, shown on hover, in this order."""
    popup: Mapping[str, str] = field(default_factory=dict)
    """Property name -> label, shown on click, in this order."""
    shown: bool = True
    """Whether the layer is on when the map opens (it stays in the layer control)."""
    caption: str | None = None
    """Legend caption of the styled property; defaults to its tooltip/popup label or name."""
    no_data_label: str | None = None
    """Legend text of features with no value (ramp) or an unlisted one (categories)."""


def features_of(layer: MapLayer) -> list[dict[str, Any]]:
    """The layer's features; ValueError when its data is not a FeatureCollection."""
    data = layer.data
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise ValueError(f"layer {layer.title!r}: data is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise ValueError(f"layer {layer.title!r}: FeatureCollection has no features list")
    return features


def _display_copy(layer: MapLayer, features: list[dict[str, Any]]) -> dict[str, Any]:
    """The layer's features as the page gets them: ids, escaped text, only shown fields.

    Each feature gets its index as id so folium can key styles on it (its own guess uses
    the first unique property and breaks on names that are not JS identifiers).
    """
    fields = list(dict.fromkeys([*layer.tooltip, *layer.popup]))
    shown: list[dict[str, Any]] = []
    for index, feature in enumerate(features):
        if not feature.get("geometry"):
            continue
        properties = feature.get("properties") or {}
        display: dict[str, Any] = {}
        for name in fields:
            value = properties.get(name)
            if isinstance(value, str):
                value = escape(value)
            elif value is not None and number(value) is None:
                value = escape(str(value))
            display[name] = value
        shown.append(
            {
                "type": "Feature",
                "id": str(index),
                "geometry": copy.deepcopy(feature["geometry"]),
                "properties": display,
            }
        )
    return {"type": "FeatureCollection", "features": shown}


def _detail(kind: type[folium.GeoJsonTooltip | folium.GeoJsonPopup], fields: Mapping[str, str]):
    if not fields:
        return None
    aliases = [escape(label) for label in fields.values()]
    options: dict[str, Any] = {"sticky": True} if kind is folium.GeoJsonTooltip else {}
    return kind(fields=list(fields), aliases=aliases, localize=True, labels=True, **options)


def _feature_style(style: AnyStyle, fill: str, feature: Mapping[str, Any]) -> dict[str, Any]:
    """Leaflet options of one feature: a line is stroked only (a filled polyline would paint
    the area between its ends)."""
    options = style.path_style(fill)
    kind = (feature.get("geometry") or {}).get("type", "")
    if "LineString" in kind:
        options["fill"] = False
    return options


def geojson_layer(layer: MapLayer) -> folium.GeoJson:
    """The folium layer of a `MapLayer`: each feature coloured by the style, its tooltip and
    popup fields escaped; the caller's data is left untouched."""
    features = features_of(layer)
    style = layer.style
    by_id = {str(i): style.color_for(f.get("properties") or {}) for i, f in enumerate(features)}
    data = _display_copy(layer, features)
    has_features = bool(data["features"])  # folium's tooltip fails on an empty layer
    return folium.GeoJson(
        data,
        name=escape(layer.title),
        show=layer.shown,
        style_function=lambda f, s=style, c=by_id: _feature_style(s, c[f["id"]], f),
        highlight_function=lambda _f, s=style: {"weight": s.weight + 2, "color": "#222222"},
        marker=folium.CircleMarker(radius=style.radius),
        tooltip=_detail(folium.GeoJsonTooltip, layer.tooltip) if has_features else None,
        popup=_detail(folium.GeoJsonPopup, layer.popup) if has_features else None,
        zoom_on_click=False,
    )


def offline_map(bounds: BBox, *, max_zoom: int, zoom_start: int = 12) -> folium.Map:
    """An empty map centred on `bounds` (west, south, east, north), with no tiles: a
    basemap, if any, is the page's to add."""
    west, south, east, north = bounds
    return folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=zoom_start,
        tiles=None,
        maxZoom=max_zoom,
        zoomSnap=0.25,
    )


def base_map(
    layers: Iterable[folium.map.Layer],
    legend: list[tuple[str, str]],
    bounds: BBox,
    *,
    max_zoom: int,
    collapsed: bool = True,
    lang: str = DEFAULT_LANGUAGE,
) -> folium.Map:
    """An offline map of `layers` (first drawn lowest) on the plain background, with a layer
    control (`collapsed` or open), the `legend` sections (see `controls.Legend`) and its
    first view fitted to `bounds` (west, south, east, north); the legend's header is in
    `lang`."""
    fmap = offline_map(bounds, max_zoom=max_zoom)
    for layer in layers:
        layer.add_to(fmap)
    folium.LayerControl(collapsed=collapsed).add_to(fmap)
    if legend:
        Legend(legend, lang).add_to(fmap)
    MapChrome(BACKGROUND, bounds).add_to(fmap)
    return fmap
