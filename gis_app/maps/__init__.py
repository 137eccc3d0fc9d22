"""Maps drawn with folium/Leaflet that load nothing from the network (assets in web/vendor)."""

from gis_app.layers.style import Category, CategoryStyle, FixedStyle, RampStyle
from gis_app.maps.base import MapLayer
from gis_app.maps.export import assert_offline, render_html, save_html, screenshot
from gis_app.maps.render import feature_map

__all__ = [
    "Category",
    "CategoryStyle",
    "FixedStyle",
    "MapLayer",
    "RampStyle",
    "assert_offline",
    "feature_map",
    "render_html",
    "save_html",
    "screenshot",
]
