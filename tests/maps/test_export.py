"""(c) standalone HTML with nothing remote; (d) the system's headless Chromium shows it with
no console error and no request leaving the machine."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import folium
import numpy as np
import pytest
from PIL import Image

from gis_app.maps import MapLayer, assert_offline, feature_map, render_html, save_html, screenshot
from gis_app.maps.assets import VENDOR_DIR
from gis_app.maps.base import BACKGROUND
from gis_app.maps.export import BrowserCheckError, remote_urls

WIDTH, HEIGHT = 1000, 700


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _over_background(color: str, opacity: float) -> tuple[float, ...]:
    """What a fill of `color` at `opacity` looks like on the map's plain background."""
    return tuple(
        opacity * c + (1 - opacity) * b for c, b in zip(_rgb(color), _rgb(BACKGROUND), strict=True)
    )


def _pixels(png: Path, size: tuple[int, int]) -> np.ndarray:
    """The PNG's RGB pixels, after checking it is a PNG of `size`."""
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size == size
        return np.asarray(image.convert("RGB"), dtype=float)


def _share_near(pixels: np.ndarray, target: tuple[float, ...], tolerance: float = 4) -> float:
    """Share of the pixels within `tolerance` of `target` in every channel."""
    return float(np.all(np.abs(pixels - np.array(target)) <= tolerance, axis=-1).mean())


def test_standalone_export_contains_no_remote_url(layers: list[MapLayer], tmp_path: Path) -> None:
    path = save_html(feature_map(layers), tmp_path / "sites.html")
    html = path.read_text("utf-8")
    assert remote_urls(html) == []
    assert_offline(html)
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    assert 'src="vendor/' not in html and "/static/vendor/" not in html
    assert "Leaflet 1.9.3" in html and "jQuery v3.7.1" in html  # inlined, not linked
    assert "data:image/png;base64," in html  # the layer-control icon, inline
    assert "sourceMappingURL" not in html
    assert "data:font/" not in html  # no icon markers: no icon fonts
    assert len(html) < 900_000


def test_standalone_export_with_icon_markers_embeds_their_fonts(tmp_path: Path) -> None:
    fmap = folium.Map(location=[30.25, 120.15], zoom_start=14, tiles=None)
    folium.Marker([30.25, 120.15], icon=folium.Icon(icon="home", prefix="fa")).add_to(fmap)
    html = save_html(fmap, tmp_path / "icons.html").read_text("utf-8")
    assert "data:font/woff2;base64," in html
    assert '"Font Awesome 6 Free"' in html and '"Glyphicons Halflings"' in html
    assert ".ttf" not in html  # fallbacks that are not vendored are dropped
    assert_offline(html)


def test_screenshot_of_the_export(layers: list[MapLayer], chromium: Path, tmp_path: Path) -> None:
    html = save_html(feature_map(layers), tmp_path / "sites.html")
    png = screenshot(html, tmp_path / "sites.png", WIDTH, HEIGHT, executable=chromium)
    pixels = _pixels(png, (WIDTH, HEIGHT))
    assert pixels.mean(axis=-1).std() > 15, "the screenshot is (nearly) one flat colour"
    ramp = layers[0].style
    assert _share_near(pixels, _rgb(BACKGROUND)) > 0.2  # the plain background, no basemap
    for color in (ramp.colors[0], ramp.colors[-1], ramp.no_data_color):
        assert _share_near(pixels, _over_background(color, ramp.fill_opacity)) > 0.005, color


def test_screenshot_of_a_chosen_view(
    layers: list[MapLayer], chromium: Path, tmp_path: Path
) -> None:
    """Zoomed onto the lowest-scored parcel, its colour fills most of the picture."""
    html = save_html(feature_map(layers), tmp_path / "sites.html")
    png = screenshot(
        html,
        tmp_path / "zoom.png",
        400,
        300,
        bounds=(120.1015, 30.2215, 120.1065, 30.2265),
        executable=chromium,
    )
    lowest = _over_background(layers[0].style.colors[0], layers[0].style.fill_opacity)
    assert _share_near(_pixels(png, (400, 300)), lowest) > 0.5


def test_icon_markers_load_from_the_standalone_file(chromium: Path, tmp_path: Path) -> None:
    """Leaflet's default marker images and the icon fonts come from the file itself."""
    fmap = folium.Map(location=[30.25, 120.15], zoom_start=14, tiles=None)
    folium.Marker([30.25, 120.15]).add_to(fmap)
    folium.Marker([30.251, 120.152], icon=folium.Icon(icon="home", prefix="fa")).add_to(fmap)
    folium.Marker([30.249, 120.148], icon=folium.Icon(icon="info-sign")).add_to(fmap)
    html = save_html(fmap, tmp_path / "icons.html")
    png = screenshot(html, tmp_path / "icons.png", 400, 300, executable=chromium)
    assert _pixels(png, (400, 300)).mean(axis=-1).std() > 5


class _Quiet(http.server.SimpleHTTPRequestHandler):
    requested: list[str]

    def do_GET(self) -> None:
        self.requested.append(self.path)
        super().do_GET()

    def log_message(self, *_: object) -> None:
        """Keep the test output clean."""


@pytest.fixture
def app_like_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """web/vendor served at /static/vendor on 127.0.0.1, as the app serves it."""
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "vendor").symlink_to(VENDOR_DIR)
    requested: list[str] = []
    handler = type("Handler", (_Quiet,), {"requested": requested})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_served_page_loads_every_asset_from_the_app(
    layers: list[MapLayer], chromium: Path, tmp_path: Path, app_like_server: tuple[str, list[str]]
) -> None:
    base, requested = app_like_server  # serves tmp_path
    (tmp_path / "map.html").write_text(render_html(feature_map(layers)), encoding="utf-8")
    png = screenshot(
        f"{base}/map.html", tmp_path / "served.png", WIDTH, HEIGHT, executable=chromium
    )
    assert _share_near(_pixels(png, (WIDTH, HEIGHT)), _rgb(BACKGROUND)) > 0.2
    assert "/static/vendor/leaflet/leaflet.js" in requested
    assert "/static/vendor/leaflet/images/layers.png" in requested  # the layer-control icon


def test_a_page_reaching_out_fails_the_check(chromium: Path, tmp_path: Path) -> None:
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><html><body><img src="https://example.com/tile.png">'
        '<script>console.error("boom")</script></body></html>',
        encoding="utf-8",
    )
    with pytest.raises(BrowserCheckError) as caught:
        screenshot(page, tmp_path / "leaky.png", 200, 100, executable=chromium)
    report = caught.value.report
    assert report.blocked == ["https://example.com/tile.png"]
    assert "boom" in report.console_errors
    assert (tmp_path / "leaky.png").is_file()  # still written, to look at


def test_only_loopback_pages_are_shown(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not on this machine"):
        screenshot("https://example.com/", tmp_path / "x.png")
