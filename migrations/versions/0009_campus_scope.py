"""Campuses (办公区) under row-level security: a campus is in a user's scope when a building
of it is (the building policy decides, through its own row-level security). Before, every
signed-in user read every campus, so search and the campus layer listed compounds of bodies
outside the caller's scope.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE campus ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY scope ON campus TO gis_web USING ((SELECT gis_sees_all())"
        " OR EXISTS (SELECT 1 FROM building b WHERE b.campus_id = campus.id))"
    )


def downgrade() -> None:
    op.execute("DROP POLICY scope ON campus")
    op.execute("ALTER TABLE campus DISABLE ROW LEVEL SECURITY")
