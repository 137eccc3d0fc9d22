"""Named criteria sets, so a land search or site selection can be run again later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.models.base import PRESET_KINDS, Base, one_of


class LandQueryPreset(Base):
    """A saved land-search or site-selection request body, under a name unique per user."""

    __tablename__ = "land_query_preset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"),
        comment="Whose preset; NULL: shared, read by all, changed by admins",
    )
    kind: Mapped[str] = mapped_column(String(16))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        one_of("kind", PRESET_KINDS),
        UniqueConstraint("owner_id", "name", postgresql_nulls_not_distinct=True),
    )
