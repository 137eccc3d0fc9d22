"""Printing (打印): a floor plan or a map view on one A4 or A3 sheet, landscape or portrait, as
a PDF from the system Chromium or as the print view itself (HTML).

The print view is a folium map of the floor's rooms (coloured as the floor plan colours them)
or of catalog layers, inside a sheet laid out by web/templates/print_sheet.html and
web/css/print.css: title, dates, legend, north arrow, scale bar (Leaflet's) and ratio, and
the standard the figures follow. Everything is inlined, so the HTML works from disk and the
PDF needs nothing but the page.
"""

from __future__ import annotations

import json
import tempfile
import threading
from datetime import date
from html import escape
from pathlib import Path
from typing import Annotated, Any, Literal

import folium
from branca.element import Element
from fastapi import APIRouter, Query, Response

from gis_app.accounts.rights import Right
from gis_app.analysis.common import Scope, Standard, check_scope
from gis_app.config import PROJECT_ROOT
from gis_app.errors import InvalidParameter, NotFound, Unavailable
from gis_app.http.auth import needs
from gis_app.http.language import Language
from gis_app.http.openapi import HTML_MEDIA_TYPE, answers
from gis_app.http.params import MAX_INT, AsOf, BBoxDep
from gis_app.http.session import SessionDep
from gis_app.i18n import t
from gis_app.layers.style import Category, CategoryStyle
from gis_app.maps.base import BACKGROUND, MapLayer, geojson_layer, offline_map
from gis_app.maps.catalog_map import catalog_layers
from gis_app.maps.controls import MapChrome, category_html
from gis_app.maps.export import (
    CHROMIUM,
    BrowserCheckError,
    paper_mm,
    print_pdf,
    standalone_html,
)
from gis_app.models.space import floor_label
from gis_app.queries.floors import (
    STATUS_CLASSES,
    STATUS_COLOURS,
    find_building,
    find_floor,
    floor_at,
    floor_rooms,
)
from gis_app.web.page import render_template

router = APIRouter(prefix="/print", tags=["print"], dependencies=[needs(Right.READ)])

PDF_MEDIA_TYPE = "application/pdf"
PRINT_SLOTS = 2
"""Prints at a time: each is a Chromium of its own (about 150 MB and a core while it runs)."""
PRINT_WAIT_S = 60
"""How long a print waits for a slot before the answer is 503."""
PRINTERS = threading.BoundedSemaphore(PRINT_SLOTS)
PRINTS = answers(PDF_MEDIA_TYPE, HTML_MEDIA_TYPE)
MAP_LAYERS = "buildings_vacancy"
"""What a printed map view shows unless told: the buildings coloured by vacancy."""
FLOOR_MAX_ZOOM = 23
"""About 2 cm a pixel: a floor's rooms fill an A4 sheet."""
WIDE_LEGEND_ROWS = 20
"""A legend longer than this is set in two columns (land use has ~40 classes)."""
CSS = PROJECT_ROOT / "web" / "css" / "print.css"
SCRIPT = PROJECT_ROOT / "web" / "js" / "print_sheet.js"

Paper = Annotated[Literal["A4", "A3"], Query(description="Sheet size")]
Orientation = Annotated[Literal["landscape", "portrait"], Query()]
PrintFormat = Annotated[Literal["pdf", "html"], Query(description="pdf; html: the print view")]


def _sheet(
    fmap: folium.Map,
    lang: str,
    *,
    title: str,
    lines: list[str],
    legend: list[tuple[str, str]],
    paper: str,
    landscape: bool,
    fit: tuple[float, float, float, float] | None = None,
) -> str:
    """The standalone print view: `fmap` inside the sheet of the paper size; `fit` (west,
    south, east, north) is the view to print when it is not the map's own (a floor plan
    zooms in further than a map view)."""
    width, height = paper_mm(paper, landscape)
    root = fmap.get_root()
    size = f":root {{ --paper-w: {width}mm; --paper-h: {height}mm; }}"
    page = f"@page {{ size: {width}mm {height}mm; margin: 0; }}"
    root.header.add_child(
        Element(
            f'<meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{size}{page}\n{CSS.read_text('utf-8')}</style>"
        ),
        name="print_style",
    )
    chrome = render_template(
        "print_sheet.html",
        lang,
        title=title,
        lines=lines,
        legend=legend,
        brand=t("web.brand", lang),
        fit=[[fit[1], fit[0]], [fit[3], fit[2]]] if fit else None,
        wide=sum(rows.count("gis-legend-row") for _, rows in legend) > WIDE_LEGEND_ROWS,
        max_zoom=FLOOR_MAX_ZOOM,
    )
    root.html.add_child(Element(chrome), name="print_sheet")
    root.script.add_child(Element(SCRIPT.read_text("utf-8")), name="print_ratio")
    return standalone_html(fmap, icons=False).replace("<html>", f'<html lang="{lang}">', 1)


def _dates(as_of: date | None, lang: str) -> list[str]:
    """The print date, and the date the figures are of when one was asked."""
    lines = [t("print.date", lang, date=date.today().isoformat())]
    if as_of is not None:
        lines.append(t("print.as_of", lang, date=as_of.isoformat()))
    return lines


