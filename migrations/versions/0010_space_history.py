"""Editing and history: past versions of bodies, staff, buildings, floors and rooms kept in
`<table>_history` by triggers, `<table>_at(date)` for any past date, the edit's effective
date, document number (文号), note and action in every audit row, a staff member's
departure, a body's end and sub-provincial standing, the office a rest room serves, and
the reallocations (调剂) recorded from idle-space matches.

Rows inserted without an edit (imports, the sample) are valid from 0001-01-01 (the first date Python knows): they record
the state as found, so `as_of` before an import still shows them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from gis_app.db.audit import audit_trigger_statements
from gis_app.db.history import VERSIONED, create_at_function
from gis_app.db.migrate import run_sql_file

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VALID_FROM_DEFAULT = sa.text(
    "COALESCE((NULLIF(current_setting('gis_app.effective_date'::text, true), ''::text))::date,"
    " '0001-01-01'::date)"
)
HISTORY_INDEXES = {
    "organisation": ("id",),
    "staff": ("id", "organisation_id"),
    "building": ("id",),
    "floor": ("id", "building_id"),
    "room": ("id", "floor_id"),
}
AUDIT_INDEXES = {
    "room_id": "table_name IN ('room_occupancy', 'room')",
    "staff_id": "table_name = 'room_occupancy'",
    "floor_id": "table_name = 'room'",
    "building_id": "table_name = 'floor'",
}


def _valid_from() -> sa.Column:
    return sa.Column(
        "valid_from",
        sa.Date(),
        server_default=VALID_FROM_DEFAULT,
        nullable=False,
        comment="Date this version took effect (0001-01-01: recorded without a date)",
    )


def _columns() -> None:
    op.add_column(
        "organisation",
        sa.Column(
            "sub_provincial",
            sa.Boolean(),
            server_default="false",
            nullable=False,
            comment="副省级: may hold the provincial deputy ranks",
        ),
    )
    op.add_column(
        "organisation",
        sa.Column("ended_on", sa.Date(), nullable=True, comment="Dissolved or merged away on"),
    )
    op.add_column(
        "staff",
        sa.Column(
            "left_on",
            sa.Date(),
            nullable=True,
            comment="Left the body on (their occupancy ends that day)",
        ),
    )
    for table in VERSIONED:
        op.add_column(table, _valid_from())
    op.add_column(
        "room",
        sa.Column(
            "serves_room_id",
            sa.Integer(),
            nullable=True,
            comment="The office a leader's rest room or private toilet belongs to",
        ),
    )
    op.create_foreign_key(
        op.f("fk_room_serves_room_id_room"),
        "room",
        "room",
        ["serves_room_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_room_serves_room_id"), "room", ["serves_room_id"])
    for column in ("effective_date",):
        op.add_column(
            "audit_log",
            sa.Column(column, sa.Date(), nullable=True, comment="The change took effect on"),
        )
    op.add_column(
        "audit_log",
        sa.Column("document_no", sa.Text(), nullable=True, comment="文号 of the decision"),
    )
    op.add_column("audit_log", sa.Column("note", sa.Text(), nullable=True))
    op.add_column(
        "audit_log",
        sa.Column("action", sa.Text(), nullable=True, comment="The app action that made it"),
    )
    for key, where in AUDIT_INDEXES.items():
        op.execute(
            f"CREATE INDEX ix_audit_log_{key} ON audit_log "
            f"((COALESCE(after ->> '{key}', before ->> '{key}'))) WHERE {where}"
        )


def _history_tables() -> None:
    for table in VERSIONED:
        name = f"{table}_history"
        op.execute(
            f"CREATE TABLE {name} (LIKE {table}, valid_to date NOT NULL, "
            f"history_id bigint GENERATED ALWAYS AS IDENTITY, "
            f"CONSTRAINT pk_{name} PRIMARY KEY (history_id))"
        )
        for column in HISTORY_INDEXES[table]:
            op.create_index(f"ix_{name}_{column}", name, [column])
        op.create_index(f"ix_{name}_valid_to", name, ["valid_to"])
        if table != "organisation" and table != "staff":
            op.create_index(f"ix_{name}_geom", name, ["geom"], postgresql_using="gist")


def _reallocation() -> None:
    op.create_table(
        "reallocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("room_ids", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column(
            "request",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="The match request as asked",
        ),
        sa.Column(
            "candidate",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="The candidate chosen",
        ),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("document_no", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "recorded_by",
            sa.Text(),
            server_default=sa.text(
                "COALESCE(current_setting('gis_app.user'::text, true), CURRENT_USER)"
            ),
            nullable=False,
        ),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_reallocation_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reallocation")),
    )
    op.create_index(op.f("ix_reallocation_organisation_id"), "reallocation", ["organisation_id"])
    for statement in audit_trigger_statements("reallocation", ("id",)):
        op.execute(statement)


def upgrade() -> None:
    _columns()
    _history_tables()
    _reallocation()
    run_sql_file("0010_functions.sql")
    for table in VERSIONED:
        create_at_function(op.get_bind(), table)


def downgrade() -> None:
    run_sql_file("0010_drop_functions.sql")
    op.drop_table("reallocation")
    for table in VERSIONED:
        op.drop_table(f"{table}_history")
    for key in AUDIT_INDEXES:
        op.drop_index(f"ix_audit_log_{key}", table_name="audit_log")
    for column in ("action", "note", "document_no", "effective_date"):
        op.drop_column("audit_log", column)
    op.drop_index(op.f("ix_room_serves_room_id"), table_name="room")
    op.drop_constraint(op.f("fk_room_serves_room_id_room"), "room", type_="foreignkey")
    op.drop_column("room", "serves_room_id")
    for table in VERSIONED:
        op.drop_column(table, "valid_from")
    op.drop_column("staff", "left_on")
    op.drop_column("organisation", "ended_on")
    op.drop_column("organisation", "sub_provincial")
