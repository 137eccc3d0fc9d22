"""The SQL of OGC API Part 4 writes: insert, update and delete one feature in the caller's
transaction (row-level security and the tables' triggers apply as to any write).

Values arrive as text (`gis_app.ogc.incoming`) and are cast to each column's own type in
SQL, as the import does; table and column names come only from `gis_app.ogc.editable`.
A room's floor-plan copy (`local_geom`) is made from its outline on its floor's plan
(`gis_app.editing.plan`: the relation the floor's own rooms have).
"""

from __future__ import annotations

from collections.abc import Mapping

import shapely
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from gis_app.db.driver import driver_connection
from gis_app.editing.plan import to_local
from gis_app.errors import InvalidParameter, NotFound, RecordRejected
from gis_app.ingest.write import column_types
from gis_app.models.base import LOCAL_SRID, SRID
from gis_app.ogc.editable import Editable

Values = Mapping[str, str | None]
_PARENTS = {"room": ("floor_id", "floor"), "floor": ("building_id", "building")}
"""The parent a row must name and the caller must see (foreign keys look past row-level
security, so a row could otherwise be hung on a floor outside the caller's scope)."""
_RLS_REFUSED = "42501"


def _types(session: Session, table: str, names: list[str]) -> dict[str, str]:
    with driver_connection(session).cursor() as cur:
        return column_types(cur, table, names)


def _check_parent(session: Session, spec: Editable, values: Values) -> None:
    parent = _PARENTS.get(spec.table)
    if parent is None or values.get(parent[0]) is None:
        return
    column, table = parent
    seen = session.execute(
        text(f"SELECT 1 FROM {table} WHERE id = CAST(:id AS integer)"),  # noqa: S608 (fixed names)
        {"id": values[column]},
    ).scalar()
    if seen is None:
        raise InvalidParameter(
            field=column, reason="reason.ogc_edit.unknown_parent", name=column, value=values[column]
        )


def _assignments(
    session: Session, spec: Editable, values: Values, geom: shapely.Geometry | None
) -> tuple[list[str], list[str], dict[str, object]]:
    """(columns, SQL expressions, binds) of the values and geometries to write."""
    names = list(values)
    types = _types(session, spec.table, names) if names else {}
    columns = [f'"{n}"' for n in names]
    exprs = [f"CAST(:v{i} AS {types[n]})" for i, n in enumerate(names)]
    binds: dict[str, object] = {f"v{i}": values[n] for i, n in enumerate(names)}
    if geom is not None:
        columns.append("geom")
        exprs.append(f"ST_GeomFromWKB(:geom, {SRID})")
        binds["geom"] = shapely.to_wkb(geom)
    return columns, exprs, binds


def _plan(
    session: Session,
    spec: Editable,
    feature_id: int | None,
    values: Values,
    geom: shapely.Geometry | None,
) -> tuple[str, dict[str, object]] | None:
    """The `local_geom` assignment of a room whose outline or floor changes."""
    if not spec.plan or (geom is None and values.get("floor_id") is None):
        return None
    floor_id = values.get("floor_id")
    if geom is None or floor_id is None:
        floor, wkb = session.execute(
            text("SELECT floor_id, ST_AsBinary(geom) FROM room WHERE id = :id"), {"id": feature_id}
        ).one()
        floor_id = floor_id or floor
        geom = geom if geom is not None else shapely.from_wkb(bytes(wkb))
    local = to_local(session, int(floor_id), geom)
    return f"ST_GeomFromWKB(:local, {LOCAL_SRID})", {"local": shapely.to_wkb(local)}


def _run(session: Session, sql: str, binds: dict[str, object]) -> int | None:
    """Run a write; a row row-level security refuses (outside the caller's scope) is 422."""
    try:
        result = session.execute(text(sql), binds)
        return result.scalar() if result.returns_rows else None
    except ProgrammingError as exc:
        if getattr(exc.orig, "sqlstate", None) == _RLS_REFUSED:
            raise RecordRejected(reason="reason.ogc_edit.outside_scope") from None
        raise


def insert(session: Session, spec: Editable, values: Values, geom: shapely.Geometry) -> int:
    """Insert one feature; its new id."""
    _check_parent(session, spec, values)
    columns, exprs, binds = _assignments(session, spec, values, geom)
    plan = _plan(session, spec, None, values, geom)
    if plan is not None:
        columns.append("local_geom")
        exprs.append(plan[0])
        binds |= plan[1]
    sql = (
        f"INSERT INTO {spec.table} ({', '.join(columns)})"  # noqa: S608 (names from editable)
        f" VALUES ({', '.join(exprs)}) RETURNING id"
    )
    new_id = _run(session, sql, binds)
    assert new_id is not None
    return new_id


def update(
    session: Session, spec: Editable, feature_id: int, values: Values, geom: shapely.Geometry | None
) -> None:
    """Set the given columns (and geometry) of one feature; nothing given, nothing written."""
    _check_parent(session, spec, values)
    columns, exprs, binds = _assignments(session, spec, values, geom)
    plan = _plan(session, spec, feature_id, values, geom)
    if plan is not None:
        columns.append("local_geom")
        exprs.append(plan[0])
        binds |= plan[1]
    if not columns:
        return
    sets = ", ".join(f"{c} = {e}" for c, e in zip(columns, exprs, strict=True))
    sql = f"UPDATE {spec.table} SET {sets} WHERE id = :id RETURNING id"  # noqa: S608 (names from editable)
    if _run(session, sql, {**binds, "id": feature_id}) is None:
        raise NotFound(resource="feature", id=feature_id)


def delete(session: Session, spec: Editable, feature_id: int) -> None:
    """Delete one feature (its children go as the foreign keys say: a floor's rooms); 404
    when the row policy lets the caller see it but not remove it."""
    done = session.execute(text(f"DELETE FROM {spec.table} WHERE id = :id"), {"id": feature_id})  # noqa: S608 (name from editable)
    if done.rowcount == 0:
        raise NotFound(resource="feature", id=feature_id)
