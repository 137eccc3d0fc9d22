"""Reading a row to change it: locked, with the version tag a client must quote back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.errors import NotFound, PreconditionFailed, PreconditionRequired

ETAG_SQL = "'\"' || md5(CAST({alias} AS text)) || '\"'"
"""A strong ETag of a stored row (the md5 of the whole row as PostgreSQL writes it, the
geometry as exact EWKB): any change to any column, by anyone, changes it. The editing API
and OGC API Part 4 give the same tag for the same room."""


def etag_sql(alias: str) -> str:
    """SQL of the ETag of the row `alias`."""
    return ETAG_SQL.format(alias=alias)


def row_etag(session: Session, table: str, row_id: int, *, lock: bool = False) -> str | None:
    """The row's ETag (None: no such row, or one the caller may not see); `lock` holds the
    row until the transaction ends, so the version checked is the version changed."""
    sql = f"SELECT {etag_sql('t')} FROM {table} t WHERE t.id = :id"  # noqa: S608 (names from code)
    found = session.execute(text(sql + (" FOR UPDATE" if lock else "")), {"id": row_id}).scalar()
    return None if found is None else str(found)


def lock_etag(session: Session, table: str, row_id: int, resource: str) -> str:
    """Lock the row for this transaction and return its ETag; 404 naming it when it does not
    exist or is out of the caller's scope."""
    found = row_etag(session, table, row_id, lock=True)
    if found is None:
        raise NotFound(resource=resource, id=row_id)
    return found


def required(if_match: str | None, **context: object) -> str:
    """The If-Match header a change of a stored row must carry (428 without)."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(**context)
    return if_match


def check_match(
    if_match: str, etag: str, current: dict[str, Any] | None = None, **context: object
) -> None:
    """412 (with the current row, when given) unless `If-Match` lists the current strong
    ETag or is `*`; weak tags never match, as RFC 9110 compares strongly for If-Match."""
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" not in tags and etag not in tags:
        raise PreconditionFailed(etag, current=current, **context)


def check_version(
    if_match: str | None, etag: str, resource: str, row_id: int, current: dict[str, Any]
) -> None:
    """428 without If-Match; 412 with the current row when it names another version."""
    expected = required(if_match, resource=resource, id=row_id)
    check_match(expected, etag, current, resource=resource, id=row_id)


def update_columns(
    session: Session, table: str, row_id: int, changes: dict[str, Any], allowed: tuple[str, ...]
) -> None:
    """Set the columns of `changes` that are in `allowed` (names from code, values bound);
    404 when the row policy lets the caller see the row but not change it."""
    fields = {k: v for k, v in changes.items() if k in allowed}
    if fields:
        assignments = ", ".join(f"{k} = :{k}" for k in fields)
        done = session.execute(
            text(f"UPDATE {table} SET {assignments} WHERE id = :row_id__"),  # noqa: S608
            fields | {"row_id__": row_id},
        )
        if done.rowcount == 0:  # seen, but not the caller's to change (row policy)
            raise NotFound(resource=table, id=row_id)
