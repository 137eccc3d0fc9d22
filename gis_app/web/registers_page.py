"""The registers page (台账): tabs for buildings, rooms and bodies, a filter bar, a table sorted
by a click on its column names, paging and the XLSX of exactly what is shown filtered
(web/js/registers.js, fed by `/api/v1/registers/{kind}`). The page's URL carries the tab,
filters, sort and page, so a register as filtered can be linked and bookmarked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis_app.accounts.rights import Right
from gis_app.http.auth import needs
from gis_app.http.session import SessionDep
from gis_app.models import Campus
from gis_app.models.base import ROOM_CATEGORIES, ROOM_STATUSES, SAFETY_GRADES
from gis_app.queries.land_form import districts
from gis_app.queries.organisations import body_choices
from gis_app.queries.registers import HAS_RATE, KINDS, columns
from gis_app.web.page import plain_page

router = APIRouter(include_in_schema=False, dependencies=[needs(Right.READ)])

TEXT_PREFIXES = (
    "web.registers.",
    "web.as_of.",
    "category.",
    "room_status.",
    "jurisdiction.",
    "report.yes",
)
ROOM_FILTERS = ("status", "category")
"""Filters only the rooms register has; `vacancy` only the registers in `HAS_RATE`."""


def _choices(session: Session) -> dict[str, list[Any]]:
    """What the filters offer: the bodies and campuses the caller sees, the districts."""
    campuses = session.execute(select(Campus.id, Campus.name).order_by(Campus.id))
    return {
        "bodies": body_choices(session),
        "campuses": [{"id": i, "name": n} for i, n in campuses],
        "districts": [d for d in districts(session) if d],
        "grades": list(SAFETY_GRADES),
        "statuses": list(ROOM_STATUSES),
        "categories": list(ROOM_CATEGORIES),
    }


@router.get("/registers", response_class=HTMLResponse)
def registers_page(request: Request, session: SessionDep) -> HTMLResponse:
    """The page; its script reads the tab and filters from the URL (`?tab=rooms&district=…`)."""
    choices = _choices(session)
    return plain_page(
        request,
        page_id="registers",
        template="registers.html",
        context={"kinds": KINDS, "choices": choices},
        scripts=["as_of", "registers"],
        data={
            "api": "/api/v1/registers",
            "kinds": KINDS,
            "columns": {kind: columns(kind) for kind in KINDS},
            "withRate": sorted(HAS_RATE),
            "roomFilters": ROOM_FILTERS,
            "pageSize": 50,
        },
        text_prefixes=TEXT_PREFIXES,
    )
