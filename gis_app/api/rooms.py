"""Rooms: read one with its version, change it, allocate and release, draw, reshape,
split and merge, and its history. Every change is one transaction by the caller with the
effective date, document number and note it gives (docs/editing.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from gis_app.accounts.rights import Right
from gis_app.db.edit import editing
from gis_app.editing import rooms
from gis_app.editing.history import history
from gis_app.http.auth import needs
from gis_app.http.params import IdPath, IfMatch
from gis_app.http.session import SessionDep
from gis_app.schemas.edits import (
    Allocation,
    EditBody,
    History,
    Merge,
    NewRoom,
    Outline,
    RoomChange,
    RoomSelection,
    SplitLine,
)

router = APIRouter(prefix="/api/v1", tags=["rooms"], dependencies=[needs(Right.READ)])
EDIT = [needs(Right.EDIT)]
COMMON = set(EditBody.model_fields)


def given(body: EditBody) -> dict[str, Any]:
    """The fields the caller sent, besides the common ones (null included: it clears)."""
    return body.model_dump(include=body.model_fields_set - COMMON)


def _with_etag(room: dict[str, Any], response: Response) -> dict[str, Any]:
    response.headers["ETag"] = room["etag"]
    return room


@router.get("/rooms/{room_id}", operation_id="room", summary="房间 / A room")
def room(room_id: IdPath, session: SessionDep, response: Response) -> dict[str, Any]:
    """The room, its body and current occupants (names for the roles that manage people),
    with its `ETag` to send back in `If-Match` when changing it."""
    with session.begin():
        return _with_etag(rooms.room_detail(session, room_id), response)


@router.patch(
    "/rooms/{room_id}",
    operation_id="update_room",
    dependencies=EDIT,
    summary="修改房间 / Change a room",
)
def update_room(
    room_id: IdPath,
    body: RoomChange,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Status, category, subtype, name, number, body or the office it serves; answers the
    room with `findings` (offices the change leaves over the standard)."""
    with editing(session, body.context("room.update")):
        result = rooms.update_room(session, room_id, if_match, given(body))
    return _with_etag(result, response)


@router.post(
    "/rooms/allocate",
    operation_id="allocate_rooms",
    dependencies=EDIT,
    summary="分配房间 / Allocate rooms to a body",
)
def allocate(body: Allocation, session: SessionDep) -> dict[str, Any]:
    """The rooms named, or a whole floor, go to the body from the effective date."""
    with editing(session, body.context("room.allocate")):
        return {
            "rooms": rooms.allocate(session, body.organisation_id, body.room_ids, body.floor_id)
        }


@router.post(
    "/rooms/release",
    operation_id="release_rooms",
    dependencies=EDIT,
    summary="收回房间 / Release rooms",
)
def release(body: RoomSelection, session: SessionDep) -> dict[str, Any]:
    """The rooms (or floor) belong to no body from the effective date (the idle pool)."""
    with editing(session, body.context("room.release")):
        return {"rooms": rooms.allocate(session, None, body.room_ids, body.floor_id)}


@router.post(
    "/floors/{floor_id}/rooms",
    operation_id="create_room",
    dependencies=EDIT,
    status_code=201,
    summary="新建房间 / Draw a room",
)
def create_room(
    floor_id: IdPath, body: NewRoom, session: SessionDep, response: Response
) -> dict[str, Any]:
    """A new room on the floor, drawn in lon/lat (`CRS84`) or in the plan's metres
    (`local`); both outlines are stored. 422 names a room it would overlap."""
    fields = body.model_dump(exclude=COMMON | {"geometry", "crs"})
    with editing(session, body.context("room.create")):
        result = rooms.create_room(session, floor_id, fields, body.geometry, body.crs)
    return _with_etag(result, response)


@router.put(
    "/rooms/{room_id}/outline",
    operation_id="reshape_room",
    dependencies=EDIT,
    summary="修改房间轮廓 / Reshape a room",
)
def reshape(
    room_id: IdPath,
    body: Outline,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """New outline (the recorded area follows it unless given)."""
    with editing(session, body.context("room.reshape")):
        result = rooms.reshape(
            session, room_id, if_match, body.geometry, body.crs, body.usable_area_m2
        )
    return _with_etag(result, response)


@router.post(
    "/rooms/{room_id}/split",
    operation_id="split_room",
    dependencies=EDIT,
    summary="分割房间 / Split a room",
)
def split(
    room_id: IdPath, body: SplitLine, session: SessionDep, if_match: IfMatch = None
) -> dict[str, Any]:
    """Cut the room in two along `line`; the larger part keeps the room and its occupants."""
    with editing(session, body.context("room.split")):
        return {"rooms": rooms.split(session, room_id, if_match, body.line, body.crs, body.numbers)}


@router.post(
    "/rooms/merge", operation_id="merge_rooms", dependencies=EDIT, summary="合并房间 / Merge rooms"
)
def merge(body: Merge, session: SessionDep, response: Response) -> dict[str, Any]:
    """Adjacent rooms of one floor become the first of them; occupants move into it."""
    with editing(session, body.context("room.merge")):
        result = rooms.merge(session, body.room_ids, body.number)
    return _with_etag(result, response)


@router.get(
    "/rooms/{room_id}/history",
    operation_id="room_history",
    summary="房间变更记录 / A room's history",
)
def room_history(room_id: IdPath, session: SessionDep) -> History:
    """Every change of the room and of who sat in it, newest first."""
    with session.begin():
        return History(items=history(session, "room", room_id))
