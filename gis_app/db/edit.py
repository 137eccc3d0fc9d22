"""What an edit is, told to the transaction that makes it.

Every write through the app (a domain action, an OGC API Part 4 request, a spreadsheet
import, an undo) runs in one transaction that first calls `begin_edit`. The settings are
transaction-local (SET LOCAL), and the database reads them:
  gis_app.effective_date  the date the change takes effect; the versioning triggers
                          (migration 0010) close the old version of a row on it
  gis_app.document_no     the document (文号) that ordered the change
  gis_app.note            the user's note
  gis_app.action          which action made it (room.allocate, staff.move, ogc.patch, …)
The audit trigger copies all four into each audit row, so a history lists them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.errors import InvalidParameter

EARLIEST = date(1949, 10, 1)
"""No change to the space of today's bodies took effect before this date; an earlier one
would also rewrite the state imports record as found (valid from 0001-01-01)."""

EDIT_SQL = text(
    "SELECT set_config('gis_app.effective_date', :effective_date, true),"
    " set_config('gis_app.document_no', :document_no, true),"
    " set_config('gis_app.note', :note, true),"
    " set_config('gis_app.action', :action, true)"
)


@dataclass(frozen=True)
class EditContext:
    """The date, document and note of one change, and the action that makes it."""

    action: str
    effective_date: date = field(default_factory=date.today)
    document_no: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.effective_date < EARLIEST:
            raise InvalidParameter(
                field="effective_date",
                reason="reason.early_date",
                value=self.effective_date.isoformat(),
            )
        if self.effective_date > date.today():
            raise InvalidParameter(
                field="effective_date",
                reason="reason.future_date",
                value=self.effective_date.isoformat(),
            )


def begin_edit(session: Session, context: EditContext) -> None:
    """Tell the current transaction what change it is making (before any write)."""
    session.execute(
        EDIT_SQL,
        {
            "effective_date": context.effective_date.isoformat(),
            "document_no": context.document_no or "",
            "note": context.note or "",
            "action": context.action,
        },
    )


def edit_fields(body: Any) -> dict[str, Any]:
    """The EditContext arguments carried by a request body with `effective_date`,
    `document_no` and `note` (unset ones left to the defaults)."""
    values = {k: getattr(body, k, None) for k in ("effective_date", "document_no", "note")}
    return {k: v for k, v in values.items() if v is not None}


@contextmanager
def editing(session: Session, context: EditContext) -> Iterator[Session]:
    """One transaction making the change `context` describes: committed when the block
    ends, rolled back (nothing written) on any error."""
    with session.begin():
        begin_edit(session, context)
        yield session
