"""(a) Every asset folium's page loads has a vendored copy, and the links point at it."""

from __future__ import annotations

import re

import folium
import pytest
from folium.elements import JSCSSMixin

from gis_app.maps import MapLayer, feature_map
from gis_app.maps.assets import (
    REMOTE_TO_VENDORED,
    VENDOR_DIR,
    VENDORED_FILES,
    UnvendoredAssetError,
    cdn_key,
    localize,
)
from gis_app.maps.export import render_html

FOLIUM_URLS = [url for _, url in [*folium.Map.default_js, *folium.Map.default_css]]


def test_every_folium_default_url_has_a_vendored_file() -> None:
    assert len(FOLIUM_URLS) == 10
    for url in FOLIUM_URLS:
        assert cdn_key(url) in REMOTE_TO_VENDORED, f"folium loads {url}, which is not vendored"
    for rel in VENDORED_FILES:
        path = VENDOR_DIR / rel
        assert path.is_file() and path.stat().st_size > 0, rel


def test_each_package_keeps_its_licence_and_the_readme_lists_it() -> None:
    readme = (VENDOR_DIR / "README.md").read_text("utf-8")
    for package in {rel.split("/")[0] for rel in VENDORED_FILES}:
        licences = list((VENDOR_DIR / package).glob("LICENSE*"))
        assert licences, f"web/vendor/{package} has no LICENSE"
        assert f"`{package}/`" in readme


def test_vendored_css_refers_only_to_vendored_files() -> None:
    """Served from /static/vendor, every image and at least one font source must exist."""
    url = re.compile(r"url\(\s*[\"']?([^)\"']+)[\"']?\s*\)")
    for rel in VENDORED_FILES:
        if not rel.endswith(".css"):
            continue
        path = VENDOR_DIR / rel
        css = path.read_text("utf-8")
        for face in re.findall(r"@font-face\s*\{[^}]*\}", css):
            refs = [r.split("?")[0] for r in url.findall(face)]
            assert any((path.parent / r).is_file() for r in refs), f"{rel}: {face[:80]}"
        rest = re.sub(r"@font-face\s*\{[^}]*\}", "", css)
        for ref in url.findall(rest):
            if ref.startswith(("data:", "#")):
                continue
            assert (path.parent / ref).is_file(), f"{rel} refers to missing {ref}"


def test_leaflet_is_patched_to_carry_no_link_off_the_machine() -> None:
    leaflet = (VENDOR_DIR / "leaflet" / "leaflet.js").read_text("utf-8")
    assert "Leaflet 1.9.3" in leaflet
    assert 'href="https://leafletjs.com"' not in leaflet
    assert "<a title=" in leaflet


def test_localize_rewrites_every_link_of_a_built_map(layers: list[MapLayer]) -> None:
    fmap = feature_map(layers)
    html = render_html(fmap)
    for url in FOLIUM_URLS:
        assert url not in html
    for rel in REMOTE_TO_VENDORED.values():
        assert f'"/static/vendor/{rel}"' in html
    assert "cdn" not in html.lower()
    for element in [fmap, *fmap._children.values()]:
        if isinstance(element, JSCSSMixin):
            for _, url in [*element.default_js, *element.default_css]:
                assert url.startswith("/static/vendor/"), url
    # folium's class-level defaults, shared by every map, are left alone
    assert folium.Map.default_js[0][1].startswith("https://cdn.jsdelivr.net/")


def test_localize_can_move_a_page_to_another_prefix(layers: list[MapLayer]) -> None:
    fmap = localize(feature_map(layers), "/static/vendor/")
    html = localize(fmap, "/gis/assets/").get_root().render()
    assert '<script src="/gis/assets/leaflet/leaflet.js"></script>' in html
    assert "/static/vendor/" not in html


def test_a_plugin_with_no_vendored_copy_is_refused() -> None:
    from folium.plugins import MarkerCluster

    fmap = folium.Map(tiles=None)
    MarkerCluster().add_to(fmap)
    with pytest.raises(UnvendoredAssetError, match="markercluster"):
        localize(fmap)
