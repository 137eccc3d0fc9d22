"""What an IMDF export needs to give back an imported archive as it was read: the source
feature's properties on buildings, floors and rooms (labels in their own languages, unit
and level categories), and on buildings the venue, addresses and footprints, on floors the
openings. NULL for data that never came from IMDF.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("building", "floor", "room")
COMMENT = "The IMDF features this row was imported from, as read (exports give them back)"


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("imdf_source", JSONB(), nullable=True, comment=COMMENT))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "imdf_source")
