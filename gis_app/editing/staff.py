"""People: search, add, change, departure, and moves between rooms (occupancy periods).

A move closes the current stay on the effective date and opens the new one from it; a
departure (left_on) ends the stay and the person's weight in the body's office quota from
that date. Names are personal data: only the roles that manage people search them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.db.identity import sees_people
from gis_app.editing.rooms import findings
from gis_app.errors import InvalidParameter, NotFound

STAFF_SQL = text(
    "SELECT s.id, CASE WHEN :people THEN gis_staff_name(s.id) END AS name, s.organisation_id, "
    "o.name AS organisation_name, s.rank_code, k.name_zh AS rank_name_zh, "
    "k.name_en AS rank_name_en, s.started_on, s.left_on, s.valid_from, "
    "(SELECT jsonb_build_object('id', r.id, 'number', r.number, 'floor_id', r.floor_id, "
    "   'building_id', f.building_id, 'since', c.valid_from) "
    " FROM room_occupancy c JOIN room r ON r.id = c.room_id JOIN floor f ON f.id = r.floor_id "
    " WHERE c.staff_id = s.id AND c.valid_from <= CURRENT_DATE "
    " AND (c.valid_to IS NULL OR c.valid_to > CURRENT_DATE) ORDER BY c.valid_from DESC LIMIT 1"
    ") AS room "
    "FROM staff s JOIN organisation o ON o.id = s.organisation_id "
    "JOIN rank k ON k.code = s.rank_code "
)


def staff_detail(session: Session, staff_id: int) -> dict[str, Any]:
    """The person, their body, rank and current room; 404 naming them."""
    row = (
        session.execute(
            text(STAFF_SQL.text + "WHERE s.id = :id"), {"id": staff_id, "people": sees_people()}
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(resource="staff", id=staff_id)
    return dict(row)


def search(
    session: Session, q: str | None, organisation_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """People in scope whose name contains `q`, in the body (and its subtree) if given."""
    sql = STAFF_SQL.text + (
        "WHERE (CAST(:q AS text) IS NULL OR gis_staff_name(s.id) ILIKE '%' || :q || '%') "
        "AND (CAST(:org AS integer) IS NULL OR s.organisation_id = ANY (gis_org_subtree(:org))) "
        "ORDER BY s.left_on NULLS FIRST, k.sort_order, s.id LIMIT :limit"
    )
    rows = session.execute(
        text(sql), {"q": q or None, "org": organisation_id, "limit": limit, "people": True}
    )
    return [dict(r) for r in rows.mappings()]


def check_rank(session: Session, organisation_id: int, rank_code: str) -> None:
    """422 naming `rank_code` unless the rank is of the body's level, or one a
    sub-provincial city's body may hold (`gis_rank_fits`, migration 0011: the flag on the
    body or on any body above it, seen or not by the caller)."""
    level = session.execute(
        text("SELECT level FROM organisation WHERE id = :org"), {"org": organisation_id}
    ).scalar()
    if level is None:
        raise NotFound(resource="organisation", id=organisation_id)
    fits = session.execute(
        text("SELECT gis_rank_fits(:org, :rank)"), {"org": organisation_id, "rank": rank_code}
    ).scalar()
    if fits is None:
        raise InvalidParameter(field="rank_code", reason="reason.bad_value", value=rank_code)
    if not fits:
        raise InvalidParameter(
            field="rank_code", reason="reason.rank_level", value=rank_code, level=level
        )


def add_staff(session: Session, organisation_id: int, rank_code: str, name: str) -> dict[str, Any]:
    """A new person in a body, in post from the effective date (`started_on`)."""
    check_rank(session, organisation_id, rank_code)
    staff_id = session.execute(
        text(
            "INSERT INTO staff (organisation_id, rank_code, name, started_on) "
            "VALUES (:org, :rank, :name, gis_effective_date()) RETURNING id"
        ),
        {"org": organisation_id, "rank": rank_code, "name": name},
    ).scalar_one()
    return staff_detail(session, staff_id)


def _locked_staff(session: Session, staff_id: int) -> Any:
    row = session.execute(
        text("SELECT id, organisation_id, rank_code, left_on FROM staff WHERE id = :id FOR UPDATE"),
        {"id": staff_id},
    ).first()
    if row is None:
        raise NotFound(resource="staff", id=staff_id)
    return row


def _effective(session: Session) -> date:
    return session.execute(text("SELECT gis_effective_date()")).scalar_one()


def _present(row: Any, day: date) -> None:
    if row.left_on is not None and row.left_on <= day:
        raise InvalidParameter(field="staff_id", reason="reason.has_left", left_on=str(row.left_on))


def edit_staff(session: Session, staff_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a person's body, rank or name (a new version from the effective date)."""
    row = _locked_staff(session, staff_id)
    _present(row, _effective(session))
    org = changes.get("organisation_id", row.organisation_id)
    rank = changes.get("rank_code", row.rank_code)
    if "organisation_id" in changes or "rank_code" in changes:
        check_rank(session, org, rank)
    session.execute(
        text(
            "UPDATE staff SET organisation_id = :org, rank_code = :rank, "
            "name = coalesce(:name, gis_staff_name(id)) WHERE id = :id"
        ),
        {"org": org, "rank": rank, "name": changes.get("name"), "id": staff_id},
    )
    return staff_detail(session, staff_id)


