"""Applying a filled-in template: every row through the editing functions (they hold the
rules; the database versions and audits what they write), in ONE transaction.

Each row runs in its own savepoint, so a refused row is rolled back alone and the others
are still checked; a refusal becomes a problem of that row naming the template's column.
Any problem, or a dry run, and the whole transaction is rolled back: nothing is written.
A row's own date (a person's 离岗日期, an occupancy's 入驻日期) is the effective date of
its writes: the edit settings are set again, inside its savepoint, before them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gis_app.db.edit import EditContext, begin_edit, editing
from gis_app.editing.organisations import add_organisation, edit_organisation
from gis_app.editing.rooms import allocate
from gis_app.editing.staff import add_staff, edit_staff, end_staff, move
from gis_app.errors import Conflict, GisAppError, InvalidParameter, NotFound, data_rule_refusal
from gis_app.i18n import DEFAULT_LANGUAGE
from gis_app.ingest.metrics import count_written, counted
from gis_app.ingest.report import ImportReport, Problem
from gis_app.ingest.zipguard import DEFAULT_LIMITS, ZipLimits
from gis_app.models.space import floor_label
from gis_app.xlsx.read import Row, Sheet, read_sheet

FIELD_COLUMNS: dict[str, dict[str, str]] = {
    "organisations": {
        "organisation_id": "code",
        "parent_id": "parent_code",
        "effective_date": "code",
    },
    "staff": {
        "organisation_id": "body_code",
        "rank_code": "rank",
        "effective_date": "left_on",
    },
    "occupancy": {
        "organisation_id": "body_code",
        "room_ids": "room_number",
        "room_id": "room_number",
        "floor_id": "floor",
        "effective_date": "from_date",
    },
}
"""The editing functions' field names → the template's columns (same names pass as they are)."""
RESOURCE_COLUMNS: dict[str, dict[str, str]] = {
    "organisations": {"organisation": "parent_code"},
    "staff": {"organisation": "body_code", "staff": "staff_id"},
    "occupancy": {
        "organisation": "body_code",
        "staff": "staff_id",
        "room": "room_number",
        "floor": "floor",
        "building": "building_code",
    },
}
"""Which column a missing resource (NotFound without a field) is named by."""
ROW_KEY = {"organisations": "code", "staff": "name", "occupancy": "room_number"}
"""The column a refusal naming no field of its own is put on."""
PROBLEM = {NotFound: "xlsx_not_found", Conflict: "xlsx_conflict"}
DB_PROBLEM = {"NotFound": "xlsx_not_found", "Conflict": "xlsx_conflict"}


class _Discard(Exception):
    """Leaves the transaction so that it rolls back (a dry run, or problems)."""


@dataclass(frozen=True, slots=True)
class XlsxImport:
    """What one import is: the kind, the edit it makes, and whether to write."""

    kind: str
    context: EditContext
    dry_run: bool = False
    lang: str = DEFAULT_LANGUAGE


def _missing(columns: list[str]) -> InvalidParameter:
    """A new record without the columns it needs (each one a problem of the row)."""
    joined = ", ".join(columns)
    return InvalidParameter(
        field=columns[0], reason="reason.missing", column=joined, missing=columns
    )


def _one(session: Session, sql: str, column: str, resource: str, **values: Any) -> Any:
    """The one row `sql` finds (as the caller sees it: out of scope is not found)."""
    row = session.execute(text(sql), values).first()
    if row is None:
        raise NotFound(resource=resource, id=next(iter(values.values())), column=column)
    return row


def _body(session: Session, code: str, column: str = "body_code") -> int:
    sql = "SELECT id FROM organisation WHERE code = :code"
    return int(_one(session, sql, column, "organisation", code=code).id)


def _rank(session: Session, given: str) -> str:
    """The rank code of a code or a Chinese (or English) rank name."""
    row = session.execute(
        text(
            "SELECT code FROM rank WHERE code = :v OR name_zh = :v OR lower(name_en) = lower(:v) "
            "ORDER BY code = :v DESC LIMIT 1"
        ),
        {"v": given},
    ).first()
    if row is None:
        raise InvalidParameter(field="rank", reason="reason.bad_value", value=given, unknown=True)
    return str(row.code)


def _organisation(session: Session, row: Row) -> list[int]:
    values = row.values
    fields = {
        k: values[k]
        for k in ("name", "level", "kind", "authorised_staff", "sub_provincial", "equivalence")
        if k in values
    }
    if "parent_code" in values:
        fields["parent_id"] = _body(session, values["parent_code"], "parent_code")
    found = session.execute(
        text("SELECT id FROM organisation WHERE code = :code"), {"code": values["code"]}
    ).first()
    if found is not None:
        return [edit_organisation(session, found.id, fields)["id"]] if fields else [found.id]
    missing = [key for key in ("name", "level", "kind") if key not in fields]
    if missing:
        raise _missing(missing)
    return [add_organisation(session, fields | {"code": values["code"]})["id"]]


def _staff(session: Session, row: Row, context: EditContext) -> list[int]:
    values = row.values
    changes: dict[str, Any] = {}
    if "body_code" in values:
        changes["organisation_id"] = _body(session, values["body_code"])
    if "rank" in values:
        changes["rank_code"] = _rank(session, values["rank"])
    if "name" in values:
        changes["name"] = values["name"]
    if "staff_id" in values:
        staff_id = values["staff_id"]
        if changes:
            edit_staff(session, staff_id, changes)
    else:
        needed = (("organisation_id", "body_code"), ("name", "name"), ("rank_code", "rank"))
        missing = [column for key, column in needed if key not in changes]
        if missing:
            raise _missing(missing)
        person = add_staff(
            session, changes["organisation_id"], changes["rank_code"], changes["name"]
        )
        staff_id = person["id"]
    if "left_on" in values:
        begin_edit(session, replace(context, effective_date=values["left_on"]))
        end_staff(session, staff_id)
    return [staff_id]


def _floor(session: Session, building_id: int, given: Any) -> int:
    """A floor by its ordinal (a number), its name or its label (3F, B1)."""
    ordinal = None
    label = str(given).strip().upper()
    if label.lstrip("-").isdigit():
        ordinal = int(label)
    elif label.endswith("F") and label[:-1].isdigit() and int(label[:-1]) > 0:
        ordinal = int(label[:-1]) - 1
    elif label.startswith("B") and label[1:].isdigit() and int(label[1:]) > 0:
        ordinal = -int(label[1:])
    sql = (
        "SELECT id FROM floor WHERE building_id = :b AND (ordinal = :o OR upper(name) = :name) "
        "ORDER BY ordinal = :o DESC LIMIT 1"
    )
    name = label if ordinal is None else floor_label(ordinal)
    found = session.execute(text(sql), {"b": building_id, "o": ordinal, "name": name}).first()
    if found is None:
        raise NotFound(resource="floor", id=str(given), column="floor")
    return int(found.id)


def _occupancy(session: Session, row: Row) -> list[int]:
    values = row.values
    building = _one(
        session,
        "SELECT id FROM building WHERE code = :code",
        "building_code",
        "building",
        code=values["building_code"],
    )
    floor_id = _floor(session, building.id, values["floor"])
    room = _one(
        session,
        "SELECT id, organisation_id FROM room WHERE number = :number AND floor_id = :floor",
        "room_number",
        "room",
        number=values["room_number"],
        floor=floor_id,
    )
    body = _body(session, values["body_code"])
    if room.organisation_id != body:
        allocate(session, body, room_ids=[room.id])
    staff_id = values.get("staff_id")
    if staff_id is None and "name" in values:
        found = session.execute(
            text(
                "SELECT id FROM staff WHERE organisation_id = :org AND left_on IS NULL "
                "AND gis_staff_name(id) = :name ORDER BY id LIMIT 2"
            ),
            {"org": body, "name": values["name"]},
        ).all()
        if not found:
            raise NotFound(resource="staff", id=values["name"], column="name")
        if len(found) > 1:
            raise InvalidParameter(
                field="name", reason="reason.several_people", name=values["name"]
            )
        staff_id = found[0].id
    if staff_id is not None:
        move(session, staff_id, room.id)
    return [room.id]


def _row_context(kind: str, row: Row, context: EditContext) -> EditContext:
    """The edit the row makes: an occupancy on its 入驻日期 (others on the file's date; a
    person's departure sets its own date before the departure)."""
    day = row.values.get("from_date") if kind == "occupancy" else None
    return (
        context
        if day is None
        else EditContext(context.action, day, context.document_no, context.note)
    )


def _apply(session: Session, kind: str, row: Row, context: EditContext) -> list[int]:
    """The row's writes, in the savepoint around it."""
    begin_edit(session, context)
    handlers: dict[str, Callable[[], list[int]]] = {
        "organisations": lambda: _organisation(session, row),
        "staff": lambda: _staff(session, row, context),
        "occupancy": lambda: _occupancy(session, row),
    }
    return handlers[kind]()


def _column(kind: str, exc: GisAppError) -> str:
    context = exc.context
    if "column" in context:
        return str(context["column"])
    if "field" in context:
        name = str(context["field"])
        return FIELD_COLUMNS[kind].get(name, name)
    if isinstance(exc, NotFound):
        return RESOURCE_COLUMNS[kind].get(str(context.get("resource")), ROW_KEY[kind])
    return ROW_KEY[kind]


def _problems(sheet: Sheet, row: Row, exc: Exception, lang: str) -> list[Problem]:
    """A refusal of the editing functions (or of the database) as the row's problems."""
    kind = sheet.kind.name
    if isinstance(exc, GisAppError):
        missing = exc.context.get("missing")
        if isinstance(missing, list):
            return [sheet.problem(row, column, "missing_field") for column in missing]
        column = _column(kind, exc)
        if exc.context.get("unknown"):
            return [sheet.problem(row, column, "unknown_code", exc.context.get("value"))]
        code = next((c for k, c in PROBLEM.items() if isinstance(exc, k)), "xlsx_invalid")
        return [sheet.problem(row, column, code, exc.message(lang))]
    assert isinstance(exc, DBAPIError | psycopg.Error)
    refusal = data_rule_refusal(exc, lang)
    if refusal is None:
        raise exc
    name, _status, message = refusal
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    diag = getattr(orig, "diag", None)
    named = getattr(diag, "column_name", None) or getattr(diag, "constraint_name", None) or ""
    keys = [c.key for c in sheet.kind.columns]
    column = next((k for k in keys if k in str(named)), ROW_KEY[kind])
    return [sheet.problem(row, column, DB_PROBLEM.get(name, "xlsx_rejected"), message)]


def _duplicates(sheet: Sheet) -> list[Problem]:
    """A body's code, or a person's id, given twice in one file."""
    key = {"organisations": "code", "staff": "staff_id"}.get(sheet.kind.name)
    seen: dict[Any, int] = {}
    out = []
    for row in sheet.rows:
        value = row.values.get(key) if key else None
        if value is None:
            continue
        if value in seen:
            out.append(sheet.problem(row, key, "duplicate_key", f"{value} ({seen[value]})"))
        else:
            seen[value] = row.number
    return out


def apply_sheet(session: Session, sheet: Sheet, job: XlsxImport, report: ImportReport) -> None:
    """Every row of `sheet` in one transaction (opened here), rolled back for a dry run or
    when any row has a problem; the report gets the problems, counts and written ids."""
    report.add(sheet.problems + _duplicates(sheet))
    bad = {p.index for p in report.problems}
    problems: list[Problem] = []
    ids: list[int] = []
    try:
        with editing(session, job.context):
            for row in sheet.rows:
                if row.index in bad:
                    continue
                try:
                    context = _row_context(sheet.kind.name, row, job.context)
                    with session.begin_nested():
                        ids.extend(_apply(session, sheet.kind.name, row, context))
                except (GisAppError, DBAPIError, psycopg.Error) as exc:
                    problems.extend(_problems(sheet, row, exc, job.lang))
            if job.dry_run or problems or report.problems:
                raise _Discard
            report.written = len(sheet.rows)
            report.ids = sorted(set(ids))
    except _Discard:
        pass
    else:
        count_written(sheet.kind.name, report.written)
    report.add(problems)


@counted("xlsx")
def import_xlsx(
    session: Session,
    kind: str,
    path: Path,
    job: XlsxImport,
    *,
    name: str | None = None,
    zip_limits: ZipLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Read `path` as a filled-in template of `kind` and apply it (`apply_sheet`). The
    session must not be in a transaction. Raises `ImportRefused` (naming `path`) for a file
    that is not a workbook, lacks a required column, or is over the limits."""
    sheet = read_sheet(path, kind, zip_limits)
    report = ImportReport(
        layer=kind,
        path=name or str(path),
        source_layer=sheet.title,
        crs="",
        crs_from="",
        dry_run=job.dry_run,
        read=len(sheet.rows),
    )
    report.valid = report.read
    apply_sheet(session, sheet, job, report)
    return report
