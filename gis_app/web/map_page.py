"""以图管房 map browser: catalog layers over the district, search, the building, body,
campus and parcel panels (web/js/map.js), and the home button, tile-loading note and
measuring tool (web/js/map_tools.js).

The URL is the view: `?building=ID` opens on a building, `?body=ID` on a body's buildings,
`?campus=ID` on a campus; `layers=a,b` the layers shown and `view=lat,lon,zoom` where the map
looks (map.js keeps them current, so a view is a link to share). The dashboard and other
pages link here that way."""

from __future__ import annotations

from typing import Annotated, Any

from branca.element import Element
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from gis_app.accounts.rights import Right
from gis_app.errors import NotFound
from gis_app.http.auth import needs
from gis_app.http.language import PageLanguage
from gis_app.http.params import MAX_INT
from gis_app.http.session import SessionDep
from gis_app.maps.catalog_map import catalog_map
from gis_app.queries.organisations import body_buildings
from gis_app.web.extent import home_extent
from gis_app.web.page import geoman_head, map_page, render_template

router = APIRouter(include_in_schema=False, dependencies=[needs(Right.READ)])

MAP_LAYERS = (
    "dem_hillshade",
    "flood_depth",
    "parcels_landuse",
    "roads",
    "buildings_vacancy",
    "buildings_over_standard",
    "buildings_safety",
    "transit_stations",
)
"""Catalog layers of the map browser, lowest first. Campuses are left out: as a GeoJSON (SVG)
layer they would take the clicks meant for the buildings drawn on the tiles' canvas."""
PRINT_LAYERS = "roads,buildings_vacancy"
"""What a printed map view draws (rasters are left out of printed and exported maps)."""


def _body(session: Session, body_id: int) -> dict[str, Any]:
    row = body_buildings(session, body_id)
    if row is None:
        raise NotFound(resource="organisation", id=body_id)
    return {"kind": "body", **row}


@router.get("/", include_in_schema=False)
def home(request: Request) -> RedirectResponse:
    """The map is the front page."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/map{query}")


@router.get("/map", response_class=HTMLResponse)
def map_browser(
    request: Request,
    session: SessionDep,
    lang: PageLanguage,
    building: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    body: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> HTMLResponse:
    """The district on the map; a building or body given in the URL is opened."""
    bounds = home_extent(session, "building", request.app.state.settings.home_bbox)
    fmap = catalog_map(list(MAP_LAYERS), lang, bounds, session=session)
    fmap.get_root().header.add_child(Element(geoman_head()), name="gis_geoman")
    data: dict[str, Any] = {"building": building, "home": list(bounds)}
    if body is not None:
        data["body"] = _body(session, body)
    return map_page(
        request,
        page_id="map",
        fmap=fmap,
        panel=render_template("map_panel.html", lang),
        scripts=["as_of", "map_tools", "map", "exports"],
        data={**data, "printLayers": PRINT_LAYERS},
        text_prefixes=["web.map.", "web.as_of."],
    )
