"""Land parcels and the land-use classifications their codes belong to."""

from __future__ import annotations

from decimal import Decimal

from geoalchemy2 import Geometry
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.models.base import LANDUSE_SCHEMES, OWNERSHIPS, PARCEL_STATUSES, SRID, Base, one_of


class LandUseClass(Base):
    """A code of GB/T 21010-2017 or of the 2023 用地用海分类; the same code differs by scheme."""

    __tablename__ = "landuse_class"

    scheme: Mapped[str] = mapped_column(String(24), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (one_of("scheme", LANDUSE_SCHEMES),)


class LandParcel(Base):
    """A land parcel (宗地) with its land-use code and scheme."""

    __tablename__ = "land_parcel"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parcel_code: Mapped[str] = mapped_column(String(40), unique=True)
    landuse_scheme: Mapped[str] = mapped_column(String(24))
    landuse_code: Mapped[str] = mapped_column(String(8))
    area_m2: Mapped[Decimal] = mapped_column(Numeric(14, 2), comment="Recorded area, m²")
    ownership: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True), nullable=False)

    __table_args__ = (
        ForeignKeyConstraint(
            ["landuse_scheme", "landuse_code"],
            ["landuse_class.scheme", "landuse_class.code"],
            name="fk_land_parcel_landuse_class",
        ),
        one_of("ownership", OWNERSHIPS),
        one_of("status", PARCEL_STATUSES),
        CheckConstraint("area_m2 > 0", name="area"),
    )
