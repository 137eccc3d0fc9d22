"""Land parcels and the land-use classifications their codes belong to."""

from __future__ import annotations

from decimal import Decimal

from geoalchemy2 import Geometry
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.models.base import (
    LANDUSE_RELATIONS,
    LANDUSE_SCHEMES,
    OWNERSHIPS,
    PARCEL_STATUSES,
    SRID,
    Base,
    one_of,
)


class LandUseClass(Base):
    """A code of GB/T 21010-2017, of the 2023 用地用海分类 or of the 三调 working classification;
    the same code differs by scheme. `parent_code` gives the level above (the 三调 scheme
    files some codes under another first-level class than their first two digits)."""

    __tablename__ = "landuse_class"

    scheme: Mapped[str] = mapped_column(String(24), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (one_of("scheme", LANDUSE_SCHEMES),)


def _class_of(scheme: str, code: str, name: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        [scheme, code], ["landuse_class.scheme", "landuse_class.code"], name=name
    )


class LandUseCrosswalk(Base):
    """How a class of one scheme relates to a class of another; searches read it both ways.
    Seeded by migration 0014 (sources: migrations/seed/LANDUSE_SOURCE.md)."""

    __tablename__ = "landuse_crosswalk"
    __table_args__ = (
        _class_of("scheme_a", "code_a", "fk_landuse_crosswalk_a"),
        _class_of("scheme_b", "code_b", "fk_landuse_crosswalk_b"),
        one_of("relation", LANDUSE_RELATIONS),
        CheckConstraint("scheme_a <> scheme_b", name="two_schemes"),
        Index("ix_landuse_crosswalk_scheme_b_code_b", "scheme_b", "code_b"),
        {"comment": "Correspondence between classes of two land-use schemes"},
    )

    scheme_a: Mapped[str] = mapped_column(String(24), primary_key=True)
    code_a: Mapped[str] = mapped_column(String(8), primary_key=True)
    scheme_b: Mapped[str] = mapped_column(String(24), primary_key=True)
    code_b: Mapped[str] = mapped_column(String(8), primary_key=True)
    relation: Mapped[str] = mapped_column(
        String(8),
        comment="How class a relates to class b: same, narrower (a within b), broader, partial",
    )
    note: Mapped[str | None] = mapped_column(Text, comment="What differs, and the source")


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
        _class_of("landuse_scheme", "landuse_code", "fk_land_parcel_landuse_class"),
        Index("ix_land_parcel_landuse_scheme_landuse_code", "landuse_scheme", "landuse_code"),
        one_of("ownership", OWNERSHIPS),
        one_of("status", PARCEL_STATUSES),
        CheckConstraint("area_m2 > 0", name="area"),
    )
