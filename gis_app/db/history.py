"""DDL of the versioned tables' history, shared by migrations.

A migration that adds a column to a versioned table (organisation, staff, building, floor,
room) must add it to `<table>_history` too and call `create_at_function` again, since
`<table>_at(date)` lists the columns it returns.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

VERSIONED = ("organisation", "staff", "building", "floor", "room")
HIDDEN = {"staff": ("name",)}
"""Columns the app's role may not read; `<table>_at` leaves them out."""

COLUMNS = text(
    "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
    "WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 AND NOT attisdropped "
    "ORDER BY attnum"
)


def table_columns(conn: Connection | Session, table: str) -> dict[str, str]:
    """The table's columns in order, each with its SQL type as `format_type` spells it."""
    return {str(n): str(t) for n, t in conn.execute(COLUMNS, {"table": table})}


def at_function_sql(conn: Connection, table: str) -> str:
    """`<table>_at(d)`: the rows valid on date d, current ones and past versions. Plain
    SQL, STABLE and not SECURITY DEFINER, so the planner inlines it and row-level security
    applies to both tables."""
    if table not in VERSIONED:
        raise ValueError(f"not a versioned table: {table}")
    hidden = HIDDEN.get(table, ())
    shown = {n: t for n, t in table_columns(conn, table).items() if n not in hidden}
    columns = ", ".join(shown)
    if hidden:
        result = "TABLE (" + ", ".join(f"{n} {t}" for n, t in shown.items()) + ")"
    else:
        result = f"SETOF {table}"
    # The validity test sits outside the UNION ALL, whose branches have no WHERE of their
    # own: PostgreSQL then flattens the union into an append of the two tables, so joins
    # and filters reach each table's indexes (a branch with a WHERE stays a subquery scan,
    # read whole: 2.5 s for a floor plan at province size).
    body = (
        f"SELECT {columns} FROM ("  # noqa: S608 (catalog names)
        f"SELECT {columns}, CAST(NULL AS date) AS valid_to FROM {table} "
        f"UNION ALL SELECT {columns}, valid_to FROM {table}_history"
        ") v WHERE v.valid_from <= d AND (v.valid_to IS NULL OR v.valid_to > d)"
    )
    return (
        f"CREATE OR REPLACE FUNCTION {table}_at(d date) RETURNS {result} "
        f"LANGUAGE sql STABLE AS $$ {body} $$"
    )


def create_at_function(conn: Connection, table: str) -> None:
    """(Re)create `<table>_at` for the table's present columns."""
    conn.execute(text(f"DROP FUNCTION IF EXISTS {table}_at(date)"))
    conn.execute(text(at_function_sql(conn, table)))
