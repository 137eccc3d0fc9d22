"""Map pages that load nothing from the network: served HTML, standalone HTML, and PNG.

Offices run this on closed networks, so every page is checked before it leaves here
(`assert_offline`), the standalone export carries its scripts, styles, images and fonts
inside the one file, and the PNG comes from the system's headless Chromium with every
request that would leave the machine blocked and reported as a failure.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from branca.element import Element

from gis_app.maps.assets import SERVED_PREFIX, VENDOR_DIR, localize

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Request, Route

# --- the offline check -------------------------------------------------------------------

NAMESPACE_URIS = frozenset(
    {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
        "http://www.w3.org/1999/xhtml",
        "http://www.w3.org/1998/Math/MathML",
        "http://www.w3.org/XML/1998/namespace",
        "http://www.w3.org/2000/xmlns/",
    }
)
"""XML namespace names: identifiers that look like URLs but are never fetched."""

_REMOTE = r"(?:(?:https?|ftp|wss?):)?//[^\s\"'`\\<>()]+"
_OPEN = r"(?:\\?[\"'])?\s*"
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "attribute",
        re.compile(
            r"(?<![\w-])(?:[\w-]*-)?(?:src|href|action|formaction|poster|background|data|ping"
            rf"|manifest)\s*=\s*{_OPEN}({_REMOTE})",
            re.IGNORECASE,
        ),
    ),
    ("css url()", re.compile(rf"url\(\s*{_OPEN}({_REMOTE})", re.IGNORECASE)),
    ("css @import", re.compile(rf"@import\s+(?:url\(\s*)?{_OPEN}({_REMOTE})", re.IGNORECASE)),
    ("refresh/url=", re.compile(rf"\burl\s*=\s*{_OPEN}({_REMOTE})", re.IGNORECASE)),
    ("string", re.compile(rf"[\"'`]\s*({_REMOTE})", re.IGNORECASE)),
)
"""Where a URL makes the browser fetch or navigate: tag attributes (also inside script
strings that build markup, quotes escaped or not), CSS url() and @import, meta refresh, and
any quoted string that starts with a URL (a tile template or a fetch() in script). URLs in
plain text, such as the project links in licence comments, are not loads and pass."""

_SRCSET = re.compile(r"srcset\s*=\s*\\?[\"']([^\"'\\]*)", re.IGNORECASE)
_NESTED = re.compile(
    r"data:(?P<mime>text/html|text/css|image/svg\+xml)(?P<params>[^,\"'\s]*),(?P<body>[^\"'\s)]+)",
    re.IGNORECASE,
)


class OfflineViolation(ValueError):
    """A page refers to something on the network."""

    def __init__(self, found: list[tuple[str, str]]) -> None:
        self.found = found
        listed = "; ".join(f"{url} ({where})" for where, url in found[:10])
        more = f" and {len(found) - 10} more" if len(found) > 10 else ""
        super().__init__(f"page refers to {len(found)} remote URL(s): {listed}{more}")


def remote_urls(html: str, _depth: int = 0) -> list[tuple[str, str]]:
    """(where, url) for every remote URL the page would load or link to, namespaces aside.

    Markup inside data: URIs (an iframe popup, an SVG in CSS) is decoded and checked too.
    """
    found: dict[str, str] = {}
    for where, pattern in _RULES:
        for match in pattern.finditer(html):
            url = match.group(1)
            if where == "string" and url in NAMESPACE_URIS:
                continue
            found.setdefault(url, where)
    for match in _SRCSET.finditer(html):
        for candidate in match.group(1).split(","):
            url = candidate.strip().split(" ")[0]
            if re.fullmatch(_REMOTE, url):
                found.setdefault(url, "srcset")
    if _depth < 3:
        for match in _NESTED.finditer(html):
            body = match.group("body")
            if ";base64" in match.group("params").lower():
                try:
                    decoded = base64.b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")
                except (ValueError, UnicodeDecodeError):
                    continue
            else:
                decoded = unquote(body)
            for where, url in remote_urls(decoded, _depth + 1):
                found.setdefault(url, f"{where} in a data: URI")
    return [(where, url) for url, where in found.items()]


def assert_offline(html: str, allowed_hosts: frozenset[str] = frozenset()) -> None:
    """Raise OfflineViolation when the page refers to any remote URL, but for those on
    `allowed_hosts` (an online basemap the site chose in its settings)."""
    found = [
        (where, url)
        for where, url in remote_urls(html)
        if urlsplit(url).hostname not in allowed_hosts
    ]
    if found:
        raise OfflineViolation(found)


# --- HTML pages --------------------------------------------------------------------------


def render_html(
    element: Element, prefix: str = SERVED_PREFIX, allowed_hosts: frozenset[str] = frozenset()
) -> str:
    """The page for the app to serve, its JS/CSS under `prefix` (where web/vendor is served);
    nothing remote but `allowed_hosts`."""
    localize(element, prefix)
    html = element.get_root().render()
    assert_offline(html, allowed_hosts)
    return html


_INLINE_PREFIX = "vendor/"
_SCRIPT_LINK = re.compile(r'<script src="vendor/(?P<rel>[^"]+)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="vendor/(?P<rel>[^"]+)"\s*/?>')
_LEFT_LINK = re.compile(r'(?:src|href)="vendor/')
_JS_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/")
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
_FONT_FAMILY = re.compile(r"font-family\s*:\s*[\"']?([^;\"'}]+)")
_SRC_DECL = re.compile(r"(?<![\w-])src\s*:\s*([^;}]*)")
_CSS_URL = re.compile(r"url\(\s*([\"']?)([^)\"']+)\1\s*\)")
_USES_ICONS = re.compile(r"AwesomeMarkers\.icon|\bglyphicon\b|\bfa-[a-z]", re.IGNORECASE)

EMBEDDED_FONT_FAMILIES = frozenset({"Font Awesome 6 Free", "Glyphicons Halflings"})
"""The icon fonts folium markers use (`prefix="fa"` and the default `"glyphicon"`); the brand,
v4 and v5 alias faces would add ~400 kB to each file for icons a map does not use."""

_MIME = {
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower())
    if mime is None:
        raise ValueError(f"no MIME type known for {path.name}")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _local_file(base: Path, ref: str) -> Path | None:
    ref = ref.split("?")[0].split("#")[0]
    path = (base / ref).resolve()
    return path if path.is_file() and path.is_relative_to(VENDOR_DIR) else None


def _font_face(block: str, base: Path, embed: bool) -> str:
    family = _FONT_FAMILY.search(block)
    if not embed or family is None or family.group(1).strip() not in EMBEDDED_FONT_FAMILIES:
        return ""

    def sources(decl: re.Match[str]) -> str:
        kept = []
        for entry in decl.group(1).split(","):
            ref = _CSS_URL.search(entry)
            path = _local_file(base, ref.group(2)) if ref else None
            if path is not None:  # fallbacks in formats not vendored (ttf, eot) are dropped
                kept.append(entry.replace(ref.group(0), f"url({_data_uri(path)})").strip())
        return "src:" + ",".join(kept) if kept else ""

    block = _SRC_DECL.sub(sources, block)
    return block if _SRC_DECL.search(block) else ""


def _inline_css(rel: str, icons: bool) -> str:
    path = VENDOR_DIR / rel
    css = _CSS_SOURCE_MAP.sub("", path.read_text("utf-8"))
    css = _FONT_FACE.sub(lambda m: _font_face(m.group(0), path.parent, icons), css)

    def image(match: re.Match[str]) -> str:
        ref = match.group(2).strip()
        if ref.startswith(("data:", "#")):  # inline already, or a fragment (IE's VML behaviour)
            return match.group(0)
        if not icons and rel.startswith("leaflet.awesome-markers/"):
            return "none"  # the marker sprites (~220 kB) only serve icon markers
        local = _local_file(path.parent, ref)
        if local is None:
            raise FileNotFoundError(f"{rel} refers to {ref}, which is not vendored")
        return f'url("{_data_uri(local)}")'

    css = _CSS_URL.sub(image, css)
    if "</style" in css.lower():
        raise ValueError(f"{rel} contains </style and cannot be inlined")
    return f"<style>/* {rel} */\n{css}\n</style>"


def _leaflet_icons() -> str:
    """Leaflet finds its marker images through leaflet.css's URL; inlined, give them directly."""
    images = VENDOR_DIR / "leaflet" / "images"
    options = ", ".join(
        f'{key}: "{_data_uri(images / name)}"'
        for key, name in (
            ("iconUrl", "marker-icon.png"),
            ("iconRetinaUrl", "marker-icon-2x.png"),
            ("shadowUrl", "marker-shadow.png"),
        )
    )
    script = f'L.Icon.Default.imagePath = ""; L.Icon.Default.mergeOptions({{{options}}});'
    return f"<script>{script}</script>"


