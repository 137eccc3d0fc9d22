"""Reference layers for land search: roads, transit stations and constraint zones."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.models.base import CONSTRAINT_KINDS, ROAD_CLASSES, SRID, STATION_MODES, Base, one_of


class Road(Base):
    """A road centre line; distance criteria measure to it."""

    __tablename__ = "road"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    road_class: Mapped[str] = mapped_column(String(16))
    geom = mapped_column(Geometry("MULTILINESTRING", srid=SRID, spatial_index=True), nullable=False)

    __table_args__ = (one_of("road_class", ROAD_CLASSES),)


class TransitStation(Base):
    """A metro, rail or bus station."""

    __tablename__ = "transit_station"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(16))
    geom = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=False)

    __table_args__ = (one_of("mode", STATION_MODES),)


class ConstraintZone(Base):
    """A zone that excludes or limits building: basic farmland, red line, flood zone, …"""

    __tablename__ = "constraint_zone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True), nullable=False)

    __table_args__ = (one_of("kind", CONSTRAINT_KINDS),)
