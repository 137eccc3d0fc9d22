"""Registered rasters and per-parcel statistics over them."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.models.base import RASTER_KINDS, SRID, Base, one_of


class RasterLayer(Base):
    """A GeoTIFF the system knows: what it measures, in which units, where it lies."""

    __tablename__ = "raster_layer"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    units: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(Text, comment="File under the raster directory")
    band: Mapped[int] = mapped_column(Integer, server_default="1")
    crs: Mapped[str] = mapped_column(Text)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    res_x: Mapped[float] = mapped_column(Float)
    res_y: Mapped[float] = mapped_column(Float)
    nodata: Mapped[float | None] = mapped_column(Float)
    derived_from: Mapped[str | None] = mapped_column(
        ForeignKey("raster_layer.code", ondelete="SET NULL", onupdate="CASCADE")
    )
    registered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    footprint = mapped_column(Geometry("POLYGON", srid=SRID, spatial_index=True), nullable=False)

    __table_args__ = (
        one_of("kind", RASTER_KINDS),
        CheckConstraint("code ~ '^[a-z][a-z0-9_]*$'", name="code_slug"),
        CheckConstraint("band >= 1", name="band"),
    )


class ParcelRasterStat(Base):
    """Coverage-weighted statistics of one raster over one parcel (exactextract).

    Rows are deleted when the parcel's shape changes, so a missing row means "to compute"."""

    __tablename__ = "parcel_raster_stat"

    parcel_id: Mapped[int] = mapped_column(
        ForeignKey("land_parcel.id", ondelete="CASCADE"), primary_key=True
    )
    raster_code: Mapped[str] = mapped_column(
        ForeignKey("raster_layer.code", ondelete="CASCADE", onupdate="CASCADE"),
        primary_key=True,
        index=True,
    )
    min: Mapped[float | None] = mapped_column(Float)
    mean: Mapped[float | None] = mapped_column(Float)
    max: Mapped[float | None] = mapped_column(Float)
    majority: Mapped[float | None] = mapped_column(Float)
    cells: Mapped[float] = mapped_column(Float, comment="Sum of covered fractions of valid cells")
    valid_area_m2: Mapped[float] = mapped_column(Float)
    nodata_fraction: Mapped[float] = mapped_column(Float)
    outside_fraction: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ParcelStatPending(Base):
    """A parcel added or reshaped since its statistics were computed (filled by triggers,
    emptied by the next land query): a short queue, so no query has to look for missing
    statistics among every parcel."""

    __tablename__ = "parcel_stat_pending"

    parcel_id: Mapped[int] = mapped_column(
        ForeignKey("land_parcel.id", ondelete="CASCADE"), primary_key=True
    )
