"""Feature versions for optimistic locking (OGC API Features Part 4 with HTTP preconditions).

A feature's ETag is the md5 of its whole stored row as PostgreSQL writes it as text (every
column, the geometry as exact EWKB), computed in SQL: any change by anyone — another route,
an import, a trigger — gives another ETag, and no column can be forgotten here.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.editing.rows import etag_sql
from gis_app.errors import PreconditionFailed, PreconditionRequired

_VERSION = "SELECT " + etag_sql("t") + " FROM {table} t WHERE t.id = :id"  # noqa: S608


def current(session: Session, table: str, feature_id: int, *, lock: bool = False) -> str | None:
    """The quoted strong ETag of row `feature_id` of `table` (None: no such row, or one the
    caller may not see); `lock` holds the row until the transaction ends, so the version
    checked is the version changed."""
    sql = _VERSION.format(table=table) + (" FOR UPDATE" if lock else "")
    found = session.execute(text(sql), {"id": feature_id}).scalar()  # noqa: S608 (table from gis_app.ogc.editable)
    return None if found is None else str(found)


def require(if_match: str | None) -> str:
    """The If-Match header, which a change of a stored feature must carry (428 without)."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired()
    return if_match


def check(if_match: str, etag: str) -> None:
    """412 unless `If-Match` lists the current strong ETag (or is `*`); weak tags never
    match, as RFC 9110 compares strongly for If-Match."""
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" not in tags and etag not in tags:
        raise PreconditionFailed(etag)
