"""Demo accounts for the sample district, made only with it: an administrator and a few
users of each role on two bodies that share a building, so that signing in as each shows
what scoped access does. Passwords are random, written once to a file only the service
can read (never in the code or the README).

The generated district gives every building to one body; `share_idle_building` first
allocates two floors of its idle building to two bureaus (调剂, not yet moved into), so
that one building is used by two bodies, as office buildings often are."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.accounts.users import add_user

SHARED_BODIES = text(
    "SELECT o.code FROM room r JOIN floor f ON f.id = r.floor_id JOIN organisation o"
    " ON o.id = r.organisation_id WHERE f.building_id = ("
    "  SELECT f2.building_id FROM room r2 JOIN floor f2 ON f2.id = r2.floor_id"
    "  WHERE r2.organisation_id IS NOT NULL GROUP BY f2.building_id"
    "  ORDER BY count(DISTINCT r2.organisation_id) DESC, f2.building_id LIMIT 1)"
    " GROUP BY o.code ORDER BY count(*) DESC, o.code LIMIT 2"
)
"""Two bodies with rooms in the building most bodies share."""
IDLE_FLOORS = text(
    "SELECT f.id FROM floor f JOIN room r ON r.floor_id = f.id"
    " WHERE f.building_id = (SELECT f2.building_id FROM room r2 JOIN floor f2"
    "  ON f2.id = r2.floor_id GROUP BY f2.building_id"
    "  ORDER BY bool_and(r2.organisation_id IS NULL) DESC, count(*) DESC, f2.building_id LIMIT 1)"
    " GROUP BY f.id, f.ordinal HAVING bool_and(r.organisation_id IS NULL)"
    " ORDER BY f.ordinal LIMIT 2"
)
BUREAUS = text(
    "SELECT o.id FROM organisation o WHERE o.level = 'municipal' AND o.parent_id IS NOT NULL"
    " AND EXISTS (SELECT 1 FROM room r WHERE r.organisation_id = o.id) ORDER BY o.id LIMIT 2"
)
COUNTY = text(
    "SELECT code FROM organisation WHERE level = 'county' AND kind = 'government' "
    "ORDER BY id LIMIT 1"
)


@dataclass(frozen=True)
class DemoAccount:
    login: str
    role: str
    org_code: str | None
    password: str


def share_idle_building(session: Session) -> None:
    """Give the lowest two floors of the idle building to two municipal bureaus (their
    rooms stay vacant: allocated, not yet moved into)."""
    floors = session.scalars(IDLE_FLOORS).all()
    bureaus = session.scalars(BUREAUS).all()
    for floor_id, body_id in zip(floors, bureaus, strict=False):
        session.execute(
            text("UPDATE room SET organisation_id = :body WHERE floor_id = :floor"),
            {"body": body_id, "floor": floor_id},
        )


def _plan(session: Session) -> list[tuple[str, str, str | None]]:
    body_a, body_b = session.scalars(SHARED_BODIES).all()
    county = session.scalar(COUNTY)
    return [
        ("admin", "admin", None),
        ("manager", "office_manager", None),
        ("manager-county", "office_manager", county),
        ("officer-a", "unit_officer", body_a),
        ("officer-b", "unit_officer", body_b),
        ("viewer-a", "viewer", body_a),
        ("auditor", "auditor", None),
    ]


def create_demo_accounts(session: Session, out_file: Path) -> list[DemoAccount]:
    """Make the demo users (in the caller's transaction) and write their passwords to
    `out_file` (0600). Returns them, for printing once."""
    share_idle_building(session)
    made = []
    for login, role, org in _plan(session):
        password = secrets.token_urlsafe(12)
        add_user(session, login, role, org_code=org, display_name=login, password=password)
        made.append(DemoAccount(login, role, org, password))
    out_file.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(out_file.parent, 0o700)
    fd = os.open(out_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# login\trole\torganisation\tpassword (demo district only)\n")
        for a in made:
            out.write(f"{a.login}\t{a.role}\t{a.org_code or '-'}\t{a.password}\n")
    return made
