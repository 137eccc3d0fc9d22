"""What every page shares: the reader's language, the navigation bar, the page's data for
its script, and the check that nothing on the page leaves this machine.

A map page is a folium document with the navigation, a side panel and the page's script
added to it; a page without a map is the `plain.html` template. Either way the page's
script reads its settings and texts from one JSON block (`#page-data`), so no user text is
ever pasted into JavaScript source.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from html import escape
from typing import Any

import folium
from branca.element import Element
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from gis_app import __version__
from gis_app.config import PROJECT_ROOT
from gis_app.http.language import page_language
from gis_app.i18n import catalogue, t
from gis_app.maps.basemap import add_basemap
from gis_app.maps.export import assert_offline, render_html

TEMPLATES = PROJECT_ROOT / "web" / "templates"
PAGES = (
    ("map", "/map"),
    ("floors", "/floor-plan"),
    ("land", "/land"),
    ("dashboard", "/dashboard"),
    ("match", "/match"),
    ("registers", "/registers"),
)
"""The navigation bar: page id and path, in order."""
GEOMAN = "/static/vendor/leaflet-geoman/leaflet-geoman"
"""Leaflet-Geoman (vendored): the floor plan's drawing tools and the map's measuring tool."""


def geoman_head() -> str:
    """The `<head>` links that load Leaflet-Geoman, for a page whose script draws."""
    return (
        f'<link rel="stylesheet" href="{GEOMAN}.css"><script defer src="{GEOMAN}.min.js"></script>'
    )


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), cache_size=50
    )


def texts(lang: str, prefixes: Iterable[str]) -> dict[str, str]:
    """The texts a page's script needs: every key under the given prefixes."""
    wanted = tuple(prefixes)
    return {k: v for k, v in catalogue(lang).items() if k.startswith(wanted)}


def _with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def chrome(request: Request, page_id: str, lang: str) -> str:
    """The navigation bar: the pages, who is signed in (a link to their account page, and
    a sign-out button for a browser session) and the language switch (the other language,
    same page)."""
    other = "en" if lang != "en" else "zh-CN"
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    here = request.url.path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
    caller = getattr(request.state, "caller", None)
    identity = getattr(caller, "identity", None)
    csrf = caller.csrf if identity is not None and caller.via == "session" else None
    return (
        _environment()
        .get_template("nav.html")
        .render(
            pages=[(pid, _with_lang(path, lang), t(f"web.nav.{pid}", lang)) for pid, path in PAGES],
            current=page_id,
            current_label=t(f"web.nav.{page_id}", lang),
            menu_label=t("web.layout.menu", lang),
            brand=t("web.brand", lang),
            switch_url=_with_lang(here, other),
            switch_label=t("web.switch_language", lang),
            user=identity.login if identity is not None else None,
            account_url=_with_lang("/account", lang),
            account_label=t("web.nav.account", lang),
            sign_out_url=_with_lang("/logout", lang),
            sign_out_label=t("web.nav.sign_out", lang),
            sign_out_csrf=csrf,
            login_url=_with_lang("/login", lang),
            login_label=t("web.nav.login", lang),
            lang=lang,
        )
    )


def page_data(lang: str, data: Mapping[str, Any], text_prefixes: Iterable[str]) -> str:
    """The `#page-data` block: the page's settings and texts as JSON, safe inside HTML."""
    payload = {
        "lang": lang,
        "version": __version__,
        "texts": texts(lang, ("web.common.", "web.layout.", *text_prefixes)),
        **data,
    }
    encoded = json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")
    return f'<script id="page-data" type="application/json">{encoded}</script>'


def _scripts(names: Iterable[str]) -> str:
    return "".join(
        f'<script defer src="/static/js/{name}.js?v={__version__}"></script>'
        for name in ("common", *names)
    )


def map_page(
    request: Request,
    *,
    page_id: str,
    fmap: folium.Map,
    panel: str,
    scripts: Iterable[str],
    data: Mapping[str, Any],
    text_prefixes: Iterable[str] = (),
    styles: Iterable[str] = (),
) -> HTMLResponse:
    """A folium map under the navigation bar, beside a side panel (`panel`, already safe
    HTML from a template), driven by web/js/<scripts>.js (run after the map exists) and
    styled by web/css/app.css, then the page's own web/css/<styles>.css."""
    lang = page_language(request)
    root = fmap.get_root()
    title = escape(f"{t(f'web.nav.{page_id}', lang)} · {t('web.brand', lang)}")
    root.header.add_child(
        Element(
            f'<meta charset="utf-8"><title>{title}</title>'
            f'<link rel="stylesheet" href="/static/css/app.css?v={__version__}">'
            + "".join(
                f'<link rel="stylesheet" href="/static/css/{name}.css?v={__version__}">'
                for name in styles
            )
            + f"{_scripts(scripts)}"
        ),
        name="gis_page_head",
    )
    root.html.add_child(
        Element(
            f'<div class="gis-page gis-page-{page_id}">{chrome(request, page_id, lang)}'
            f'<aside class="gis-panel" id="panel">{panel}</aside></div>'
            f"{page_data(lang, data, text_prefixes)}"
        ),
        name="gis_page_body",
    )
    hosts = add_basemap(fmap, request.app.state.settings)
    html = render_html(fmap, allowed_hosts=hosts).replace("<html>", f'<html lang="{lang}">', 1)
    return HTMLResponse(html)


def plain_page(
    request: Request,
    *,
    page_id: str,
    template: str,
    context: Mapping[str, Any],
    scripts: Iterable[str],
    data: Mapping[str, Any],
    text_prefixes: Iterable[str] = (),
) -> HTMLResponse:
    """A page without a map: web/templates/`template` (which extends plain.html)."""
    lang = page_language(request)
    html = (
        _environment()
        .get_template(template)
        .render(
            lang=lang,
            title=f"{t(f'web.nav.{page_id}', lang)} · {t('web.brand', lang)}",
            version=__version__,
            nav=chrome(request, page_id, lang),
            scripts=_scripts(scripts),
            data=page_data(lang, data, text_prefixes),
            t=lambda key, **values: t(key, lang, **values),
            **context,
        )
    )
    assert_offline(html)
    return HTMLResponse(html)


def render_template(name: str, lang: str, **context: Any) -> str:
    """A fragment (a side panel, say) from web/templates, with `t` in the reader's language."""
    return (
        _environment()
        .get_template(name)
        .render(lang=lang, t=lambda key, **values: t(key, lang, **values), **context)
    )
