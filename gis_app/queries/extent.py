"""Where a table's features are: the extent a map opens on, or a collection document gives.

PostGIS estimates an extent without a scan (from the spatial index, else the planner's
statistics). Without an estimate the extent is computed from the rows, unless the caller
caps the size of table it may scan. Tables come only from `TABLES` (the models), so their
names reach the SQL as SQLAlchemy-quoted identifiers, never from a request.
"""

from __future__ import annotations

from sqlalchemy import Table, case, cast, column, func, select, table
from sqlalchemy.dialects.postgresql import REGCLASS
from sqlalchemy.orm import Session

from gis_app.models import (
    Building,
    Campus,
    ConstraintZone,
    Floor,
    LandParcel,
    Road,
    Room,
    TransitStation,
)

Box = tuple[float, float, float, float]
"""(west, south, east, north) in EPSG:4490 lon/lat."""
TABLES: dict[str, Table] = {
    model.__table__.name: model.__table__
    for model in (Building, Campus, ConstraintZone, Floor, LandParcel, Road, Room, TransitStation)
}
"""The tables with a `geom` an extent may be asked of."""


def table_extent(
    session: Session, name: str, *, estimate: bool = True, exact_below: float | None = None
) -> Box | None:
    """The extent of table `name`'s geometries; None when it has none (or it is too big).

    `estimate`: PostGIS's estimate when it has one (no scan). Otherwise the exact extent,
    computed only while the planner counts fewer than `exact_below` rows (None: any size),
    so a request never scans a big table that has neither index nor statistics."""
    if name not in TABLES:
        raise ValueError(f"no extent for {name}")
    box = select(func.ST_Extent(TABLES[name].c.geom)).scalar_subquery()
    if exact_below is not None:
        rows = (
            select(column("reltuples"))
            .select_from(table("pg_class"))
            .where(column("oid") == cast(name, REGCLASS))
            .scalar_subquery()
        )
        box = case((rows < exact_below, box))
    if estimate:
        box = func.coalesce(func.ST_EstimatedExtent(name, "geom"), box)
    e = select(box.label("e")).subquery("x").c.e
    row = session.execute(
        select(func.ST_XMin(e), func.ST_YMin(e), func.ST_XMax(e), func.ST_YMax(e))
    ).one()
    return None if row[0] is None else (row[0], row[1], row[2], row[3])
