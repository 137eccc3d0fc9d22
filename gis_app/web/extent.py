"""Where a page's map opens: the configured home view, else where a table's features are."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gis_app.queries.extent import Box, table_extent

FALLBACK = (120.10, 30.20, 120.22, 30.32)
"""Hangzhou's centre, for an empty database: a map must open somewhere."""


def home_extent(session: Session, table: str, home: Box | None) -> Box:
    """Where a page's map opens: the configured home view, else all of `table`'s data."""
    return home if home is not None else data_extent(session, table)


def data_extent(session: Session, table: str) -> Box:
    """All of `table`'s geometries, estimated (instant on big tables) or, without an
    estimate, exact."""
    return table_extent(session, table) or FALLBACK
