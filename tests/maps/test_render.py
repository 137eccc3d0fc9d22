"""feature_map: no basemap, fitted to the data, styled as asked, caller text escaped."""

from __future__ import annotations

import json
import re
from typing import Any

import folium
import pytest

from gis_app.maps import Category, CategoryStyle, FixedStyle, MapLayer, RampStyle, feature_map
from gis_app.maps.render import data_bounds


def _page_text(fmap: folium.Map) -> str:
    """The rendered page with JSON \\uXXXX escapes decoded: the text the page's scripts hold."""
    html = fmap.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)


def _geojson_layers(fmap: folium.Map) -> list[folium.GeoJson]:
    return [c for c in fmap._children.values() if isinstance(c, folium.GeoJson)]


def test_map_has_no_tiles_a_layer_control_and_a_legend(layers: list[MapLayer]) -> None:
    fmap = feature_map(layers)
    kinds = [type(c).__name__ for c in fmap._children.values()]
    assert "TileLayer" not in kinds
    assert kinds.count("GeoJson") == 2
    assert "LayerControl" in kinds and "Legend" in kinds
    html = _page_text(fmap)
    assert "L.tileLayer" not in html
    assert "候选地块 Candidate parcels" in html and "推荐 Recommended" in html
    assert "得分 Score" in html
    assert "L.control.scale({imperial: false})" in html


def test_map_is_fitted_to_the_data(layers: list[MapLayer]) -> None:
    west, south, east, north = data_bounds(layers)
    assert (west, south) == pytest.approx((120.10, 30.22))
    assert (east, north) == pytest.approx((120.138, 30.248))
    html = feature_map(layers).get_root().render()
    fitted = re.search(r"fitBounds\((\[\[.*?\]\])", html)
    assert fitted is not None
    (s, w), (n, e) = json.loads(fitted.group(1))
    assert (s, w, n, e) == pytest.approx((south, west, north, east))


def test_ramp_colours_follow_the_score(layers: list[MapLayer]) -> None:
    ramp = layers[0].style
    assert isinstance(ramp, RampStyle)
    assert ramp.color_for({"score": 0}) == ramp.colors[0]
    assert ramp.color_for({"score": 10}) == ramp.colors[-1]
    assert ramp.color_for({"score": 99}) == ramp.colors[-1]  # clamped
    assert ramp.color_for({"score": 5}) == ramp.colors[2]  # middle stop of five
    assert ramp.color_at(1.25) == "#d0ecc0"  # half way between #ffffcc and #a1dab4
    assert ramp.color_for({"score": None}) == ramp.no_data_color
    assert ramp.color_for({"score": "n/a"}) == ramp.no_data_color
    geo = _geojson_layers(feature_map(layers))[0]
    fills = {f["id"]: geo.style_function(f)["fillColor"] for f in geo.data["features"]}
    assert fills["0"] == ramp.colors[0] and fills["11"] == ramp.no_data_color
    assert len(set(fills.values())) == 12
    points = _geojson_layers(feature_map(layers))[1]
    style = points.style_function(points.data["features"][0])
    assert (style["color"], style["fillColor"], style["fillOpacity"]) == ("#ffffff", "#d7191c", 0.9)


def test_legend_shows_no_data_and_other_only_when_present(
    layers: list[MapLayer], sites: dict[str, Any]
) -> None:
    html = _page_text(feature_map(layers))
    assert "无数据 No data" in html  # one parcel has no score
    assert "其他 Other" not in html  # every site is yes or no
    sites["features"][0]["properties"]["advice"] = "maybe"
    assert "其他 Other" in _page_text(feature_map(layers))


def test_fixed_layers_get_no_legend_and_hidden_layers_start_off(parcels: dict[str, Any]) -> None:
    fmap = feature_map(
        [MapLayer(title="底图 Base", data=parcels, style=FixedStyle(color="#888"), shown=False)]
    )
    kinds = [type(c).__name__ for c in fmap._children.values()]
    assert "Legend" not in kinds
    assert _geojson_layers(fmap)[0].show is False


def test_caller_text_is_escaped(parcels: dict[str, Any]) -> None:
    parcels["features"][0]["properties"]["name"] = '<img src=x onerror="alert(1)">'
    layer = MapLayer(
        title="<b>地块</b>",
        data=parcels,
        style=CategoryStyle(
            property="code",
            categories=[
                Category(value="P00", color="#f00", label_zh="<i>x</i>", label_en="<i>x</i>")
            ],
        ),
        tooltip={"name": "<名称>"},
    )
    html = _page_text(feature_map([layer]))
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<b>地块</b>" not in html and "&lt;b&gt;地块&lt;/b&gt;" in html
    assert "<i>x</i>" not in html
    assert "&lt;名称&gt;" in html


def test_the_callers_data_is_left_untouched(
    layers: list[MapLayer], parcels: dict[str, Any]
) -> None:
    before = json.dumps(parcels, sort_keys=True)
    feature_map(layers)
    assert json.dumps(parcels, sort_keys=True) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"property": "s", "vmin": 0, "vmax": 1, "colors": ("#fff",)}, "at least two"),
        ({"property": "s", "vmin": 2, "vmax": 1, "colors": ("#fff", "#000")}, "min <= max"),
        ({"property": "s", "vmin": 0, "vmax": 1, "colors": ("#fff", "red;}")}, "not a #rgb"),
        ({"property": "s", "vmin": 0, "vmax": 1, "outline": "white"}, "not a #rgb"),
    ],
)
def test_bad_ramps_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RampStyle(**kwargs)


def test_projected_coordinates_and_empty_maps_are_refused(parcels: dict[str, Any]) -> None:
    parcels["features"][0]["geometry"]["coordinates"][0][0] = [500000.0, 3346000.0]
    with pytest.raises(ValueError, match="not lon/lat"):
        feature_map([MapLayer(title="x", data=parcels)])
    with pytest.raises(ValueError, match="no layer has a feature"):
        feature_map([MapLayer(title="x", data={"type": "FeatureCollection", "features": []})])
    with pytest.raises(ValueError, match="not a GeoJSON FeatureCollection"):
        feature_map([MapLayer(title="x", data={"type": "Feature"})])


def test_an_empty_result_layer_still_draws(parcels: dict[str, Any]) -> None:
    """A site selection that ranks nothing still gets its (empty) layer and legend."""
    empty = MapLayer(
        title="推荐选址 Ranked sites",
        data={"type": "FeatureCollection", "features": []},
        style=RampStyle(property="score", vmin=0, vmax=1, colors=("#fff", "#000")),
        tooltip={"score": "得分 Score"},
        popup={"score": "得分 Score"},
    )
    fmap = feature_map([MapLayer(title="地块 Parcels", data=parcels), empty])
    assert len(_geojson_layers(fmap)) == 2
    assert "推荐选址 Ranked sites" in _page_text(fmap)