def _inline_js(rel: str) -> str:
    js = _JS_SOURCE_MAP.sub("", (VENDOR_DIR / rel).read_text("utf-8"))
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
    tag = f"<script>/* {rel} */\n{js}\n</script>"
    return tag + _leaflet_icons() if rel == "leaflet/leaflet.js" else tag


def standalone_html(element: Element, *, icons: bool | None = None) -> str:
    """One HTML file that works from disk with no server and no network.

    Vendored scripts and styles are copied in, their images and fonts as data: URIs. The
    icon fonts and marker sprites are embedded only when the page uses icon markers
    (`icons=None` looks for them), or as told: they would double a plain map's size.
    """
    localize(element, _INLINE_PREFIX)
    html = element.get_root().render()
    with_icons = _USES_ICONS.search(html) is not None if icons is None else icons
    html = _SCRIPT_LINK.sub(lambda m: _inline_js(m.group("rel")), html)
    html = _CSS_LINK.sub(lambda m: _inline_css(m.group("rel"), with_icons), html)
    if _LEFT_LINK.search(html):
        raise ValueError("a vendored link was not inlined; folium's link markup has changed")
    assert_offline(html)
    return html


def save_html(element: Element, path: str | Path, *, icons: bool | None = None) -> Path:
    """Write the standalone page (see `standalone_html`) to `path`."""
    path = Path(path)
    path.write_text(standalone_html(element, icons=icons), encoding="utf-8")
    return path


