"""The psycopg connection under whatever connection a caller holds.

COPY, binary cursors and raw SQL files need psycopg itself; reaching it through the
SQLAlchemy connection keeps them in the caller's transaction.
"""

from __future__ import annotations

from typing import TypeAlias

import psycopg
from sqlalchemy import Connection
from sqlalchemy.orm import Session

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
