"""Who may write what: seeing a building, floor, campus or body is not holding it. Only a
title holder in scope (or a whole-system role) changes or deletes a building, its floors
and campus; a scoped user changes the bodies under their scope's root, never the root,
and keeps them under it. Also: the rank rule and the end of a person's stays as functions
that see past the caller's scope, a lock so two drawings on one floor cannot both pass the
overlap rule, and histories that follow the body a change left the row with.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:50:00
"""

from collections.abc import Sequence

from gis_app.db.migrate import run_sql_file

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("0011_functions.sql")


def downgrade() -> None:
    run_sql_file("0011_drop_functions.sql")