# --- PNG through the system's headless Chromium -------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium package (scripts/ensure-system.sh installs it); never a downloaded build."""

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]",
)
"""Headless, and nothing of the browser's own reaches the network: no host name resolves."""


def is_local_url(url: str) -> bool:
    """True for file:, data:, blob:, about: and http(s)/ws(s) to this machine's loopback."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return False
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class BrowserReport:
    """What the page did wrong in the browser; empty lists mean it behaved."""

    blocked: list[str] = field(default_factory=list)
    """Requests that would have left the machine (blocked before they were sent)."""
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    """Uncaught script exceptions."""
    failed: list[str] = field(default_factory=list)
    """Local requests that failed (a missing vendored file, say)."""

    def problems(self) -> list[str]:
        """Every problem as one line each."""
        return (
            [f"blocked request: {url}" for url in self.blocked]
            + [f"console error: {text}" for text in self.console_errors]
            + [f"page error: {text}" for text in self.page_errors]
            + [f"failed request: {text}" for text in self.failed]
        )


class BrowserCheckError(RuntimeError):
    """The page tried to reach the network or logged errors while it was shown."""

    def __init__(self, report: BrowserReport) -> None:
        self.report = report
        super().__init__("; ".join(report.problems()))


_READY = """async () => {
  const div = document.querySelector(".folium-map");
  const map = div && window[div.id];
  if (map && map._animatingZoom) { await new Promise(done => map.once("zoomend", done)); }
  await document.fonts.ready;
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""

_FIT = """([west, south, east, north]) => {
  const div = document.querySelector(".folium-map");
  const map = div && window[div.id];
  if (!map || !map.fitBounds) { return false; }
  map.fitBounds([[south, west], [north, east]], {animate: false});
  return true;
}"""


def watched_page(context: BrowserContext, report: BrowserReport) -> Page:
    """A new page of `context` whose requests off this machine are blocked before they are
    sent, and whose console errors, script errors and failed loads go into `report`. A tile
    the map itself cancels (it moved, or its layer was redrawn for another date) is not a
    failure."""

    def guard(route: Route) -> None:
        if is_local_url(route.request.url):
            route.continue_()
        else:
            report.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def request_failed(request: Request) -> None:
        cancelled = "ERR_ABORTED" in str(request.failure) and "/tiles/" in request.url
        if request.url not in report.blocked and not cancelled:
            report.failed.append(f"{request.url} ({request.failure})")

    context.route("**/*", guard)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: report.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda error: report.page_errors.append(str(error)))
    page.on("requestfailed", request_failed)
    page.on(
        "websocket",
        lambda ws: None if is_local_url(ws.url) else report.blocked.append(ws.url),
    )
    return page


