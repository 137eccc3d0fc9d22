"""The audit log, written by database triggers on every change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.models.base import Base


class AuditLog(Base):
    """Who changed which row of which table, when, and what it was before and after.

    Bulk loads that ask for summary mode write one row per statement with the row
    count in `after` instead of one per row.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    who: Mapped[str] = mapped_column(Text)
    actor_org: Mapped[int | None] = mapped_column(
        Integer, comment="Root organisation of the writer's scope (auditors see their tree's)"
    )
    row_org: Mapped[int | None] = mapped_column(
        Integer, comment="Organisation the changed row belongs to, when it names one"
    )
    table_name: Mapped[str] = mapped_column(Text)
    operation: Mapped[str] = mapped_column(Text)
    row_key: Mapped[str | None] = mapped_column(
        Text, comment="Primary key; composite keys joined by /"
    )
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    effective_date: Mapped[date | None] = mapped_column(Date, comment="The change took effect on")
    document_no: Mapped[str | None] = mapped_column(Text, comment="文号 of the decision")
    note: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text, comment="The app action that made it")
    txid: Mapped[int] = mapped_column(BigInteger, server_default=func.txid_current())

    __table_args__ = (
        Index("ix_audit_log_table_name_row_key", "table_name", "row_key"),
        Index(
            "ix_audit_log_room_id",
            text("(COALESCE(after ->> 'room_id', before ->> 'room_id'))"),
            postgresql_where=text("table_name IN ('room_occupancy', 'room')"),
        ),
        Index(
            "ix_audit_log_staff_id",
            text("(COALESCE(after ->> 'staff_id', before ->> 'staff_id'))"),
            postgresql_where=text("table_name = 'room_occupancy'"),
        ),
        Index(
            "ix_audit_log_floor_id",
            text("(COALESCE(after ->> 'floor_id', before ->> 'floor_id'))"),
            postgresql_where=text("table_name = 'room'"),
        ),
        Index(
            "ix_audit_log_building_id",
            text("(COALESCE(after ->> 'building_id', before ->> 'building_id'))"),
            postgresql_where=text("table_name = 'floor'"),
        ),
    )
