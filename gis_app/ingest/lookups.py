"""What an import needs to know from the database before it writes: keys already taken,
the parents features name, how far a feature reaches outside its parent, the land-use
codes. One query each, for all features at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from psycopg import sql

from gis_app.db.driver import Connectable, driver_connection
from gis_app.ingest.write import column_types
from gis_app.models.base import SRID


@dataclass(frozen=True, slots=True)
class ParentRow:
    """A building or floor a feature belongs to; `building_*` is the building either way."""

    id: int
    building_id: int
    building_geom: shapely.Geometry


def taken_keys(
    conn: Connectable, table: str, key: Sequence[str], rows: Sequence[tuple[str, ...]]
) -> set[tuple[str, ...]]:
    """The `rows` (key values as text) that `table` already holds."""
    if not rows:
        return set()
    with driver_connection(conn).cursor() as cur:
        types = column_types(cur, table, key)
        aliases = [sql.Identifier(f"k{i}") for i in range(len(key))]
        statement = sql.SQL(
            "SELECT DISTINCT {texts} FROM {table} t JOIN unnest({arrays}) AS u({aliases}) "
            "ON {matches}"
        ).format(
            texts=sql.SQL(", ").join(sql.SQL("t.{}::text").format(sql.Identifier(k)) for k in key),
            table=sql.Identifier(table),
            arrays=sql.SQL(", ").join([sql.SQL("%s::text[]")] * len(key)),
            aliases=sql.SQL(", ").join(aliases),
            matches=sql.SQL(" AND ").join(
                sql.SQL("t.{} = u.{}::{}").format(sql.Identifier(k), a, sql.SQL(types[k]))
                for k, a in zip(key, aliases, strict=True)
            ),
        )
        cur.execute(statement, [list(column) for column in zip(*rows, strict=True)])
        return {tuple(r) for r in cur.fetchall()}


def _parents(conn: Connectable, query: str, params: Sequence[object]) -> dict[str, ParentRow]:
    with driver_connection(conn).cursor() as cur:
        cur.execute(query, params)
        return {
            str(key): ParentRow(pid, bid, shapely.from_wkb(bytes(wkb)))
            for key, pid, bid, wkb in cur.fetchall()
        }


def buildings(conn: Connectable, codes: list[str], ids: list[str]) -> dict[str, ParentRow]:
    """Buildings by code ("code:<code>") and by id ("id:<id>")."""
    return _parents(
        conn,
        "SELECT 'code:' || code, id, id, ST_AsBinary(geom) FROM building WHERE code = ANY(%s) "
        "UNION ALL SELECT 'id:' || id, id, id, ST_AsBinary(geom) FROM building "
        "WHERE id = ANY(%s::int[])",
        (codes, ids),
    )


def floors(conn: Connectable, codes: list[str], ids: list[str]) -> dict[str, ParentRow]:
    """Floors by building code and ordinal ("code:<code>|<ordinal>") and by id ("id:<id>"),
    each with its building's outline (the plan of the rooms is anchored on it)."""
    return _parents(
        conn,
        "SELECT 'code:' || b.code || '|' || f.ordinal, f.id, b.id, ST_AsBinary(b.geom) "
        "FROM floor f JOIN building b ON b.id = f.building_id WHERE b.code = ANY(%s) "
        "UNION ALL SELECT 'id:' || f.id, f.id, b.id, ST_AsBinary(b.geom) "
        "FROM floor f JOIN building b ON b.id = f.building_id WHERE f.id = ANY(%s::int[])",
        (codes, ids),
    )


ROOM_OUTSIDE_M2 = 0.5
"""Room area allowed outside its floor: the database's room trigger allows as much, so a room
that passes here never fails at insert."""


def outside_parent(
    conn: Connectable, parent_table: str, parent_ids: Sequence[int], geoms: Sequence[bytes]
) -> list[tuple[int, float, float]]:
    """(position, m² outside, m² in all) of each geometry not covered by its parent, measured
    on the ellipsoid as the room trigger does."""
    if not geoms:
        return []
    query = sql.SQL(
        "SELECT u.n - 1, ST_Area(geography(ST_Difference(g.geom, p.geom))), "
        "ST_Area(geography(g.geom)) "
        "FROM unnest(%s::int[], %s::bytea[]) WITH ORDINALITY AS u(pid, wkb, n) "
        "CROSS JOIN LATERAL (SELECT ST_GeomFromWKB(u.wkb, {srid}) AS geom) g "
        "JOIN {table} p ON p.id = u.pid WHERE NOT ST_CoveredBy(g.geom, p.geom)"
    ).format(srid=sql.Literal(SRID), table=sql.Identifier(parent_table))
    with driver_connection(conn).cursor() as cur:
        cur.execute(query, (list(parent_ids), list(geoms)))
        return [(int(n), float(out), float(total)) for n, out, total in cur.fetchall()]


def landuse_codes(conn: Connectable) -> set[tuple[str, str]]:
    """Every (scheme, code) of the land-use classifications (a few hundred rows)."""
    with driver_connection(conn).cursor() as cur:
        cur.execute("SELECT scheme, code FROM landuse_class")
        return {(scheme, code) for scheme, code in cur.fetchall()}
