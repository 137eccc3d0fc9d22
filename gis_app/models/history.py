"""Past versions of the versioned tables, and the reallocations (调剂) recorded from
idle-space matches.

`<table>_history` holds each version of a row that an edit replaced or deleted, valid from
its `valid_from` until `valid_to` (exclusive). The triggers of migration 0010 write it; the
app's role only reads it. Its columns are the table's own, without keys or defaults, so
that `<table>_at(date)` can return the table's rows as they were.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import NullType

from gis_app.models.base import Base
from gis_app.models.org import Organisation, Staff
from gis_app.models.space import Building, Floor, Room
from gis_app.models.standards import Rank  # noqa: F401 (staff.rank_code takes its type)

VERSIONED = (Organisation, Staff, Building, Floor, Room)
"""Tables whose past versions are kept, in the order the migration creates them."""

HISTORY_INDEXES: dict[str, tuple[str, ...]] = {
    "organisation": ("id",),
    "staff": ("id", "organisation_id"),
    "building": ("id",),
    "floor": ("id", "building_id"),
    "room": ("id", "floor_id"),
}
"""Plain indexes per history table, besides valid_to and the spatial index on geom."""


def _plain_type(column: Column[Any]) -> Any:
    """The column's type without side effects (a geometry without its own index)."""
    kind = column.type
    if isinstance(kind, NullType):  # typed by its foreign key
        kind = next(iter(column.foreign_keys)).column.type
    if isinstance(kind, Geometry):
        return Geometry(geometry_type=kind.geometry_type, srid=kind.srid, spatial_index=False)
    return kind


def history_table(model: type[Base]) -> Table:
    """`<table>_history`: the model's columns (same types and NOT NULLs, no defaults or
    keys), then `valid_to` and a surrogate key."""
    source = model.__table__
    name = f"{source.name}_history"
    columns = [
        Column(c.name, _plain_type(c), nullable=bool(c.nullable) and not c.primary_key)
        for c in source.columns
    ]
    columns.append(Column("valid_to", Date, nullable=False))
    columns.append(Column("history_id", BigInteger, Identity(always=True), primary_key=True))
    indexes = [Index(f"ix_{name}_{c}", c) for c in HISTORY_INDEXES[source.name]]
    indexes.append(Index(f"ix_{name}_valid_to", "valid_to"))
    if "geom" in source.columns:
        indexes.append(Index(f"ix_{name}_geom", "geom", postgresql_using="gist"))
    return Table(name, Base.metadata, *columns, *indexes)


HISTORY_TABLES = {model.__tablename__: history_table(model) for model in VERSIONED}


class Reallocation(Base):
    """Rooms allocated to a body from an idle-space match (调剂): which request, which
    candidate was chosen, on what date and by which document."""

    __tablename__ = "reallocation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    room_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    request: Mapped[dict[str, Any]] = mapped_column(JSONB, comment="The match request as asked")
    candidate: Mapped[dict[str, Any]] = mapped_column(JSONB, comment="The candidate chosen")
    effective_date: Mapped[date] = mapped_column(Date)
    document_no: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(
        Text,
        server_default=text("COALESCE(current_setting('gis_app.user'::text, true), CURRENT_USER)"),
    )
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
