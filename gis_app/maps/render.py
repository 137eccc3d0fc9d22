"""Catalog layers (GeoJSON in lon/lat) drawn as a folium map with no online basemap.

The map has no tiles at all: offices work without internet, so the layers themselves are
the picture, on a plain background, fitted to the data. Everything the caller supplies
(titles, labels, property values) is HTML-escaped here, because Leaflet's layer control and
folium's tooltips put that text into the page as markup.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

import folium

from gis_app.maps.controls import Legend, MapChrome, category_html, ramp_html, section_html
from gis_app.maps.style import (
    CategoryStyle,
    FixedStyle,
    LayerStyle,
    RampStyle,
    feature_style,
    number,
)

BACKGROUND = "#f4f3ee"
"""The plain map background standing in for a basemap."""


@dataclass(frozen=True, kw_only=True)
class MapLayer:
    """One layer of the map: its features, how they are coloured and what they tell."""

    title: str
    """Shown in the layer control and legend, already in the reader's language."""
    data: Mapping[str, Any]
    """A GeoJSON FeatureCollection in lon/lat (EPSG:4490 is drawn as EPSG:4326)."""
    style: LayerStyle = field(default_factory=FixedStyle)
    tooltip: Mapping[str, str] = field(default_factory=dict)
    """Property name -> label, shown on hover, in this order."""
    popup: Mapping[str, str] = field(default_factory=dict)
    """Property name -> label, shown on click, in this order."""
    shown: bool = True
    """Whether the layer is on when the map opens (it stays in the layer control)."""


def _features(layer: MapLayer) -> list[dict[str, Any]]:
    data = layer.data
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise ValueError(f"layer {layer.title!r}: data is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise ValueError(f"layer {layer.title!r}: FeatureCollection has no features list")
    return features


def _positions(coords: Any) -> Iterable[tuple[float, float]]:
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], int | float):
        yield float(coords[0]), float(coords[1])
    elif isinstance(coords, list | tuple):
        for part in coords:
            yield from _positions(part)


def _geometry_positions(geometry: Mapping[str, Any] | None) -> Iterable[tuple[float, float]]:
    if not geometry:
        return
    if geometry.get("type") == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            yield from _geometry_positions(part)
    else:
        yield from _positions(geometry.get("coordinates"))


def data_bounds(layers: Iterable[MapLayer]) -> tuple[float, float, float, float]:
    """(west, south, east, north) of every feature; refuses coordinates that are not lon/lat."""
    west = south = float("inf")
    east = north = float("-inf")
    for layer in layers:
        for feature in _features(layer):
            for lon, lat in _geometry_positions(feature.get("geometry")):
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValueError(
                        f"layer {layer.title!r}: coordinate ({lon}, {lat}) is not lon/lat; "
                        "transform to EPSG:4490 or EPSG:4326 first"
                    )
                west, east = min(west, lon), max(east, lon)
                south, north = min(south, lat), max(north, lat)
    if west > east:
        raise ValueError("no layer has a feature with coordinates to show")
    return west, south, east, north


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


def _legend_section(layer: MapLayer, features: list[dict[str, Any]]) -> str | None:
    style = layer.style
    if isinstance(style, FixedStyle):
        return None
    caption = (
        style.label
        or layer.tooltip.get(style.property)
        or layer.popup.get(style.property)
        or style.property
    )
    values = [(f.get("properties") or {}).get(style.property) for f in features]
    if isinstance(style, RampStyle):
        has_no_data = any(number(v) is None for v in values)
        body = ramp_html(style, caption, has_no_data)
    else:
        body = category_html(style, caption, _has_unlisted(style, values))
    return section_html(layer.title, body)


def _has_unlisted(style: CategoryStyle, values: list[Any]) -> bool:
    listed = set(style.colors)
    for value in values:
        try:
            if value not in listed:
                return True
        except TypeError:
            return True
    return False


def _detail(kind: type[folium.GeoJsonTooltip | folium.GeoJsonPopup], fields: Mapping[str, str]):
    if not fields:
        return None
    aliases = [escape(label) for label in fields.values()]
    options: dict[str, Any] = {"sticky": True} if kind is folium.GeoJsonTooltip else {}
    return kind(fields=list(fields), aliases=aliases, localize=True, labels=True, **options)


def feature_map(
    layers: list[MapLayer], empty_bounds: tuple[float, float, float, float] | None = None
) -> folium.Map:
    """A folium map of `layers` (first drawn lowest), fitted to their data, or to
    `empty_bounds` when no layer has a feature (an empty result is an empty map, not an error).

    Ramp and category layers get a legend section; a layer control lists every layer.
    Links still point at folium's CDNs: export with `gis_app.maps.export` (or call
    `gis_app.maps.assets.localize`) to get a page that loads nothing from the network.
    """
    if not layers:
        raise ValueError("a map needs at least one layer")
    has_data = any(f.get("geometry") for layer in layers for f in _features(layer))
    if not has_data and empty_bounds is not None:
        west, south, east, north = empty_bounds
    else:
        west, south, east, north = data_bounds(layers)
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=12,
        tiles=None,
        maxZoom=20,
        zoomSnap=0.25,
    )
    sections: list[tuple[str, str]] = []
    for layer in layers:
        features = _features(layer)
        style = layer.style
        by_id = {str(i): style.color_for(f.get("properties") or {}) for i, f in enumerate(features)}
        data = _display_copy(layer, features)
        has_features = bool(data["features"])  # folium's tooltip fails on an empty layer
        geojson = folium.GeoJson(
            data,
            name=escape(layer.title),
            show=layer.shown,
            style_function=lambda f, s=style, c=by_id: feature_style(s, c[f["id"]], f),
            highlight_function=lambda _f, s=style: {"weight": s.weight + 2, "color": "#222222"},
            marker=folium.CircleMarker(radius=style.radius),
            tooltip=_detail(folium.GeoJsonTooltip, layer.tooltip) if has_features else None,
            popup=_detail(folium.GeoJsonPopup, layer.popup) if has_features else None,
            zoom_on_click=False,
        )
        geojson.add_to(fmap)
        section = _legend_section(layer, features)
        if section is not None:
            sections.append((geojson.get_name(), section))
    folium.LayerControl().add_to(fmap)
    if sections:
        Legend(sections).add_to(fmap)
    if (west, south) == (east, north):  # one point: show its surroundings, not zoom 18
        west, south, east, north = west - 0.002, south - 0.002, east + 0.002, north + 0.002
    MapChrome(BACKGROUND, (west, south, east, north)).add_to(fmap)
    return fmap
