"""People: search (the roles that manage people only), add, change, departure, moves, and
a person's history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gis_app.accounts.rights import Right
from gis_app.api.rooms import given
from gis_app.db.edit import editing
from gis_app.db.identity import sees_people
from gis_app.editing import staff
from gis_app.editing.history import history
from gis_app.http.auth import Forbidden, needs
from gis_app.http.params import IdPath
from gis_app.http.session import SessionDep
from gis_app.schemas.edits import EditBody, History, Move, NewStaff, StaffChange

router = APIRouter(prefix="/api/v1/staff", tags=["staff"], dependencies=[needs(Right.READ)])
EDIT = [needs(Right.EDIT)]


def _people() -> None:
    """Names and who sits where are for the roles that manage people."""
    if not sees_people():
        raise Forbidden(right="people")


@router.get("", operation_id="search_staff", summary="查找人员 / Find people")
def search(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=50, description="Part of the name")] = None,
    organisation_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """People in the caller's scope by name, with body, rank and current room; 403 for
    roles that do not manage people."""
    _people()
    with session.begin():
        return {"items": staff.search(session, q, organisation_id, limit)}


@router.post(
    "",
    operation_id="add_staff",
    dependencies=EDIT,
    status_code=201,
    summary="新增人员 / Add a person",
)
def add(body: NewStaff, session: SessionDep) -> dict[str, Any]:
    """A person joins a body from the effective date; the rank must belong to the body's
    level (sub-provincial cities: also the provincial deputy and department ranks)."""
    with editing(session, body.context("staff.add")):
        return staff.add_staff(session, body.organisation_id, body.rank_code, body.name)


@router.get("/{staff_id}", operation_id="staff_member", summary="人员 / A person")
def person(staff_id: IdPath, session: SessionDep) -> dict[str, Any]:
    """The person, body, rank, departure and current room."""
    _people()
    with session.begin():
        return staff.staff_detail(session, staff_id)


@router.patch(
    "/{staff_id}",
    operation_id="update_staff",
    dependencies=EDIT,
    summary="修改人员 / Change a person",
)
def update(staff_id: IdPath, body: StaffChange, session: SessionDep) -> dict[str, Any]:
    """Body, rank or name, from the effective date."""
    with editing(session, body.context("staff.update")):
        return staff.edit_staff(session, staff_id, given(body))


@router.post(
    "/{staff_id}/end",
    operation_id="end_staff",
    dependencies=EDIT,
    summary="人员离岗 / A person leaves",
)
def end(staff_id: IdPath, body: EditBody, session: SessionDep) -> dict[str, Any]:
    """The person leaves on the effective date: their stay in a room ends then, and so
    does their weight in the body's office quota."""
    with editing(session, body.context("staff.end")):
        return staff.end_staff(session, staff_id)


@router.post(
    "/{staff_id}/move",
    operation_id="move_staff",
    dependencies=EDIT,
    summary="人员调整房间 / Move a person",
)
def move(staff_id: IdPath, body: Move, session: SessionDep) -> dict[str, Any]:
    """Close the current stay and open one in `room_id` on the effective date (`null`
    only ends the stay); a move into an office then over the standard is made and
    answered with the finding."""
    with editing(session, body.context("staff.move")):
        return staff.move(session, staff_id, body.room_id)


@router.get(
    "/{staff_id}/history", operation_id="staff_history", summary="人员变更记录 / A person's history"
)
def staff_history(staff_id: IdPath, session: SessionDep) -> History:
    """Every change of the person and of their stays, newest first."""
    _people()
    with session.begin():
        return History(items=history(session, "staff", staff_id))
