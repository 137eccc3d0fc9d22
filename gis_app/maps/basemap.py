"""The optional online basemap (off by default), described as data in `layers/basemaps/`:
OpenStreetMap or 天地图 (Tianditu: CGCS2000 coordinates on web-mercator tiles, no GCJ-02
shift, so our data sits right on it). Its key comes from settings, never from code, and
only its tile hosts may appear in a page."""

from __future__ import annotations

import tomllib
from urllib.parse import urlsplit

import folium

from gis_app.config import PROJECT_ROOT, Settings

BASEMAPS_DIR = PROJECT_ROOT / "layers" / "basemaps"


def add_basemap(fmap: folium.Map, settings: Settings) -> frozenset[str]:
    """Put the configured basemap under `fmap`; returns the hosts the page may then load."""
    if settings.basemap == "none":
        return frozenset()
    spec = tomllib.loads((BASEMAPS_DIR / f"{settings.basemap}.toml").read_text("utf-8"))
    hosts: set[str] = set()
    for tiles in spec["tiles"]:
        url = tiles["url"].replace("{key}", settings.tianditu_key or "")
        folium.TileLayer(
            url,
            attr=spec["attribution"],
            name=tiles.get("name", spec["name"]),
            subdomains=spec.get("subdomains", "abc"),
            max_zoom=spec["max_zoom"],
            overlay=tiles.get("overlay", False),
        ).add_to(fmap)
        host = urlsplit(url).hostname or ""
        hosts |= {host, *(host.replace("{s}", s) for s in spec.get("subdomains", ""))}
    return frozenset(hosts)
