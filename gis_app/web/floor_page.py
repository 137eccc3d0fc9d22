"""楼层平面 page: a building's levels in a lift-panel picker, the chosen floor's rooms drawn from
their polygons and coloured by the analyses (web/js/floor_plan.js, fed by
`/api/v1/buildings/{id}/floors` and `/api/v1/floors/{id}/rooms`).

`?building=ID&level=ORDINAL` is how the map browser links a floor. The query is read as text:
a wrong or unknown building or level is a message on the page, never a broken one.
`?as_of=YYYY-MM-DD` shows that date (web/js/as_of.js reads it).

A caller whose role has the `edit` right also gets the editing tools (web/js/room_edit.js,
web/js/room_draw.js, Leaflet-Geoman from web/vendor); other roles get none of them.
"""

from __future__ import annotations

from typing import Annotated, Any

import folium
from branca.element import Element
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gis_app import __version__
from gis_app.accounts.rights import Right, may
from gis_app.http.auth import needs
from gis_app.http.language import page_language
from gis_app.http.params import MAX_INT
from gis_app.http.session import SessionDep
from gis_app.i18n import t
from gis_app.maps.base import BACKGROUND, offline_map
from gis_app.maps.controls import MapChrome
from gis_app.models.base import ROOM_CATEGORIES, ROOM_STATUSES
from gis_app.queries.floors import (
    STATUS_CLASSES,
    STATUS_COLOURS,
    count_buildings,
    find_building,
    list_buildings,
)
from gis_app.web.extent import home_extent
from gis_app.web.page import geoman_head, map_page, render_template

router = APIRouter(include_in_schema=False, dependencies=[needs(Right.READ)])

CHOOSER_LIST_MAX = 200
"""Up to this many buildings the chooser lists them all; beyond, it says so and offers the
search (50 matches of each kind, Enter opening the first) and the buildings drawn on the map."""
MAX_ZOOM = 23
"""About 2 cm a pixel: a 2 m corridor still reads on a floor plan."""
LEVEL_RANGE = (-100, 500)

TEXT_PREFIXES = ("web.floor.", "category.", "web.as_of.")
EDIT_TEXT_PREFIXES = ("web.room_edit.", "web.history.")
EDIT_SCRIPTS = ("history", "room_edit", "room_draw")


def _whole_number(value: str | None, low: int, high: int) -> int | None:
    """`value` as an integer in [low, high], or None when it is not one."""
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if low <= number <= high else None


def _rights(request: Request) -> dict[str, bool]:
    """What the page offers the caller: editing (the `edit` right) and people (occupants,
    the staff search: roles that manage bodies)."""
    identity = getattr(getattr(request.state, "caller", None), "identity", None)
    if identity is None:
        return {"canEdit": False, "seesPeople": False}
    return {"canEdit": may(identity.role, Right.EDIT), "seesPeople": identity.manages}


def _map(bounds: tuple[float, float, float, float], editing: bool = False) -> folium.Map:
    """A map with no basemap, zooming in far enough for rooms, on `bounds` (W, S, E, N);
    with `editing`, Leaflet-Geoman's drawing tools are loaded too."""
    fmap = offline_map(bounds, max_zoom=MAX_ZOOM, zoom_start=18)
    MapChrome(BACKGROUND, bounds).add_to(fmap)
    links = f'<link rel="stylesheet" href="/static/css/floor_plan.css?v={__version__}">'
    if editing:
        links += geoman_head()
    fmap.get_root().header.add_child(Element(links), name="gis_floor_css")
    return fmap


def _chooser(
    request: Request, session: Session, problem: str | None, asked: str | None
) -> HTMLResponse:
    """No usable building in the URL: say why (if one was given), list or search buildings."""
    lang = page_language(request)
    total = count_buildings(session)
    buildings = list_buildings(session, CHOOSER_LIST_MAX) if total <= CHOOSER_LIST_MAX else []
    message = t(problem, lang, value=asked or "") if problem else None
    home = home_extent(session, "building", request.app.state.settings.home_bbox)
    response = map_page(
        request,
        page_id="floors",
        fmap=_map(home),
        panel=render_template(
            "floor_panel.html",
            lang,
            mode="choose",
            message=message,
            buildings=buildings,
            total=total,
        ),
        scripts=["as_of", "map_tools", "floor_plan"],
        data={"mode": "choose", "buildingCount": total, "home": list(home)},
        text_prefixes=TEXT_PREFIXES,
    )
    if problem:
        response.status_code = 404 if problem == "web.floor.no_building" else 422
    return response


@router.get("/floor-plan", response_class=HTMLResponse)
def floor_plan(
    request: Request,
    session: SessionDep,
    building: Annotated[str | None, Query(max_length=40, description="Building id")] = None,
    level: Annotated[str | None, Query(max_length=40, description="Level ordinal")] = None,
) -> HTMLResponse:
    """The floor plan of `building` at `level` (default 1F), or a chooser of buildings."""
    if building is None or not building.strip():
        return _chooser(request, session, None, None)
    building_id = _whole_number(building, 1, MAX_INT)
    if building_id is None:
        return _chooser(request, session, "web.floor.bad_building", building)
    row = find_building(session, building_id)
    if row is None:
        return _chooser(request, session, "web.floor.no_building", building)
    lang = page_language(request)
    rights = _rights(request)
    editing = rights["canEdit"]
    data: dict[str, Any] = {
        **rights,
        "mode": "plan",
        "building": {k: row[k] for k in ("id", "code", "name", "floors_above", "floors_below")},
        "level": None if level is None else _whole_number(level, *LEVEL_RANGE),
        "levelAsked": level,
        "statusClasses": STATUS_CLASSES,
        "statusColours": STATUS_COLOURS,
        "home": [row["west"], row["south"], row["east"], row["north"]],
    }
    if editing:
        data.update(roomStatuses=ROOM_STATUSES, roomCategories=ROOM_CATEGORIES)
    return map_page(
        request,
        page_id="floors",
        fmap=_map((row["west"], row["south"], row["east"], row["north"]), editing),
        panel=render_template(
            "floor_panel.html", lang, mode="plan", building=row, can_edit=editing
        ),
        scripts=["as_of", "map_tools", "floor_plan", "exports", *(EDIT_SCRIPTS if editing else ())],
        data=data,
        text_prefixes=(*TEXT_PREFIXES, *(EDIT_TEXT_PREFIXES if editing else ())),
    )
