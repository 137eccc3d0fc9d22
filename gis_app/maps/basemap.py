"""The optional online basemap (off by default): OpenStreetMap or 天地图 (Tianditu, CGCS2000
coordinates on web mercator tiles, no GCJ-02 shift, so our data sits right on it). Its key
comes from settings, never from code, and only its tile host may appear in a page."""

from __future__ import annotations

from urllib.parse import urlsplit

import folium

from gis_app.config import Settings

TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def add_basemap(fmap: folium.Map, settings: Settings) -> frozenset[str]:
    """Put the configured basemap under `fmap`; returns the hosts the page may then load."""
    if settings.basemap == "osm":
        folium.TileLayer(
            OSM, attr="© OpenStreetMap contributors", name="OpenStreetMap", max_zoom=19
        ).add_to(fmap)
        return frozenset({urlsplit(OSM).hostname or ""})
    if settings.basemap == "tianditu":
        hosts = set()
        for layer, name in (("vec", "天地图"), ("cva", "天地图注记")):
            url = TIANDITU.format(s="{s}", layer=layer, key=settings.tianditu_key)
            folium.TileLayer(
                url,
                attr="© 天地图 Tianditu",
                name=name,
                subdomains="01234567",
                max_zoom=18,
                overlay=layer == "cva",
            ).add_to(fmap)
            hosts |= {f"t{i}.tianditu.gov.cn" for i in range(8)} | {"t{s}.tianditu.gov.cn"}
        return frozenset(hosts)
    return frozenset()
