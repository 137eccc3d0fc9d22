"""IMDF feature ids on buildings, floors and rooms: an IMDF archive imported keeps its
building, level and unit UUIDs, so exporting the same buildings again gives the same ids
(and a second import of the same archive is recognised). NULL for data that never came
from IMDF; exports then derive a stable id from the row id.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("building", "floor", "room")
COMMENT = "IMDF feature id kept from an imported archive (exports reuse it)"


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("imdf_id", sa.Uuid(), nullable=True, comment=COMMENT))
        op.create_unique_constraint(op.f(f"uq_{table}_imdf_id"), table, ["imdf_id"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_constraint(op.f(f"uq_{table}_imdf_id"), table, type_="unique")
        op.drop_column(table, "imdf_id")
