"""`<table>_at(date)` again, with the validity test outside the UNION ALL: PostgreSQL then
flattens the union into an append of the table and its history, so joins and filters reach
their indexes. The first form (0010) left each branch a subquery scan read whole: a floor
plan took 2.4-3.6 s at province size (bench/edit_latency.py).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:10:00
"""

from collections.abc import Sequence

from alembic import op

from gis_app.db.history import VERSIONED, create_at_function

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in VERSIONED:
        create_at_function(op.get_bind(), table)


def downgrade() -> None:
    """The earlier form is slower but answers the same: nothing to undo."""
