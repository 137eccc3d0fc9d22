"""Which bodies have rooms in which building (`building_body`), kept by triggers on rooms
and floors in the transaction of every change; the building policy of 0005 reads it
instead of running gis_building_used() for every building a query touches (a unit
officer's tiles and items paid 1.2-1.5x the owner's time for that, bench/rls_cost.py).

The app's role may read the table, never write it: only the triggers (as the owner) do.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gis_app.db.migrate import run_sql_file

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "building_body",
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["building.id"],
            name=op.f("fk_building_body_building_id_building"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_building_body_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("building_id", "organisation_id", name=op.f("pk_building_body")),
    )
    op.create_index(op.f("ix_building_body_organisation_id"), "building_body", ["organisation_id"])
    op.execute("REVOKE INSERT, UPDATE, DELETE ON building_body FROM gis_web")
    run_sql_file("0008_functions.sql")


def downgrade() -> None:
    run_sql_file("0008_drop_functions.sql")
    op.drop_table("building_body")
