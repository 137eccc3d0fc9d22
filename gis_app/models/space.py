"""Campuses, buildings, floors, rooms and who sits where."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from geoalchemy2 import Geometry
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.models.base import (
    ROOM_CATEGORIES,
    ROOM_STATUSES,
    SAFETY_GRADES,
    SRID,
    VALID_FROM,
    VALID_FROM_DEFAULT,
    Base,
    one_of,
)

IMDF_ID = "IMDF feature id kept from an imported archive (exports reuse it)"
IMDF_SOURCE = "The IMDF features this row was imported from, as read (exports give them back)"


def _polygon(kind: str = "MULTIPOLYGON", srid: int = SRID) -> Geometry:
    return Geometry(geometry_type=kind, srid=srid, spatial_index=True)


class Campus(Base):
    """An office compound (办公区)."""

    __tablename__ = "campus"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_polygon(), nullable=False)


class Building(Base):
    """A building footprint with its title, safety appraisal and size."""

    __tablename__ = "building"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    campus_id: Mapped[int | None] = mapped_column(
        ForeignKey("campus.id", ondelete="SET NULL"), index=True
    )
    address: Mapped[str | None] = mapped_column(Text)
    floors_above: Mapped[int] = mapped_column(Integer)
    floors_below: Mapped[int] = mapped_column(Integer, server_default="0")
    height_m: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    year_built: Mapped[int | None] = mapped_column(Integer)
    gross_floor_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    usable_coefficient: Mapped[Decimal | None] = mapped_column(
        Numeric(4, 3), comment="使用面积系数: usable ÷ building area"
    )
    title_holder_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    title_certificate_no: Mapped[str | None] = mapped_column(Text)
    safety_grade: Mapped[str | None] = mapped_column(String(1))
    safety_appraised_on: Mapped[date | None] = mapped_column(Date)
    safety_standard: Mapped[str | None] = mapped_column(Text, server_default="JGJ 125-2016")
    imdf_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True, comment=IMDF_ID)
    imdf_source: Mapped[dict | None] = mapped_column(JSONB, comment=IMDF_SOURCE)
    valid_from: Mapped[date] = mapped_column(
        Date, server_default=VALID_FROM_DEFAULT, comment=VALID_FROM
    )
    geom = mapped_column(_polygon(), nullable=False)

    __table_args__ = (
        one_of("safety_grade", SAFETY_GRADES),
        CheckConstraint("floors_above >= 1 AND floors_below >= 0", name="floors"),
        CheckConstraint("height_m IS NULL OR height_m > 0", name="height"),
        CheckConstraint(
            "year_built IS NULL OR year_built BETWEEN 1800 AND 2100", name="year_built"
        ),
        CheckConstraint("gross_floor_area_m2 IS NULL OR gross_floor_area_m2 > 0", name="gfa"),
        CheckConstraint(
            "usable_coefficient IS NULL OR usable_coefficient > 0 AND usable_coefficient <= 1",
            name="usable_coefficient",
        ),
    )


def floor_label(ordinal: int) -> str:
    """How a level is called: ordinal 0 is 1F, 2 is 3F, -1 is B1."""
    return f"B{-ordinal}" if ordinal < 0 else f"{ordinal + 1}F"


class Floor(Base):
    """A level of a building; ordinal 0 is the ground floor (1F), -1 is B1 (as in IMDF)."""

    __tablename__ = "floor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(16))
    imdf_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True, comment=IMDF_ID)
    imdf_source: Mapped[dict | None] = mapped_column(JSONB, comment=IMDF_SOURCE)
    valid_from: Mapped[date] = mapped_column(
        Date, server_default=VALID_FROM_DEFAULT, comment=VALID_FROM
    )
    geom = mapped_column(_polygon("POLYGON"), nullable=False)

    __table_args__ = (UniqueConstraint("building_id", "ordinal"),)


class Room(Base):
    """A room drawn in local floor-plan metres and georeferenced in CGCS2000."""

    __tablename__ = "room"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    floor_id: Mapped[int] = mapped_column(ForeignKey("floor.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(24))
    name: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16), comment="办公室/服务用房/设备用房/附属用房")
    subtype: Mapped[str | None] = mapped_column(String(32))
    usable_area_m2: Mapped[Decimal] = mapped_column(
        Numeric(10, 2), comment="Recorded (ledger) usable area, m²"
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    imdf_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True, comment=IMDF_ID)
    imdf_source: Mapped[dict | None] = mapped_column(JSONB, comment=IMDF_SOURCE)
    valid_from: Mapped[date] = mapped_column(
        Date, server_default=VALID_FROM_DEFAULT, comment=VALID_FROM
    )
    serves_room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="SET NULL"),
        index=True,
        comment="The office a leader's rest room or private toilet belongs to",
    )
    local_geom = mapped_column(_polygon("POLYGON", -1), nullable=False)
    geom = mapped_column(_polygon("POLYGON"), nullable=False)

    __table_args__ = (
        UniqueConstraint("floor_id", "number"),
        one_of("category", ROOM_CATEGORIES),
        one_of("status", ROOM_STATUSES),
        CheckConstraint("usable_area_m2 > 0", name="usable_area"),
    )


class RoomOccupancy(Base):
    """Staff member in room from `valid_from` until `valid_to` (exclusive; NULL = still)."""

    __tablename__ = "room_occupancy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="period"),
        ExcludeConstraint(
            ("staff_id", "="),
            ("room_id", "="),
            (text("daterange(valid_from, valid_to)"), "&&"),
            name="room_occupancy_no_overlap",
            using="gist",
        ),
    )


class BuildingBody(Base):
    """A body with rooms in a building: kept by triggers (migration 0008) so row-level
    security finds a body's buildings by index; never written by the app."""

    __tablename__ = "building_body"

    building_id: Mapped[int] = mapped_column(
        ForeignKey("building.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )
