"""GeoJSON layers (in lon/lat) drawn as an offline folium map fitted to their data, with a
legend for each styled layer that says only what the data holds (a no-data swatch only when
a feature has no value)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import folium

from gis_app.i18n import DEFAULT_LANGUAGE
from gis_app.layers.style import CategoryStyle, FixedStyle, RampStyle, number
from gis_app.maps.base import BBox, MapLayer, base_map, features_of, geojson_layer
from gis_app.maps.controls import category_html, ramp_html, section_html

NO_DATA_LABEL = "无数据 No data"
"""Legend text of features with no value on a ramp, unless the layer says otherwise."""
OTHER_LABEL = "其他 Other"
"""Legend text of features of an unlisted category, unless the layer says otherwise."""


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


def data_bounds(layers: Iterable[MapLayer]) -> BBox:
    """(west, south, east, north) of every feature; refuses coordinates that are not lon/lat."""
    west = south = float("inf")
    east = north = float("-inf")
    for layer in layers:
        for feature in features_of(layer):
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


def _legend_section(layer: MapLayer, features: list[dict[str, Any]], lang: str) -> str | None:
    style = layer.style
    if isinstance(style, FixedStyle):
        return None
    caption = (
        layer.caption
        or layer.tooltip.get(style.property)
        or layer.popup.get(style.property)
        or style.property
    )
    values = [(f.get("properties") or {}).get(style.property) for f in features]
    if isinstance(style, RampStyle):
        has_no_data = any(number(v) is None for v in values)
        no_data = layer.no_data_label or NO_DATA_LABEL
        body = ramp_html(style, caption, no_data if has_no_data else None)
    else:
        other = layer.no_data_label or OTHER_LABEL
        body = category_html(style, lang, caption, other if _has_unlisted(style, values) else None)
    return section_html(layer.title, body)


def _has_unlisted(style: CategoryStyle, values: list[Any]) -> bool:
    listed = {c.value for c in style.categories}
    for value in values:
        try:
            if value not in listed:
                return True
        except TypeError:
            return True
    return False


def feature_map(
    layers: list[MapLayer], empty_bounds: BBox | None = None, *, lang: str = DEFAULT_LANGUAGE
) -> folium.Map:
    """A folium map of `layers` (first drawn lowest), fitted to their data, or to
    `empty_bounds` when no layer has a feature (an empty result is an empty map, not an error).

    Ramp and category layers get a legend section (category labels in `lang`); a layer
    control lists every layer. Links still point at folium's CDNs: export with
    `gis_app.maps.export` (or call `gis_app.maps.assets.localize`) to get a page that loads
    nothing from the network.
    """
    if not layers:
        raise ValueError("a map needs at least one layer")
    has_data = any(f.get("geometry") for layer in layers for f in features_of(layer))
    if not has_data and empty_bounds is not None:
        west, south, east, north = empty_bounds
    else:
        west, south, east, north = data_bounds(layers)
    elements: list[folium.GeoJson] = []
    sections: list[tuple[str, str]] = []
    for layer in layers:
        element = geojson_layer(layer)
        elements.append(element)
        section = _legend_section(layer, features_of(layer), lang)
        if section is not None:
            sections.append((element.get_name(), section))
    if (west, south) == (east, north):  # one point: show its surroundings, not zoom 18
        west, south, east, north = west - 0.002, south - 0.002, east + 0.002, north + 0.002
    return base_map(elements, sections, (west, south, east, north), max_zoom=20, lang=lang)
