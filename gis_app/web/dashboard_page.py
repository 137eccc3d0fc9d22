"""The dashboard page (驾驶舱): KPI cards and charts drawn by web/js/dashboard.js from
`/api/v1/dashboard`, for everything or (`?body=`) one body's subtree, today or on the date of
`?as_of=YYYY-MM-DD` (web/js/as_of.js)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from gis_app.accounts.rights import Right
from gis_app.errors import InvalidParameter, NotFound
from gis_app.http.auth import needs
from gis_app.http.params import MAX_INT
from gis_app.http.session import SessionDep
from gis_app.queries.land_form import districts
from gis_app.queries.organisations import body_choices, organisation_name
from gis_app.web.page import plain_page

router = APIRouter(tags=["pages"], dependencies=[needs(Right.READ)])

KPIS = (
    "buildings",
    "bodies",
    "usable_area",
    "vacancy_rate",
    "over_standard_rooms",
    "bodies_over_quota",
    "idle_parcels",
    "data_quality",
)
"""The cards, in order; web/js/dashboard.js fills each from the figures."""
CHARTS = (
    "vacancy_by_building",
    "over_standard_by_body",
    "vacancy_by_body",
    "over_standard_by_building",
    "parcels_by_district",
    "parcels_by_status",
)
"""The charts, in order: one per chart of the API's answer."""
NOTES = ("vacancy_rate", "vacancy_by_building", "vacancy_by_body")
"""Cards and charts whose title carries a tooltip naming the basis of the figure and its
date (`web.dashboard.note.*`): the vacancies, whose bases differ."""


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(
    request: Request,
    session: SessionDep,
    body: Annotated[int | None, Query(ge=1, le=MAX_INT, description="A body's subtree")] = None,
    district: Annotated[str | None, Query(max_length=100, description="A 行政区")] = None,
) -> HTMLResponse:
    """The page; an unknown `body` is a 404 here rather than an error inside the page, an
    unknown district a 422 naming it."""
    body_name = None
    if body is not None:
        body_name = organisation_name(session, body)
        if body_name is None:
            raise NotFound(resource="organisation", id=body)
    known = [d for d in districts(session) if d]
    district = district or None
    if district is not None and district not in known:
        raise InvalidParameter(field="district", reason="reason.bad_value")
    return plain_page(
        request,
        page_id="dashboard",
        template="dashboard.html",
        context={
            "kpis": KPIS,
            "charts": CHARTS,
            "notes": NOTES,
            "body_id": body,
            "body_name": body_name,
            "district": district,
            "districts": known,
            "bodies": body_choices(session),
        },
        scripts=["as_of", "dashboard", "exports"],
        data={
            "api": "/api/v1/dashboard",
            "bodyId": body,
            "district": district,
            "charts": CHARTS,
        },
        text_prefixes=["web.dashboard.", "web.as_of."],
    )
