"""The JS/CSS that folium pages load, vendored under web/vendor so no page needs a CDN.

Folium points every page at CDNs; offices on a closed network would get a blank map. Each
remote URL folium uses is mapped to a file in web/vendor, and `localize` rewrites a map's
links to those files before it is rendered. A URL with no vendored copy is an error, so a
folium upgrade that changes a library version fails loudly instead of loading from the web.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from branca.element import CssLink, Element, JavascriptLink
from folium.elements import JSCSSMixin

VENDOR_DIR = Path(__file__).resolve().parents[2] / "web" / "vendor"
"""web/vendor in the source tree (the app is installed editable, `pip install -e`)."""

SERVED_PREFIX = "/static/vendor/"
"""Where the app serves web/vendor."""

_JSDELIVR = "cdn.jsdelivr.net/"
_AWESOME_MARKERS = "cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/"

REMOTE_TO_VENDORED: dict[str, str] = {
    _JSDELIVR + "npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    _JSDELIVR + "npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    _JSDELIVR + "npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
        "bootstrap/js/bootstrap.bundle.min.js"
    ),
    _JSDELIVR + "npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": "bootstrap/css/bootstrap.min.css",
    "netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
        "bootstrap-glyphicons/bootstrap-glyphicons.css"
    ),
    _JSDELIVR + "npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        "fontawesome/css/all.min.css"
    ),
    _AWESOME_MARKERS + "leaflet.awesome-markers.js": (
        "leaflet.awesome-markers/leaflet.awesome-markers.js"
    ),
    _AWESOME_MARKERS + "leaflet.awesome-markers.css": (
        "leaflet.awesome-markers/leaflet.awesome-markers.css"
    ),
    _JSDELIVR + "gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": (
        "folium/leaflet.awesome.rotate.css"
    ),
}
"""Each CDN file of folium's default page (`cdn_key`: host and path, so no network address
is written in the code) and the vendored file (relative to VENDOR_DIR)."""

PLUGIN_TO_VENDORED: dict[str, str] = {
    "unpkg.com/leaflet.vectorgrid@latest/dist/Leaflet.VectorGrid.bundled.js": (
        "leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"
    ),
}
"""CDN URLs of the folium plugins our maps use (vector tiles: `VectorGridProtobuf`), beside
the default page's: only pages with such a layer load them."""

VENDORED_FILES: tuple[str, ...] = tuple(
    sorted({*REMOTE_TO_VENDORED.values(), *PLUGIN_TO_VENDORED.values()})
)


class UnvendoredAssetError(LookupError):
    """A page would load a remote JS/CSS file that has no copy in web/vendor."""


def cdn_key(url: str) -> str:
    """A remote URL as host and path (scheme and query dropped): how the tables above name
    the files folium would fetch."""
    parts = urlsplit(url.strip())
    return f"{parts.netloc}{parts.path}" if parts.netloc else url


def vendored_path(url: str) -> str | None:
    """The vendored file (relative to VENDOR_DIR) that `url` stands for, if any.

    Accepts folium's CDN URLs and URLs already localized under any prefix, so a map can be
    localized for the app and later again for a standalone export.
    """
    key = cdn_key(url)
    if key in REMOTE_TO_VENDORED:
        return REMOTE_TO_VENDORED[key]
    if key in PLUGIN_TO_VENDORED:
        return PLUGIN_TO_VENDORED[key]
    for rel in VENDORED_FILES:
        if url == rel or url.endswith("/" + rel):
            return rel
    return None


def is_remote(url: str) -> bool:
    """True for absolute and protocol-relative network URLs (http, https, ftp, ws, //host)."""
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://", "ftp://", "ws://", "wss://", "//"))


def local_url(url: str, prefix: str = SERVED_PREFIX) -> str:
    """`url` pointed at its vendored copy under `prefix`; local URLs pass through unchanged."""
    rel = vendored_path(url)
    if rel is not None:
        return prefix + rel
    if is_remote(url):
        raise UnvendoredAssetError(
            f"{url} has no vendored copy under web/vendor; add it there "
            "(see web/vendor/README.md) and to gis_app.maps.assets.REMOTE_TO_VENDORED"
        )
    return url


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def localize(element: Element, prefix: str = SERVED_PREFIX) -> Element:
    """Rewrite every JS/CSS link of the page holding `element` to vendored copies.

    Call it after the last element is added: elements added later keep folium's CDN links.
    Instance lists are replaced, never mutated, because folium's defaults are class-level
    lists shared by every map in the process.
    """
    root = element.get_root()
    for item in _walk(root):
        if isinstance(item, JSCSSMixin):
            item.default_js = [(name, local_url(url, prefix)) for name, url in item.default_js]
            item.default_css = [(name, local_url(url, prefix)) for name, url in item.default_css]
        elif isinstance(item, JavascriptLink | CssLink):
            item.url = local_url(item.url, prefix)
    return element
