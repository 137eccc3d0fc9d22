"""The audit log for auditors and administrators, within their scope (the database's
row-level security decides which rows: writes by, or to rows of, bodies in scope)."""

from __future__ import annotations

import operator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from gis_app.accounts.rights import Right
from gis_app.http.auth import needs
from gis_app.http.session import SessionDep
from gis_app.models import AuditLog

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], dependencies=[needs(Right.AUDIT)])


class AuditEntry(BaseModel):
    id: int
    at: datetime
    who: str
    table_name: str
    operation: str
    row_key: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_before_id: int | None


@router.get("", operation_id="audit_log", summary="审计日志 / Audit log")
def audit_log(
    session: SessionDep,
    table: Annotated[str | None, Query(max_length=63, description="Only this table")] = None,
    who: Annotated[str | None, Query(max_length=64, description="Only this user")] = None,
    since: Annotated[datetime | None, Query(description="From this time (inclusive)")] = None,
    until: Annotated[datetime | None, Query(description="Before this time")] = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="Next page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Changes, newest first; page on with `before_id`."""
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    for column, compare, wanted in (
        (AuditLog.table_name, operator.eq, table),
        (AuditLog.who, operator.eq, who),
        (AuditLog.at, operator.ge, since),
        (AuditLog.at, operator.lt, until),
        (AuditLog.id, operator.lt, before_id),
    ):
        if wanted is not None:
            query = query.where(compare(column, wanted))
    rows = list(session.scalars(query))
    return AuditPage(
        items=[AuditEntry.model_validate(r, from_attributes=True) for r in rows],
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )
