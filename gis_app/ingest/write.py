"""Insert checked rows in the caller's transaction, whatever kind of connection it holds.

All rows go in ONE `INSERT … SELECT FROM unnest(…)` statement: atomic even on an
autocommit connection, one round trip, and a bulk load in the audit log's summary mode
logs one row for the whole import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import psycopg
from psycopg import sql
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from gis_app.models.base import SRID

Connectable: TypeAlias = psycopg.Connection | Connection | Session


def driver_connection(conn: Connectable) -> psycopg.Connection:
    """The psycopg connection under a SQLAlchemy session or connection (same transaction)."""
    if isinstance(conn, Session):
        conn = conn.connection()
    if isinstance(conn, Connection):
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        return driver
    return conn


def insert_rows(
    conn: Connectable,
    table: str,
    columns: dict[str, Sequence[str | None]],
    geoms_wkb: Sequence[bytes],
    geom_column: str = "geom",
) -> list[int]:
    """Insert text `columns` and WKB geometries (SRID 4490) into `table`; the new ids."""
    names = list(columns)
    statement = sql.SQL(
        "INSERT INTO {table} ({cols}, {geom}) "
        "SELECT {cols}, ST_GeomFromWKB(g, {srid}) FROM unnest({arrays}, %s::bytea[]) "
        "AS u({cols}, g) RETURNING id"
    ).format(
        table=sql.Identifier(table),
        cols=sql.SQL(", ").join(map(sql.Identifier, names)),
        geom=sql.Identifier(geom_column),
        srid=sql.Literal(SRID),
        arrays=sql.SQL(", ").join(sql.SQL("%s::text[]") for _ in names),
    )
    params = [list(columns[n]) for n in names] + [list(geoms_wkb)]
    with driver_connection(conn).cursor() as cur:
        cur.execute(statement, params)
        return sorted(row[0] for row in cur.fetchall())
