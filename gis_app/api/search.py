"""Search box of the map: buildings, bodies and campuses by name, code or address."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from gis_app.accounts.rights import Right
from gis_app.api.features import plain
from gis_app.http.auth import needs
from gis_app.http.session import SessionDep
from gis_app.queries.search import search

router = APIRouter(prefix="/api/v1/search", tags=["search"], dependencies=[needs(Right.READ)])


@router.get("", operation_id="search", summary="按名称、地址、单位查找 / Find by name")
def search_route(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="Part of a name")],
    limit: Annotated[int, Query(ge=1, le=50, description="Matches per kind")] = 8,
) -> JSONResponse:
    """Matches of each kind with a point to fly to and the buildings to highlight."""
    rows = search(session, q.strip() or q, limit)
    return JSONResponse({"items": [{k: plain(v) for k, v in r.items()} for r in rows]})
