"""Catalog layers on a folium map: GeoJSON layers in the page, tiled ones through the
vendored Leaflet.VectorGrid, one legend, and nothing that reaches the network."""

from __future__ import annotations

import json

import folium
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gis_app.errors import NotFound
from gis_app.layers.catalog import get_layer
from gis_app.maps.assets import PLUGIN_TO_VENDORED, VENDOR_DIR
from gis_app.maps.catalog_map import add_catalog_layers, catalog_map, display_value
from gis_app.maps.export import assert_offline, render_html, standalone_html
from gis_app.maps.vector_tiles import CatalogVectorGrid

LAYERS = ["constraint_zones", "campuses", "parcels_landuse", "buildings_vacancy", "dem_hillshade"]


def _in_page(text: str, html: str) -> bool:
    """Text as written, or as the JSON folium puts scripts' data in."""
    return text in html or json.dumps(text)[1:-1] in html


@pytest.fixture(scope="module")
def bounds(busiest: dict) -> tuple[float, float, float, float]:
    lon, lat = busiest["lon"], busiest["lat"]
    return (lon - 0.02, lat - 0.015, lon + 0.02, lat + 0.015)


def test_map_of_catalog_layers_is_offline_and_complete(engine: Engine, bounds: tuple) -> None:
    with Session(engine) as session:
        fmap = catalog_map(LAYERS, "zh-CN", bounds, session=session)
    html = render_html(fmap)
    assert_offline(html)
    assert '"/static/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"' in html
    assert "/tiles/buildings_vacancy/{z}/{x}/{y}.mvt" in html
    assert "/tiles/parcels_landuse/{z}/{x}/{y}.mvt" in html
    assert "/tiles/campuses/" not in html  # GeoJSON, in the page
    assert _in_page("办公区", html)
    assert _in_page("空置率 (%)", html)  # the legend reads a 0..1 share as percent
    assert _in_page("用地分类（一级类）", html)
    assert "/api/v1/rasters/dem/image.png?style=hillshade" in html  # the DEM is registered


def test_added_layers_report_legend_and_skipped(engine: Engine, bounds: tuple) -> None:
    fmap = folium.Map(tiles=None)
    with Session(engine) as session:
        added = add_catalog_layers(fmap, LAYERS, "en", session=session, bbox=bounds)
    assert [i for i, _ in added.layers] == LAYERS
    assert added.skipped == []
    without_session = add_catalog_layers(folium.Map(tiles=None), ["dem_hillshade"], "en")
    assert without_session.skipped == ["dem_hillshade"]  # no session: where is it?
    assert len(added.legend) == 4  # campuses draw one colour: no legend; rasters have one
    assert isinstance(dict(added.layers)["buildings_vacancy"], CatalogVectorGrid)


def test_standalone_page_carries_vectorgrid_inline(engine: Engine, bounds: tuple) -> None:
    with Session(engine) as session:
        html = standalone_html(catalog_map(["buildings"], "en", bounds, session=session))
    assert "leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js" in html
    assert 'src="vendor/' not in html


def test_vectorgrid_is_vendored_with_its_licence() -> None:
    (rel,) = PLUGIN_TO_VENDORED.values()
    assert (VENDOR_DIR / rel).stat().st_size > 40_000
    assert "BEER-WARE" in (VENDOR_DIR / "leaflet.vectorgrid" / "LICENSE").read_text("utf-8")


def test_labels_reach_the_page_as_data_not_markup() -> None:
    spec = get_layer("roads")
    popup = spec.popup[0].model_copy(update={"label_en": "<img src=x onerror=alert(1)>"})
    hostile = spec.model_copy(update={"title_en": "</script><b>x</b>", "popup": [popup]})
    fmap = folium.Map(tiles=None)
    CatalogVectorGrid(hostile, "en").add_to(fmap)
    html = fmap.get_root().render()
    assert "<img src=x" not in html
    assert "</script><b>" not in html


def test_tiles_stay_on_this_app() -> None:
    with pytest.raises(ValueError, match="must be a path on this app"):
        CatalogVectorGrid(get_layer("roads"), "en", base_url="https://tiles.example.com")
    grid = CatalogVectorGrid(get_layer("roads"), "en", base_url="/gis/")
    assert grid.url == "/gis/tiles/roads/{z}/{x}/{y}.mvt"


def test_unknown_layer_and_missing_session() -> None:
    with pytest.raises(NotFound):
        add_catalog_layers(folium.Map(tiles=None), ["nope"], "en")
    with pytest.raises(ValueError, match="pass a session"):
        add_catalog_layers(folium.Map(tiles=None), ["campuses"], "en")


@pytest.mark.parametrize(
    ("index", "value", "lang", "shown"),
    [
        (1, 0.2346, "en", "23.5 %"),
        (2, 1234.5, "en", "1,234.5 m²"),
        (5, True, "zh-CN", "是"),
        (5, False, "en", "no"),
        (0, None, "en", "—"),
    ],
)
def test_popup_values_read_as_the_layer_file_says(
    index: int, value: object, lang: str, shown: str
) -> None:
    item = get_layer("buildings_vacancy").popup[index]
    assert display_value(item, value, lang) == shown
