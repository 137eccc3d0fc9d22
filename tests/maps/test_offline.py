"""(b) assert_offline: catches every way a page can reach the network, and only those."""

from __future__ import annotations

import base64

import pytest

from gis_app.maps.export import OfflineViolation, assert_offline, remote_urls

PLANTED = [
    (
        '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>',
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    ),
    (
        '<link rel="stylesheet" href="//cdnjs.cloudflare.com/x.css"/>',
        "//cdnjs.cloudflare.com/x.css",
    ),
    ("<img src=http://example.com/a.png>", "http://example.com/a.png"),
    ('<img data-src="https://example.com/lazy.png">', "https://example.com/lazy.png"),
    ('<img srcset="a.png 1x, https://example.com/b.png 2x">', "https://example.com/b.png"),
    (
        "<style>.x { background: url('https://example.com/bg.png') }</style>",
        "https://example.com/bg.png",
    ),
    (
        "<style>@font-face { src: url(//fonts.example.com/f.woff2) }</style>",
        "//fonts.example.com/f.woff2",
    ),
    (
        '<style>@import "https://fonts.googleapis.com/css?family=Roboto";</style>',
        "https://fonts.googleapis.com/css?family=Roboto",
    ),
    (
        '<script>L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png").addTo(m);</script>',
        "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
    ),
    ("<script>fetch('//api.example.com/data.json')</script>", "//api.example.com/data.json"),
    (
        '<script>div.innerHTML = "<a href=\\"https://example.com/\\">x</a>";</script>',
        "https://example.com/",
    ),
    ('<meta http-equiv="refresh" content="0; url=https://example.com/">', "https://example.com/"),
    (
        '<a href="http://www.w3.org/2000/svg">a namespace used as a link is a link</a>',
        "http://www.w3.org/2000/svg",
    ),
    ('<script src="wss://example.com/socket"></script>', "wss://example.com/socket"),
]


@pytest.mark.parametrize(("snippet", "url"), PLANTED)
def test_planted_remote_url_is_caught(snippet: str, url: str) -> None:
    page = f"<!DOCTYPE html><html><head></head><body>{snippet}</body></html>"
    with pytest.raises(OfflineViolation) as caught:
        assert_offline(page)
    assert url in [found for _, found in caught.value.found]
    assert url in str(caught.value)


def test_remote_url_hidden_in_a_base64_iframe_popup_is_caught() -> None:
    inner = '<html><body><img src="https://example.com/photo.jpg"></body></html>'
    encoded = base64.b64encode(inner.encode()).decode()
    page = f'<iframe src="data:text/html;charset=utf-8;base64,{encoded}"></iframe>'
    assert [url for _, url in remote_urls(page)] == ["https://example.com/photo.jpg"]


def test_namespaces_data_uris_local_links_and_comments_pass() -> None:
    page = """<!DOCTYPE html><html><head>
    <meta http-equiv="content-type" content="text/html; charset=UTF-8" />
    <script src="/static/vendor/leaflet/leaflet.js"></script>
    <link rel="stylesheet" href="vendor/leaflet/leaflet.css"/>
    <style>
      /* Bootstrap v5.2.2 (https://getbootstrap.com/) */
      .a { background: url("data:image/svg+xml,%3csvg xmlns='http://www.w3.org/2000/svg'%3e%3c/svg%3e") }
      .b { background: url(images/layers.png) } .c { behavior: url(#default#VML) }
    </style></head><body>
    <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"></svg>
    <a href="#top">top</a> <a href="mailto:office@example.gov.cn">mail</a>
    <img src="data:image/png;base64,iVBORw0KGgo=">
    <script>
      // Licensed under MIT (https://github.com/twbs/bootstrap/blob/main/LICENSE)
      var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      var re = /^\\/\\//; var tip = "tooltips require Popper (https://popper.js.org)";
    </script></body></html>"""
    assert remote_urls(page) == []
    assert_offline(page)


def test_loopback_is_still_a_url_the_page_names() -> None:
    """A standalone file must not depend on a server either: loopback URLs count too."""
    with pytest.raises(OfflineViolation):
        assert_offline('<script src="http://127.0.0.1:8000/static/app.js"></script>')
