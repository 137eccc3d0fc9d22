"""What the owner sees: the editing tests check what was written without the app's rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text


def first_row(owner: Engine, sql: str, **params: Any) -> Any:
    """The first row of `sql` (None: none)."""
    with owner.connect() as conn:
        return conn.execute(text(sql), params).first()


def rows(owner: Engine, sql: str, **params: Any) -> list[Any]:
    """Every row of `sql`."""
    with owner.connect() as conn:
        return conn.execute(text(sql), params).all()
