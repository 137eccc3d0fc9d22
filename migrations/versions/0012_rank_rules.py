"""The rank rules as data: which ranks may have a private toilet (2014 standard: ministerial
and provincial leaders, heads of provincial departments, and the heads of cities and
counties), and the bodies of sub-provincial cities (the flag on a body or any body above
it) for the data-quality check of ranks given before the editing API checked them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOILET_RANKS = (
    "central_minister",
    "central_vice_minister",
    "provincial_head",
    "provincial_deputy",
    "provincial_dept_head",
    "municipal_head",
    "county_head",
)

SUB_PROVINCIAL_BODIES = """
CREATE FUNCTION gis_sub_provincial_bodies() RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH RECURSIVE sub(id) AS (
    SELECT id FROM organisation WHERE sub_provincial
    UNION
    SELECT o.id FROM organisation o JOIN sub ON o.parent_id = sub.id
  )
  SELECT id FROM sub
$$
"""


def upgrade() -> None:
    op.add_column(
        "rank",
        sa.Column(
            "private_toilet",
            sa.Boolean(),
            server_default="false",
            nullable=False,
            comment="May have a private toilet (inside the office limit, at most the standard's size)",
        ),
    )
    # seed data, not a user's change: not audited (as the seed rows of 0001 were not)
    op.execute("ALTER TABLE rank DISABLE TRIGGER audit_update")
    op.execute(
        sa.text("UPDATE rank SET private_toilet = true WHERE code = ANY (:codes)").bindparams(
            codes=list(TOILET_RANKS)
        )
    )
    op.execute("ALTER TABLE rank ENABLE TRIGGER audit_update")
    op.execute(SUB_PROVINCIAL_BODIES)


def downgrade() -> None:
    op.execute("DROP FUNCTION gis_sub_provincial_bodies()")
    op.drop_column("rank", "private_toilet")
