"""Bodies (机关/单位) as pages and routers name them: a body's name, and where it sits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gis_app.models import Organisation

BODY_BUILDINGS_SQL = text(
    "SELECT o.id, o.name, coalesce(array_agg(DISTINCT f.building_id ORDER BY "
    "f.building_id) FILTER (WHERE f.building_id IS NOT NULL), '{}') AS building_ids "
    "FROM organisation o LEFT JOIN room r ON r.organisation_id = o.id "
    "LEFT JOIN floor f ON f.id = r.floor_id WHERE o.id = :o GROUP BY o.id"
)


def organisation_name(session: Session, organisation_id: int) -> str | None:
    """The body's name, or None when there is no such body."""
    return session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))


def body_buildings(session: Session, organisation_id: int) -> dict[str, Any] | None:
    """The body's id, name and the ids of the buildings it has rooms in; None when unknown."""
    row = session.execute(BODY_BUILDINGS_SQL, {"o": organisation_id}).mappings().first()
    return dict(row) if row else None


def visible_bodies(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every current body the caller sees (row-level security decides), by
    name: the bodies a form may ask for."""
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.ended_on.is_(None))
        .order_by(Organisation.name, Organisation.id)
    )
    return [(r.id, r.name) for r in rows]


def body_choices(session: Session) -> list[dict[str, Any]]:
    """`visible_bodies` as {id, name}: what a page's body filter offers."""
    return [{"id": i, "name": n} for i, n in visible_bodies(session)]
