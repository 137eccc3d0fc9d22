"""Bodies: add, change, end; and the reallocation (调剂) of idle rooms to a body."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.db.identity import apply_identity, current_identity
from gis_app.editing.rooms import allocate, not_idle, room_taken
from gis_app.editing.rows import update_columns
from gis_app.errors import Forbidden, InvalidParameter, NotFound

FIELDS = (
    "code",
    "name",
    "parent_id",
    "level",
    "kind",
    "authorised_staff",
    "sub_provincial",
    "equivalence",
)
ORG_SQL = text(
    "SELECT id, code, name, parent_id, level, kind, authorised_staff, sub_provincial, "
    "equivalence, ended_on, valid_from FROM organisation WHERE id = :id"
)


def organisation_detail(session: Session, organisation_id: int) -> dict[str, Any]:
    """The body as stored; 404 naming it."""
    row = session.execute(ORG_SQL, {"id": organisation_id}).mappings().first()
    if row is None:
        raise NotFound(resource="organisation", id=organisation_id)
    return dict(row)


def _check_parent(session: Session, parent_id: int | None) -> None:
    if parent_id is not None:
        organisation_detail(session, parent_id)


WHOLE_SYSTEM = ("sub_provincial", "equivalence")
"""What only whole-system roles set: the standing that lets a body hold another level's
ranks."""


def _check_equivalence(session: Session, fields: dict[str, Any], level: str) -> None:
    """422 naming `equivalence` for a note that does not exist or is for another level."""
    code = fields.get("equivalence")
    if code is None:
        return
    body_level = session.execute(
        text("SELECT body_level FROM rank_equivalence WHERE code = :code"), {"code": code}
    ).scalar()
    if body_level is None:
        raise InvalidParameter(field="equivalence", reason="reason.unknown_equivalence", note=code)
    if body_level != level:
        raise InvalidParameter(
            field="equivalence",
            reason="reason.equivalence_level",
            note=code,
            body_level=body_level,
            level=level,
        )


def _whole_system_only(fields: dict[str, Any]) -> None:
    identity = current_identity()
    if identity is None or identity.org_id is None:
        return
    for name in WHOLE_SYSTEM:
        if fields.get(name):
            raise Forbidden(right="admin", field=name)


def _refresh_scope(session: Session) -> None:
    """A new body under the caller's scope joins it at once (the scope list is made when
    the transaction starts)."""
    identity = current_identity()
    if identity is not None:
        apply_identity(session.connection().connection.cursor(), identity)


def add_organisation(session: Session, fields: dict[str, Any]) -> dict[str, Any]:
    """A new body under a parent in the caller's scope (a top-level one: whole-system roles
    only, which the row policy enforces)."""
    _whole_system_only(fields)
    _check_parent(session, fields.get("parent_id"))
    _check_equivalence(session, fields, fields["level"])
    new_id = session.execute(
        text("SELECT nextval(pg_get_serial_sequence('organisation', 'id'))")
    ).scalar_one()
    columns = {k: fields[k] for k in FIELDS if k in fields}
    names = ", ".join(columns)
    values = ", ".join(f":{k}" for k in columns)
    session.execute(
        text(f"INSERT INTO organisation (id, {names}) VALUES (:id, {values})"),  # noqa: S608 (FIELDS)
        columns | {"id": new_id},
    )
    _refresh_scope(session)
    return organisation_detail(session, new_id)


def edit_organisation(
    session: Session, organisation_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change a body's name, parent, level, kind, authorised staff or standing."""
    current = organisation_detail(session, organisation_id)
    _whole_system_only(changes)
    _check_equivalence(
        session,
        {"equivalence": current["equivalence"]} | changes,
        changes.get("level") or current["level"],
    )
    identity = current_identity()
    if identity is not None and identity.org_id == organisation_id:
        raise Forbidden(right="admin")  # a scoped user's own root is set from above
    if "parent_id" in changes:
        _check_parent(session, changes["parent_id"])
        below = session.execute(
            text("SELECT gis_org_subtree(:id)"), {"id": organisation_id}
        ).scalar_one()
        if changes["parent_id"] in below:
            raise InvalidParameter(field="parent_id", reason="reason.own_subtree")
    update_columns(session, "organisation", organisation_id, changes, FIELDS)
    return organisation_detail(session, organisation_id)


def end_organisation(session: Session, organisation_id: int) -> dict[str, Any]:
    """The body ends on the effective date; refused (naming what is left) while it still
    holds rooms or staff in post."""
    organisation_detail(session, organisation_id)
    held = session.execute(
        text(
            "SELECT (SELECT count(*) FROM room WHERE organisation_id = :id) AS rooms, "
            "(SELECT count(*) FROM staff WHERE organisation_id = :id AND left_on IS NULL) AS staff"
        ),
        {"id": organisation_id},
    ).one()
    if held.rooms or held.staff:
        raise InvalidParameter(
            field="organisation_id", reason="reason.body_in_use", rooms=held.rooms, staff=held.staff
        )
    session.execute(
        text("UPDATE organisation SET ended_on = gis_effective_date() WHERE id = :id"),
        {"id": organisation_id},
    )
    return organisation_detail(session, organisation_id)


def reallocate(
    session: Session,
    organisation_id: int,
    room_ids: Sequence[int],
    request: dict[str, Any],
    candidate: dict[str, Any],
) -> dict[str, Any]:
    """Record the reallocation chosen from an idle-space match: the idle rooms go to the
    body, with the request and candidate kept as its source. 409 naming a room someone
    has moved into since the match."""
    not_idle(session, room_ids)
    room_taken(session, room_ids)
    rooms = allocate(session, organisation_id, room_ids=room_ids)
    realloc_id = session.execute(
        text(
            "INSERT INTO reallocation (organisation_id, room_ids, request, candidate, "
            "effective_date, document_no, note) VALUES (:org, :rooms, CAST(:request AS jsonb), "
            "CAST(:candidate AS jsonb), gis_effective_date(), gis_edit_setting('document_no'), "
            "gis_edit_setting('note')) RETURNING id"
        ),
        {
            "org": organisation_id,
            "rooms": sorted(set(room_ids)),
            "request": _json(request),
            "candidate": _json(candidate),
        },
    ).scalar_one()
    return {"id": realloc_id, "organisation_id": organisation_id, "rooms": rooms}


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
