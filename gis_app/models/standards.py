"""The national space standards as editable data (2014 construction standard)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.models.base import JURISDICTION_LEVELS, Base, one_of


class StandardVersion(Base):
    """One edition of the standard; analyses name the version they used."""

    __tablename__ = "standard_version"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    document: Mapped[str | None] = mapped_column(Text)
    equipment_max_ratio: Mapped[Decimal] = mapped_column(
        Numeric(5, 4), comment="Equipment rooms ≤ ratio × (office + service usable area)"
    )
    leader_toilet_max_m2: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    is_default: Mapped[bool] = mapped_column(Boolean, server_default="false")

    __table_args__ = (
        CheckConstraint("equipment_max_ratio BETWEEN 0 AND 1", name="ratio"),
        Index(
            "uq_standard_version_one_default",
            "is_default",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )


class Rank(Base):
    """A post (职级) at a jurisdiction level; staff carry its code."""

    __tablename__ = "rank"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    is_leader: Mapped[bool] = mapped_column(Boolean, server_default="false")
    private_toilet: Mapped[bool] = mapped_column(
        Boolean,
        server_default="false",
        comment="May have a private toilet (inside the office limit, at most the standard's size)",
    )
    sort_order: Mapped[int] = mapped_column(Integer)

    __table_args__ = (one_of("level", JURISDICTION_LEVELS),)


class RankEquivalence(Base):
    """A note of the standard's table that lets a body use another level's figures: a
    sub-provincial city's bodies, a vice-ministerial unit, a dispatched body. Data, so an
    office can add its province's rules without a release."""

    __tablename__ = "rank_equivalence"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    body_level: Mapped[str] = mapped_column(
        String(16), comment="The level of the bodies the note applies to"
    )
    keeps_own_ranks: Mapped[bool] = mapped_column(
        Boolean, server_default="true", comment="The body's own level's ranks stay allowed"
    )
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)

    __table_args__ = (one_of("body_level", JURISDICTION_LEVELS),)


class RankEquivalenceRank(Base):
    """A rank a body under the equivalence may hold, beyond (or instead of) its own level's."""

    __tablename__ = "rank_equivalence_rank"

    equivalence_code: Mapped[str] = mapped_column(
        ForeignKey("rank_equivalence.code", onupdate="CASCADE", ondelete="CASCADE"),
        primary_key=True,
    )
    rank_code: Mapped[str] = mapped_column(
        ForeignKey("rank.code", onupdate="CASCADE"), primary_key=True
    )


class OfficeAreaStandard(Base):
    """Per-person office-room usable-area limit (m²) for a rank under a standard version."""

    __tablename__ = "office_area_standard"

    standard_code: Mapped[str] = mapped_column(
        ForeignKey("standard_version.code", onupdate="CASCADE"), primary_key=True
    )
    rank_code: Mapped[str] = mapped_column(
        ForeignKey("rank.code", onupdate="CASCADE"), primary_key=True
    )
    max_usable_m2: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (CheckConstraint("max_usable_m2 > 0", name="positive"),)


class ServiceRoomBand(Base):
    """Service-room allowance per authorised person, as a band of staff numbers.

    Per-person m² = `rate_intercept + rate_slope × staff` for
    `staff_above < staff ≤ staff_up_to`; the unit total is that rate × staff.
    """

    __tablename__ = "service_room_band"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    standard_code: Mapped[str] = mapped_column(
        ForeignKey("standard_version.code", onupdate="CASCADE")
    )
    level: Mapped[str] = mapped_column(String(16))
    staff_above: Mapped[int] = mapped_column(Integer)
    staff_up_to: Mapped[int | None] = mapped_column(Integer, comment="NULL: no upper bound")
    rate_intercept: Mapped[Decimal] = mapped_column(Numeric(8, 4))
    rate_slope: Mapped[Decimal] = mapped_column(Numeric(8, 5))
    verified: Mapped[bool] = mapped_column(Boolean, comment="False: no primary text found yet")
    source: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        one_of("level", JURISDICTION_LEVELS),
        CheckConstraint("staff_up_to IS NULL OR staff_up_to > staff_above", name="band"),
        ExcludeConstraint(
            ("standard_code", "="),
            ("level", "="),
            (text("int4range(staff_above, staff_up_to, '(]')"), "&&"),
            name="service_room_band_no_overlap",
            using="gist",
        ),
    )
