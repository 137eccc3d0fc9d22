"""Histories that span rows (a building with its floors and rooms), the undo of one
change, and reallocations (调剂) recorded from idle-space matches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gis_app.accounts.rights import Right
from gis_app.db.edit import EditContext, editing
from gis_app.editing import organisations
from gis_app.editing.history import history, undo
from gis_app.http.auth import needs
from gis_app.http.params import IdPath
from gis_app.http.session import SessionDep
from gis_app.schemas.edits import History, ReallocationIn, Undo

router = APIRouter(prefix="/api/v1", tags=["history"], dependencies=[needs(Right.READ)])
EDIT = [needs(Right.EDIT)]


@router.get(
    "/buildings/{building_id}/history",
    operation_id="building_history",
    summary="建筑变更记录 / A building's history",
)
def building_history(building_id: IdPath, session: SessionDep) -> History:
    """Changes of the building, its floors and their rooms, newest first."""
    with session.begin():
        return History(items=history(session, "building", building_id))


@router.post(
    "/history/{change_id}/undo",
    operation_id="undo_change",
    dependencies=EDIT,
    summary="撤销一项变更 / Undo one change",
)
def undo_change(change_id: IdPath, body: Undo, session: SessionDep) -> dict[str, Any]:
    """Write the inverse of the change (itself audited as `history.undo`); 409 when the
    row has changed again since."""
    with editing(session, EditContext(action="history.undo", note=body.note)):
        return undo(session, change_id)


@router.post(
    "/reallocations",
    operation_id="reallocate",
    dependencies=EDIT,
    status_code=201,
    summary="登记调剂 / Record a reallocation",
)
def reallocate(body: ReallocationIn, session: SessionDep) -> dict[str, Any]:
    """The idle rooms chosen from a match go to the body, with the request and candidate
    kept as the source; 409 naming a room someone has moved into since."""
    with editing(session, body.context("reallocation")):
        return organisations.reallocate(
            session, body.organisation_id, body.room_ids, body.request, body.candidate
        )
