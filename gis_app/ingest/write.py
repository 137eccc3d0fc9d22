"""Insert checked rows in the caller's transaction, whatever kind of connection it holds.

Rows are streamed with binary COPY into a temporary table, then go into the target in ONE
`INSERT … SELECT` (so the table's triggers see one statement, and a bulk load in the audit
log's summary mode logs one row for the whole import). Binding 100k-element arrays instead
cost psycopg ~2.5 s of Python quoting per 100k rows; COPY's rows are encoded in C.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import TypeAlias

import psycopg
from psycopg import sql

from gis_app.db.driver import Connectable, driver_connection
from gis_app.ingest.metrics import count_written
from gis_app.models.base import SRID

GeometryColumns: TypeAlias = Mapping[str, tuple[Sequence[bytes | None], int]]
"""Geometry column name → (WKB per row, SRID)."""


def column_types(cur: psycopg.Cursor, table: str, names: Sequence[str]) -> dict[str, str]:
    """Each column's SQL type as `format_type` spells it, so text cells can be cast to it."""
    cur.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attname = ANY(%s) AND NOT attisdropped",
        (table, list(names)),
    )
    types = dict(cur.fetchall())
    missing = [n for n in names if n not in types]
    if missing:
        raise ValueError(f"{table} has no column {', '.join(missing)}")
    return types


def insert_rows(
    conn: Connectable,
    table: str,
    columns: Mapping[str, Sequence[str | None]],
    geoms_wkb: Sequence[bytes | None] | GeometryColumns,
    geom_column: str = "geom",
    *,
    bulk: bool = False,
) -> list[int]:
    """Insert `columns` (text cells, cast in SQL to each column's type) and geometries into
    `table`; the new ids in order.

    `geoms_wkb` is either one WKB list for `geom_column` in SRID 4490, or a mapping of
    geometry columns to (WKB list, SRID), e.g. a room's `geom` and `local_geom`.

    `bulk` logs the statement as one audit row (table, rows, who, when) instead of one row
    per record: a file import keeps its own report of what it wrote, and the per-record log
    of a 100k-footprint import cost four times the insert itself.
    """
    geometry: GeometryColumns = (
        geoms_wkb if isinstance(geoms_wkb, Mapping) else {geom_column: (geoms_wkb, SRID)}
    )
    names = list(columns)
    driver = driver_connection(conn)
    # On an autocommit connection the audit setting and the insert need one transaction of
    # their own; otherwise they run in the caller's, which commits or rolls back.
    scope = driver.transaction() if driver.autocommit else contextlib.nullcontext()
    with scope, driver.cursor() as cur:
        if bulk:
            cur.execute("SELECT set_config('gis_app.audit', 'summary', true)")
        types = column_types(cur, table, names)
        text_aliases = [sql.Identifier(f"c{i}") for i in range(len(names))]
        geom_aliases = [sql.Identifier(f"g{i}") for i in range(len(geometry))]
        staged = sql.Identifier("_insert_rows")
        cur.execute(
            sql.SQL("CREATE TEMP TABLE {staged} (n integer, {columns}) ON COMMIT DROP").format(
                staged=staged,
                columns=sql.SQL(", ").join(
                    [sql.SQL("{} text").format(a) for a in text_aliases]
                    + [sql.SQL("{} bytea").format(a) for a in geom_aliases]
                ),
            )
        )
        with cur.copy(sql.SQL("COPY {} FROM STDIN (FORMAT BINARY)").format(staged)) as copy:
            copy.set_types(["int4"] + ["text"] * len(names) + ["bytea"] * len(geometry))
            cells = [columns[n] for n in names] + [w for w, _ in geometry.values()]
            for row in zip(range(len(cells[0]) if cells else 0), *cells, strict=True):
                copy.write_row(row)
        selected = [
            sql.SQL("{}::{}").format(alias, sql.SQL(types[name]))
            for alias, name in zip(text_aliases, names, strict=True)
        ] + [
            sql.SQL("ST_GeomFromWKB({}, {})").format(alias, sql.Literal(srid))
            for alias, (_, srid) in zip(geom_aliases, geometry.values(), strict=True)
        ]
        cur.execute(
            sql.SQL(
                "INSERT INTO {table} ({targets}) SELECT {selected} FROM {staged} "
                "ORDER BY n RETURNING id"
            ).format(
                table=sql.Identifier(table),
                targets=sql.SQL(", ").join(map(sql.Identifier, [*names, *geometry])),
                selected=sql.SQL(", ").join(selected),
                staged=staged,
            )
        )
        ids = [row[0] for row in cur.fetchall()]
        count_written(table, len(ids))
        cur.execute(sql.SQL("DROP TABLE {}").format(staged))
        if bulk:
            cur.execute("SELECT set_config('gis_app.audit', '', true)")
        return ids
