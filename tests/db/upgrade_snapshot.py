"""What must survive an upgrade of a populated database, as JSON-ready data.

Runs under the code of either revision: test_upgrade_populated.py runs this file as a script
with the released tree first on PYTHONPATH (that code reads its own schema, and may load its
own sample first), and imports it under today's code after the upgrade. So it uses only what
both trees have: the analyses' `over_standard`/`vacancy` functions, `make_engine`,
`migrate.upgrade` and `load_sample`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.over_standard import over_standard
from gis_app.analysis.vacancy import vacancy
from gis_app.db.engine import libpq_url, make_engine

KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": (
        "id", "code", "name", "parent_id", "level", "kind", "authorised_staff",
        "sub_provincial", "ended_on", "valid_from",
    ),
    "staff": ("id", "organisation_id", "rank_code", "name", "left_on", "valid_from"),
    "building": (
        "id", "code", "name", "campus_id", "floors_above", "floors_below", "height_m",
        "year_built", "gross_floor_area_m2", "title_holder_id", "safety_grade",
        "safety_appraised_on", "valid_from",
    ),
    "floor": ("id", "building_id", "ordinal", "name", "valid_from"),
    "room": (
        "id", "floor_id", "number", "name", "category", "subtype", "usable_area_m2",
        "organisation_id", "status", "serves_room_id", "valid_from",
    ),
    "room_occupancy": ("id", "room_id", "staff_id", "valid_from", "valid_to"),
    "land_parcel": (
        "id", "parcel_code", "landuse_scheme", "landuse_code", "area_m2", "ownership",
        "owner_id", "status", "district",
    ),
}  # fmt: skip
"""Columns of the 0013 schema whose values the data owner entered; every geometry column of
the table is added to them."""

COMMON_ROOMS = """
SELECT r.id, f.building_id, r.usable_area_m2::text AS area
FROM room r JOIN floor f ON f.id = r.floor_id
WHERE r.category = 'service' AND r.subtype IN ('toilet', 'pantry')
ORDER BY r.id
"""
"""Toilets and boiled-water rooms: building common space since this wave's vacancy rule."""

EVERYTHING = 10_000_000


def _tables(session: Session) -> list[str]:
    rows = session.execute(
        text(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname !~ '^pg_' "
            "AND n.nspname <> 'information_schema' ORDER BY 1"
        )
    )
    return list(rows.scalars())


def counts(session: Session) -> dict[str, int]:
    """Rows per table, every schema but the system's."""
    return {
        table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in _tables(session)
    }


def checksums(session: Session) -> dict[str, dict[str, Any]]:
    """Per key table: its geometry columns and the md5 of its key columns, row by row in id
    order (geometry as EWKB, numbers and dates in PostgreSQL's text form)."""
    result = {}
    for table, columns in KEY_COLUMNS.items():
        geometry = list(
            session.execute(
                text(
                    "SELECT f_geometry_column FROM geometry_columns "
                    "WHERE f_table_schema = 'public' AND f_table_name = :t ORDER BY 1"
                ),
                {"t": table},
            ).scalars()
        )
        row = ", ".join((*columns, *(f"ST_AsEWKB({g})" for g in geometry)))
        digest = session.execute(
            text(f"SELECT md5(string_agg(ROW({row})::text, E'\\n' ORDER BY id)) FROM {table}")
        ).scalar_one()
        result[table] = {"geometry": geometry, "md5": digest}
    return result


def landuse_classes(session: Session) -> list[str]:
    """The land-use classes by scheme and code (0014 adds and renames classes)."""
    rows = session.execute(text("SELECT scheme || ' ' || code FROM landuse_class ORDER BY 1"))
    return list(rows.scalars())


def analyses(session: Session) -> dict[str, Any]:
    """The results compared across the upgrade, today, all bodies: every occupied office
    against its occupants' limits, the vacant rooms, each building's vacancy and the rooms
    whose vacancy rule changed."""
    standard = Standard()
    rooms = over_standard(
        session, "room", Scope(), standard, only_over=False, limit=EVERYTHING
    ).items
    vacant = vacancy(session, "room", Scope(), standard, limit=EVERYTHING).items
    buildings = vacancy(session, "building", Scope(), standard, limit=EVERYTHING).items
    return {
        "over_standard_rooms": [
            [
                r["room_id"],
                str(r["counted_area_m2"]),
                str(r["limit_m2"]),
                str(r["excess_m2"]),
                r["over_standard"],
            ]
            for r in sorted(rooms, key=lambda r: r["room_id"])
        ],
        "vacant_rooms": [
            [r["room_id"], str(r["usable_area_m2"])]
            for r in sorted(vacant, key=lambda r: r["room_id"])
        ],
        "building_vacancy": {
            str(b["building_id"]): {
                "allocatable_area_m2": str(b["allocatable_area_m2"]),
                "vacant_area_m2": str(b["vacant_area_m2"]),
                "allocatable_rooms": b["allocatable_rooms"],
                "vacant_rooms": b["vacant_rooms"],
                "vacancy_rate": None if b["vacancy_rate"] is None else str(b["vacancy_rate"]),
            }
            for b in buildings
        },
        "common_rooms": [list(r) for r in session.execute(text(COMMON_ROOMS))],
    }


def snapshot(url: str) -> dict[str, Any]:
    """Revision, row counts, key checksums, land-use classes and analyses of `url`."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            revision = session.execute(text("SELECT version_num FROM alembic_version"))
            return {
                "revision": revision.scalar_one(),
                "counts": counts(session),
                "checksums": checksums(session),
                "landuse_classes": landuse_classes(session),
                "analyses": analyses(session),
            }
    finally:
        engine.dispose()


def main(argv: list[str]) -> None:
    """`upgrade_snapshot.py URL [SAMPLE_DIR]`: with SAMPLE_DIR, first migrate `URL` to this
    code's head and load its demo sample (files written there); then print the snapshot."""
    url = argv[0]
    if len(argv) > 1:
        from gis_app.db import migrate
        from sample_geodata.load import load_sample

        migrate.upgrade(url)
        with psycopg.connect(libpq_url(url)) as connection:
            load_sample(connection, Path(argv[1]), progress=False)
    json.dump(snapshot(url), sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
