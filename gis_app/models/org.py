"""Government bodies (机关/单位) and their staff by rank."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.models.base import (
    JURISDICTION_LEVELS,
    ORG_KINDS,
    VALID_FROM,
    VALID_FROM_DEFAULT,
    Base,
    one_of,
)


class Organisation(Base):
    """A body in the hierarchy, with its authorised staff number (编制数)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))
    authorised_staff: Mapped[int] = mapped_column(Integer, server_default="0")
    sub_provincial: Mapped[bool] = mapped_column(
        Boolean, server_default="false", comment="副省级: may hold the provincial deputy ranks"
    )
    equivalence: Mapped[str | None] = mapped_column(
        ForeignKey("rank_equivalence.code", onupdate="CASCADE"),
        comment="Uses another level's figures (vice-ministerial, dispatched; rank_equivalence)",
    )
    ended_on: Mapped[date | None] = mapped_column(Date, comment="Dissolved or merged away on")
    valid_from: Mapped[date] = mapped_column(
        Date, server_default=VALID_FROM_DEFAULT, comment=VALID_FROM
    )

    __table_args__ = (
        one_of("level", JURISDICTION_LEVELS),
        one_of("kind", ORG_KINDS),
        CheckConstraint("authorised_staff >= 0", name="authorised_staff"),
        CheckConstraint("parent_id IS DISTINCT FROM id", name="not_own_parent"),
    )


class Staff(Base):
    """A person's post in a body; the rank code ties them to the area standard."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    rank_code: Mapped[str] = mapped_column(ForeignKey("rank.code", onupdate="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date | None] = mapped_column(Date, comment="Took up the post on")
    left_on: Mapped[date | None] = mapped_column(
        Date, comment="Left the body on (their occupancy ends that day)"
    )
    valid_from: Mapped[date] = mapped_column(
        Date, server_default=VALID_FROM_DEFAULT, comment=VALID_FROM
    )
