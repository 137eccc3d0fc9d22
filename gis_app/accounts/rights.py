"""What each role may do. Scope (which bodies) is the database's business (row-level
security); this table says which kinds of request a role may make at all."""

from __future__ import annotations

from enum import StrEnum


class Right(StrEnum):
    """A kind of request. Every route declares the one it needs (`gis_app.http.auth`)."""

    PUBLIC = "public"
    READ = "read"
    PEOPLE = "people"
    EDIT = "edit"
    IMPORT = "import"
    AUDIT = "audit"
    ADMIN = "admin"


ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    "admin": frozenset(Right),
    "office_manager": frozenset({Right.PUBLIC, Right.READ, Right.PEOPLE, Right.EDIT, Right.IMPORT}),
    "unit_officer": frozenset({Right.PUBLIC, Right.READ, Right.PEOPLE, Right.EDIT}),
    "viewer": frozenset({Right.PUBLIC, Right.READ}),
    "auditor": frozenset({Right.PUBLIC, Right.READ, Right.AUDIT}),
}
"""`import` covers imports, raster uploads, DXF/IMDF loads and reference layers; `edit`
changes the space of one's own bodies (and saves one's own presets); `audit` reads the
audit log; `admin` manages users; `people` reads names and who sits where (the roles that
manage bodies: `gis_app.db.identity.sees_people`)."""


def may(role: str, right: Right) -> bool:
    """Whether `role` has `right`."""
    return right in ROLE_RIGHTS.get(role, frozenset())