def _target_url(target: str | Path) -> str:
    text = str(target)
    if text.startswith(("http://", "https://", "file://")):
        if not is_local_url(text):
            raise ValueError(f"{text} is not on this machine; only loopback pages are shown")
        return text
    path = Path(target).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    return path.as_uri()


@contextmanager
def shown_page(
    target: str | Path,
    width: int,
    height: int,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    executable: Path = CHROMIUM,
    timeout_s: float = 30.0,
) -> Iterator[Page]:
    """A width x height page of system Chromium showing `target` (an HTML file or a
    loopback URL), fitted to `bounds` when given, its map drawn and fonts loaded. Raises
    BrowserCheckError after the block when the page tried to reach the network, logged a
    console error, threw, or failed to load a local file."""
    from playwright.sync_api import sync_playwright

    url = _target_url(target)
    report = BrowserReport()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=1,
                service_workers="block",
            )
            context.set_default_timeout(timeout_s * 1000)
            page = watched_page(context, report)
            page.goto(url, wait_until="load")
            if bounds is not None and not page.evaluate(_FIT, list(bounds)):
                raise ValueError("bounds given, but the page has no folium map to fit")
            page.evaluate(_READY)
            yield page
        finally:
            browser.close()
    if report.problems():
        raise BrowserCheckError(report)


def screenshot(
    target: str | Path,
    png_path: str | Path,
    width: int = 1200,
    height: int = 800,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    executable: Path = CHROMIUM,
    timeout_s: float = 30.0,
) -> Path:
    """Save a width x height PNG of a map page (an HTML file or a loopback URL).

    `bounds` (west, south, east, north) picks the view of a folium page; by default the
    page's own view. Raises BrowserCheckError when the page tried to reach the network,
    logged a console error, threw, or failed to load a local file; the PNG is still
    written so the failure can be looked at.
    """
    png_path = Path(png_path)
    with shown_page(
        target, width, height, bounds=bounds, executable=executable, timeout_s=timeout_s
    ) as page:
        page.screenshot(path=str(png_path))
    return png_path


PAPER_MM = {"A4": (210, 297), "A3": (297, 420)}
"""Paper sizes (portrait width, height) in millimetres."""
CSS_PX_PER_MM = 96 / 25.4


def paper_mm(paper: str, landscape: bool) -> tuple[int, int]:
    """Width and height of the sheet in millimetres."""
    width, height = PAPER_MM[paper]
    return (height, width) if landscape else (width, height)


def print_pdf(
    target: str | Path,
    pdf_path: str | Path,
    *,
    paper: str = "A4",
    landscape: bool = True,
    executable: Path = CHROMIUM,
    timeout_s: float = 30.0,
) -> Path:
    """Print a page (its own print CSS decides the layout) to a PDF of one `paper` sheet.

    The window is the size of the sheet, so the map is laid out and fitted as it prints;
    Chromium's page.pdf() then writes vectors and text (the title, legend and scale can be
    read back from the PDF). Problems as `screenshot`."""
    width_mm, height_mm = paper_mm(paper, landscape)
    width, height = round(width_mm * CSS_PX_PER_MM), round(height_mm * CSS_PX_PER_MM)
    pdf_path = Path(pdf_path)
    with shown_page(target, width, height, executable=executable, timeout_s=timeout_s) as page:
        page.pdf(
            path=str(pdf_path),
            width=f"{width_mm}mm",
            height=f"{height_mm}mm",
            print_background=True,
            margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
        )
    return pdf_path
