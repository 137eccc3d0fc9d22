"""Where a table's features are, to open a map on them."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

FALLBACK = (120.10, 30.20, 120.22, 30.32)
"""Hangzhou's centre, for an empty database: a map must open somewhere."""
TABLES = ("land_parcel", "building", "campus")


def home_extent(
    session: Session, table: str, home: tuple[float, float, float, float] | None
) -> tuple[float, float, float, float]:
    """Where a page's map opens: the configured home view, else all of `table`'s data."""
    return home if home is not None else data_extent(session, table)


def data_extent(session: Session, table: str) -> tuple[float, float, float, float]:
    """(west, south, east, north) of `table`'s geometries from the planner's statistics
    (instant on big tables), or from the data when the table was never analysed."""
    if table not in TABLES:
        raise ValueError(f"no extent for {table}")
    box = session.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
            f"(SELECT coalesce(ST_EstimatedExtent('{table}', 'geom')::geometry, "
            f"(SELECT ST_Extent(geom) FROM {table})::geometry) AS e) x"
        )
    ).one()
    return FALLBACK if box[0] is None else (box[0], box[1], box[2], box[3])