def _end_stay(session: Session, staff_id: int, day: date) -> list[int]:
    """Close the person's stays open on `day` in every room, the caller's or not (a stay
    starting that very day is removed, a later one refused: `gis_end_stays`); the rooms
    they left."""
    later = session.execute(
        text(
            "SELECT max(valid_from) FROM room_occupancy WHERE staff_id = :id AND valid_from > :day"
        ),
        {"id": staff_id, "day": day},
    ).scalar()
    if later is not None:
        raise InvalidParameter(
            field="effective_date", reason="reason.stay_starts_later", since=str(later)
        )
    return list(
        session.execute(
            text("SELECT gis_end_stays(:id, :day)"), {"id": staff_id, "day": day}
        ).scalars()
    )


def end_staff(session: Session, staff_id: int) -> dict[str, Any]:
    """The person leaves on the effective date: their stay ends then."""
    row = _locked_staff(session, staff_id)
    day = _effective(session)
    if row.left_on is not None:
        raise InvalidParameter(
            field="staff_id", reason="reason.already_left", left_on=str(row.left_on)
        )
    _end_stay(session, staff_id, day)
    session.execute(
        text("UPDATE staff SET left_on = :day WHERE id = :id"), {"day": day, "id": staff_id}
    )
    return staff_detail(session, staff_id)


def move(session: Session, staff_id: int, room_id: int | None) -> dict[str, Any]:
    """Move the person into `room_id` on the effective date (None: only end the stay); a
    room the ledger calls vacant is in use from then. Answers the person and the
    over-standard findings of the room they moved into."""
    row = _locked_staff(session, staff_id)
    day = _effective(session)
    _present(row, day)
    target = None
    if room_id is not None:
        target = session.execute(
            text("SELECT id, floor_id FROM room WHERE id = :id FOR UPDATE"), {"id": room_id}
        ).first()
        if target is None:
            raise NotFound(resource="room", id=room_id)
    _end_stay(session, staff_id, day)
    if target is not None:
        session.execute(
            text(
                "INSERT INTO room_occupancy (room_id, staff_id, valid_from) "
                "VALUES (:room, :staff, :day)"
            ),
            {"room": room_id, "staff": staff_id, "day": day},
        )
        session.execute(
            text("UPDATE room SET status = 'in_use' WHERE id = :id AND status = 'vacant'"),
            {"id": room_id},
        )
    person = staff_detail(session, staff_id)
    person["findings"] = findings(session, [room_id], [target.floor_id]) if target else []
    return person
