"""What changed, when, by whom and by which document: a room's, a person's, a building's
or a body's history read from the audit log, and the undo of one change by writing its
inverse (itself audited)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.db.history import HIDDEN as HIDDEN_COLUMNS
from gis_app.db.history import VERSIONED, table_columns
from gis_app.db.identity import sees_people
from gis_app.errors import Conflict, InvalidParameter, NotFound

HIDDEN = {"valid_from", "imdf_source"}
GEOMETRY = {"geom", "local_geom"}
UNDOABLE = ("room", "floor", "building", "organisation", "staff", "room_occupancy")

SELECT = (
    "SELECT id, at, who, action, table_name, row_key, operation, effective_date, document_no, "
    "note, before, after FROM audit_log WHERE "
)
WHERE = {
    "room": "(table_name = 'room' AND row_key = :key) OR (table_name IN ('room_occupancy', "
    "'room') AND COALESCE(after ->> 'room_id', before ->> 'room_id') = :key)",
    "staff": "(table_name = 'staff' AND row_key = :key) OR (table_name = 'room_occupancy' "
    "AND COALESCE(after ->> 'staff_id', before ->> 'staff_id') = :key)",
    "organisation": "(table_name = 'organisation' AND row_key = :key)",
    "building": "(table_name = 'building' AND row_key = :key) OR (table_name = 'floor' AND "
    "COALESCE(after ->> 'building_id', before ->> 'building_id') = :key) OR (table_name = "
    "'room' AND COALESCE(after ->> 'floor_id', before ->> 'floor_id') IN (SELECT id::text "
    "FROM floor WHERE building_id = CAST(:key AS integer) UNION SELECT id::text FROM "
    "floor_history WHERE building_id = CAST(:key AS integer)))",
}
EXISTS = {
    "room": "SELECT 1 FROM room_at(CURRENT_DATE) WHERE id = :id UNION ALL "
    "SELECT 1 FROM room_history WHERE id = :id",
    "staff": "SELECT 1 FROM staff WHERE id = :id",
    "organisation": "SELECT 1 FROM organisation WHERE id = :id",
    "building": "SELECT 1 FROM building WHERE id = :id UNION ALL "
    "SELECT 1 FROM building_history WHERE id = :id",
}


def _changes(before: dict | None, after: dict | None) -> dict[str, dict[str, Any]]:
    """Field → {before, after} for the fields that differ (outlines as 'changed' only)."""
    before, after = before or {}, after or {}
    out: dict[str, dict[str, Any]] = {}
    people = sees_people()
    for key in sorted(set(before) | set(after)):
        if key in HIDDEN or (key == "name" and not people and "rank_code" in (after or before)):
            continue
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key in GEOMETRY:
            old, new = ("…" if old else None), ("…" if new else None)
        out[key] = {"before": old, "after": new}
    return out


def history(session: Session, kind: str, row_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """Changes touching the row, newest first; 404 naming it when the caller cannot see it
    (now or, for rooms and buildings, in a past version)."""
    if session.execute(text(f"{EXISTS[kind]} LIMIT 1"), {"id": row_id}).scalar() is None:  # noqa: S608
        raise NotFound(resource=kind, id=row_id)
    rows = session.execute(
        text(SELECT + "(" + WHERE[kind] + ") ORDER BY id DESC LIMIT :limit"),  # noqa: S608
        {"key": str(row_id), "limit": limit},
    ).mappings()
    return [
        {
            "id": r["id"],
            "at": r["at"],
            "who": r["who"],
            "action": r["action"],
            "table": r["table_name"],
            "row_id": r["row_key"],
            "operation": r["operation"],
            "effective_date": r["effective_date"],
            "document_no": r["document_no"],
            "note": r["note"],
            "changes": _changes(r["before"], r["after"]),
        }
        for r in rows
    ]


def _value_sql(column: str, kind: str) -> str:
    """SQL reading column `column` of the snapshot `:snap` as its own type."""
    if kind.startswith("geometry"):
        srid = "0" if column == "local_geom" else "4490"
        return f"ST_SetSRID(ST_GeomFromGeoJSON(CAST(:snap AS jsonb) -> '{column}'), {srid})"
    return f"(jsonb_populate_record(NULL::{{table}}, CAST(:snap AS jsonb))).{column}"


ACTION_SQL = text(
    "SELECT a.id, a.table_name, a.row_key, a.operation, a.before, a.after, a.effective_date "
    "FROM audit_log a WHERE a.txid = (SELECT txid FROM audit_log WHERE id = :id) "
    "ORDER BY a.id DESC"
)


def undo(session: Session, change_id: int) -> dict[str, Any]:
    """Undo the action the change belongs to (every row its transaction changed, last
    first: a move closes one stay and opens another, a split reshapes one room and adds
    one), if each row is still as the action left it; 409 otherwise. An update is reverted
    column by column, an insert deleted, a deletion re-inserted. The inverse takes the
    action's own effective date, so the mistaken versions leave no trace in `as_of` (the
    audit log keeps both)."""
    rows = [dict(r) for r in session.execute(ACTION_SQL, {"id": change_id}).mappings()]
    if not rows:
        raise NotFound(resource="change", id=change_id)
    for row in rows:
        if (
            row["table_name"] not in UNDOABLE
            or row["row_key"] is None
            or row["operation"] not in ("INSERT", "UPDATE", "DELETE")
        ):
            raise InvalidParameter(field="change_id", reason="reason.not_undoable")
    dates = {r["effective_date"] for r in rows if r["effective_date"] is not None}
    if dates:
        session.execute(
            text("SELECT set_config('gis_app.effective_date', :d, true)"),
            {"d": min(dates).isoformat()},
        )
    for row in rows:
        _undo_row(session, row)
    return {
        "undone": change_id,
        "rows": len(rows),
        "tables": sorted({r["table_name"] for r in rows}),
    }


def _undo_row(session: Session, row: dict[str, Any]) -> None:
    table, key = row["table_name"], int(row["row_key"])
    columns = table_columns(session, table)
    version = {"valid_from"} if table in VERSIONED else set()
    if row["operation"] == "DELETE":
        snap = {k: v for k, v in row["before"].items() if k in columns and k not in version}
        names = ", ".join(snap)
        values = ", ".join(_value_sql(c, columns[c]).format(table=table) for c in snap)
        session.execute(
            text(f"INSERT INTO {table} ({names}) SELECT {values}"),  # noqa: S608 (catalog)
            {"snap": json.dumps(snap)},
        )
        return
    # compared on the columns the app's role may read (a person's name: not)
    seen = [c for c in columns if c not in version and c not in HIDDEN_COLUMNS.get(table, ())]
    readable = ", ".join(seen)
    current = session.execute(
        text(
            f"SELECT to_jsonb(x) FROM (SELECT {readable} FROM {table} "  # noqa: S608 (catalog)
            "WHERE id = :id FOR UPDATE) x"
        ),
        {"id": key},
    ).scalar()
    after = {k: v for k, v in (row["after"] or {}).items() if k in seen}
    if current is None or _normal(current) != _normal(after):
        raise Conflict(field="change_id", reason="reason.changed_since")
    if row["operation"] == "INSERT":
        if (
            table == "room"
            and session.execute(
                text("SELECT 1 FROM room_occupancy WHERE room_id = :id LIMIT 1"), {"id": key}
            ).scalar()
        ):
            raise Conflict(field="change_id", reason="reason.dependent_rows")
        session.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": key})  # noqa: S608
        return
    before = row["before"] or {}
    full_after = row["after"] or {}
    changed = [c for c in columns if c not in version and before.get(c) != full_after.get(c)]
    if changed:
        sets = ", ".join(f"{c} = {_value_sql(c, columns[c]).format(table=table)}" for c in changed)
        session.execute(
            text(f"UPDATE {table} SET {sets} WHERE id = :id"),  # noqa: S608 (catalog)
            {"snap": json.dumps(before), "id": key},
        )


def _normal(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=str)
