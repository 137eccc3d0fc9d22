"""闲置房源调剂匹配 page: a body's need (offices, meeting rooms, area, distance, an optional
origin clicked on the map) goes to `/api/v1/analysis/idle-space-match`; web/js/match.js
lists the ranked candidates with their tier (内部整合 / 系统内调剂 / 跨系统调剂), draws them,
shows the rooms picked in one and the request against the body's office quota, and, for a
user with the `edit` right, records the chosen candidate as a reallocation (调剂) through
`/api/v1/reallocations`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gis_app import __version__
from gis_app.accounts.rights import Right, may
from gis_app.http.auth import needs
from gis_app.http.language import PageLanguage
from gis_app.http.session import SessionDep
from gis_app.maps.catalog_map import catalog_map
from gis_app.queries.organisations import visible_bodies
from gis_app.web.extent import home_extent
from gis_app.web.page import map_page, render_template

router = APIRouter(include_in_schema=False, dependencies=[needs(Right.READ)])

MATCH_LAYERS = ("roads", "buildings_vacancy")
"""What the candidates are seen against, lowest first."""


def _can_reallocate(request: Request) -> bool:
    """Whether the caller may record a reallocation (the `edit` right)."""
    identity = getattr(getattr(request.state, "caller", None), "identity", None)
    return identity is not None and may(identity.role, Right.EDIT)


@router.get("/match", response_class=HTMLResponse)
def match_page(request: Request, session: SessionDep, lang: PageLanguage) -> HTMLResponse:
    """The form over the buildings' extent; the bodies offered are those the caller sees."""
    bodies = visible_bodies(session)
    bounds = home_extent(session, "building", request.app.state.settings.home_bbox)
    fmap = catalog_map(list(MATCH_LAYERS), lang, bounds, session=session)
    return map_page(
        request,
        page_id="match",
        fmap=fmap,
        panel=render_template("match_panel.html", lang, bodies=bodies, version=__version__),
        scripts=["match"],
        data={
            "api": "/api/v1/analysis/idle-space-match",
            "reallocateApi": "/api/v1/reallocations",
            "canReallocate": _can_reallocate(request),
        },
        text_prefixes=["web.match.", "match.tier."],
    )