def _answer(html: str, output: str, paper: str, landscape: bool, name: str) -> Response:
    """The print view as HTML, or printed by Chromium to a one-sheet PDF."""
    if output == "html":
        return Response(html, media_type="text/html; charset=utf-8")
    if not CHROMIUM.exists():
        raise InvalidParameter(field="format", reason="reason.no_browser")
    if not PRINTERS.acquire(timeout=PRINT_WAIT_S):
        raise Unavailable(reason="reason.printers_busy", slots=PRINT_SLOTS)
    try:
        with tempfile.TemporaryDirectory() as folder:
            page = Path(folder) / "print.html"
            page.write_text(html, encoding="utf-8")
            pdf = print_pdf(page, Path(folder) / "print.pdf", paper=paper, landscape=landscape)
            content = pdf.read_bytes()
    except BrowserCheckError as error:
        raise Unavailable(reason="reason.print_failed") from error
    finally:
        PRINTERS.release()
    return Response(
        content,
        media_type=PDF_MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


def _room_layer(rooms: list[dict[str, Any]], lang: str) -> MapLayer:
    """The rooms as one layer coloured by their floor-plan class, numbered on hover."""
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(room["geometry"]),
            "properties": {"number": room["number"], "status_class": room["status_class"]},
        }
        for room in rooms
    ]
    style = CategoryStyle(
        property="status_class",
        categories=[
            Category(
                value=c,
                color=STATUS_COLOURS[c],
                label_zh=t(f"web.floor.status.{c}", "zh-CN"),
                label_en=t(f"web.floor.status.{c}", "en"),
            )
            for c in STATUS_CLASSES
        ],
        outline="#333333",
        weight=0.8,
        fill_opacity=0.85,
    )
    return MapLayer(
        title=t("web.floor.legend_title", lang),
        data={"type": "FeatureCollection", "features": features},
        style=style,
        tooltip={"number": t("column.room_number", lang)},
    )


@router.get(
    "/floor-plan",
    operation_id="print_floor_plan",
    summary="打印楼层平面图 / Print a floor plan",
    responses=PRINTS,
)
def print_floor_plan(
    session: SessionDep,
    lang: Language,
    building: Annotated[int, Query(ge=1, le=MAX_INT, description="Building id")],
    as_of: AsOf = None,
    level: Annotated[int, Query(ge=-100, le=500, description="Level ordinal, 0 = 1F")] = 0,
    paper: Paper = "A4",
    orientation: Orientation = "landscape",
    format: PrintFormat = "pdf",
) -> Response:
    """The floor's rooms coloured as on the floor plan (over the standard, vacant, by
    category), with title, legend, north arrow, scale, dates and the standard; 404 naming
    the building, or the level, when there is none."""
    standard = Standard(as_of=as_of or date.today())
    row = find_building(session, building)
    if row is None:
        raise NotFound(resource="building", id=building)
    floor_id = floor_at(session, building, level)
    if floor_id is None:
        raise NotFound(resource="floor", id=f"{building}/{floor_label(level)}")
    check_scope(session, Scope(floor_id=floor_id), standard)
    floor = find_floor(session, floor_id)
    rooms, _ = floor_rooms(session, floor, standard, lang)
    layer = _room_layer(rooms, lang)
    bounds = (row["west"], row["south"], row["east"], row["north"])
    fmap = offline_map(bounds, max_zoom=FLOOR_MAX_ZOOM)
    geojson_layer(layer).add_to(fmap)
    for room in rooms:
        lon, lat = room["label_point"]
        label = f'<span class="print-room">{escape(room["number"])}</span>'
        folium.Marker([lat, lon], icon=folium.DivIcon(html=label, icon_size=(0, 0))).add_to(fmap)
    MapChrome(BACKGROUND, bounds).add_to(fmap)
    title = t("print.floor_title", lang, building=row["name"], floor=floor["name"])
    landscape = orientation == "landscape"
    area = sum(float(room["usable_area_m2"]) for room in rooms)
    figures = t("print.rooms", lang, rooms=len(rooms), area=f"{area:,.1f}")
    lines = [*_dates(as_of, lang), figures]
    legend = [("", category_html(layer.style, lang, t("web.floor.status_label", lang), None))]
    html = _sheet(
        fmap,
        lang,
        title=title,
        lines=lines,
        legend=legend,
        paper=paper,
        landscape=landscape,
        fit=bounds,
    )
    return _answer(html, format, paper, landscape, f"floor-{building}-{floor['ordinal']}")


@router.get(
    "/map",
    operation_id="print_map",
    summary="打印地图视图 / Print a map view",
    responses=PRINTS,
)
def print_map(
    session: SessionDep,
    lang: Language,
    bbox: BBoxDep,
    layers: Annotated[
        str, Query(min_length=1, max_length=500, description="Layer ids, a,b,c")
    ] = MAP_LAYERS,
    title: Annotated[str | None, Query(max_length=100, description="The view's name")] = None,
    paper: Paper = "A4",
    orientation: Orientation = "landscape",
    format: PrintFormat = "pdf",
) -> Response:
    """The catalog layers inside `bbox` (required) as they are today, with their legend,
    north arrow, scale, date and the standard; unknown layers are a 404 naming them."""
    if bbox is None:
        raise InvalidParameter(field="bbox", reason="reason.missing", column="bbox")
    ids = [i.strip() for i in layers.split(",") if i.strip()]
    added = catalog_layers(ids, lang, session=session, bbox=bbox, inline=True)
    fmap = offline_map(bbox, max_zoom=22)
    for _, element in added.layers:
        element.show = True  # a print shows every layer asked for, hidden-by-default ones too
        element.add_to(fmap)
    MapChrome(BACKGROUND, bbox).add_to(fmap)
    name = title or t("print.map_default", lang)
    landscape = orientation == "landscape"
    legend = [("", section) for _, section in added.legend]
    html = _sheet(
        fmap,
        lang,
        title=t("print.map_title", lang, name=name),
        lines=_dates(None, lang),
        legend=legend,
        paper=paper,
        landscape=landscape,
    )
    return _answer(html, format, paper, landscape, "map")
