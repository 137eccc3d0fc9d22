"""Who the current request or command acts as, and how the database is told.

Every transaction on the app's engine starts with one statement that sets the identity
as transaction-local settings (`set_config(..., true)`, i.e. SET LOCAL); the row-level
security policies of migration 0005 read them. Nothing set means the policies show
nothing, so a code path that forgets the identity fails closed.

The identity travels in a context variable: FastAPI runs sync endpoints and
dependencies in worker threads with a copy of the request's context, and
`in_context` carries it into threads a handler starts itself.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from gis_app.models.base import ROLES

MANAGING_ROLES = frozenset({"admin", "office_manager", "unit_officer"})
"""Roles that manage the bodies in their scope, and so may see who sits where."""

T = TypeVar("T")


@dataclass(frozen=True)
class Identity:
    """A signed-in user as the database sees them. `org_id` is the root of their scope;
    None is the whole system."""

    user_id: int
    login: str
    role: str
    org_id: int | None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")

    @property
    def manages(self) -> bool:
        """May see staff and who sits in which room within the scope."""
        return self.role in MANAGING_ROLES

    @property
    def scope_key(self) -> str:
        """What decides which rows this user sees: the same key, the same data. Tile ETags
        and any cache key include it."""
        scope = "all" if self.org_id is None else f"org{self.org_id}"
        return f"{scope}:{'manage' if self.manages else 'read'}"


_current: contextvars.ContextVar[Identity | None] = contextvars.ContextVar(
    "gis_identity", default=None
)


def current_identity() -> Identity | None:
    """The identity of the request or command running in this context."""
    return _current.get()


def sees_people() -> bool:
    """Whether who sits where may be shown here: to roles that manage the bodies, and to
    commands (no identity: the owner's own connection)."""
    identity = _current.get()
    return identity is None or identity.manages


def set_identity(identity: Identity | None) -> None:
    """Act as `identity` in this context (a request's authentication dependency)."""
    _current.set(identity)


def in_context(fn: Callable[..., T]) -> Callable[..., T]:
    """`fn` bound to a copy of this context, for a thread pool that would not carry it."""
    context = contextvars.copy_context()

    def run(*args: Any, **kwargs: Any) -> T:
        return context.copy().run(fn, *args, **kwargs)

    return run


APPLY_SQL = (
    "SELECT set_config('gis_app.user', %(login)s, true),"
    " set_config('gis_app.user_id', %(user_id)s, true),"
    " set_config('gis_app.role', %(role)s, true),"
    " set_config('gis_app.scope', %(scope)s, true),"
    " set_config('gis_app.org', %(org)s, true),"
    " set_config('gis_app.orgs', CASE WHEN %(org)s = '' THEN ''"
    " ELSE gis_org_subtree(%(org)s::integer)::text END, true)"
)
"""One round trip per transaction: the scope's organisation ids are computed in the
database (by the owner, migration 0005's gis_org_subtree) from the scope's root."""


def apply_identity(cursor: Any, identity: Identity) -> None:
    """Tell the transaction `cursor` is in who is asking."""
    cursor.execute(
        APPLY_SQL,
        {
            "login": identity.login,
            "user_id": str(identity.user_id),
            "role": identity.role,
            "scope": "all" if identity.org_id is None else "orgs",
            "org": "" if identity.org_id is None else str(identity.org_id),
        },
    )
