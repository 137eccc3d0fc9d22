"""Migrations: upgrade → downgrade → upgrade runs clean, and the models match them."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from geoalchemy2 import alembic_helpers
from sqlalchemy import inspect, text

from gis_app.db import migrate
from gis_app.db.engine import make_engine
from gis_app.models import Base

TABLES = {
    "audit_log",
    "building",
    "campus",
    "floor",
    "land_parcel",
    "landuse_class",
    "office_area_standard",
    "organisation",
    "rank",
    "room",
    "room_occupancy",
    "service_room_band",
    "staff",
    "standard_version",
}


def test_upgrade_downgrade_upgrade_and_models_agree(new_database: Callable[[], str]) -> None:
    url = new_database()
    engine = make_engine(url)
    migrate.upgrade(url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    migrate.downgrade(url, "base")
    with engine.connect() as conn:
        left = set(inspect(conn).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
        functions = conn.scalar(text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'gis\\_%'"))
    assert left == set()
    assert functions == 0
    migrate.upgrade(url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"include_object": alembic_helpers.include_object, "compare_type": True},
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_every_geometry_has_srid_and_gist_index(engine) -> None:
    with engine.connect() as conn:
        columns = conn.execute(
            text(
                "SELECT f_table_name, f_geometry_column, srid FROM geometry_columns "
                "WHERE f_table_schema = 'public'"
            )
        ).all()
        indexed = {
            (r.table, r.column)
            for r in conn.execute(
                text(
                    "SELECT t.relname AS table, a.attname AS column FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
                    "JOIN pg_class t ON t.oid = i.indrelid "
                    "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey) "
                    "WHERE am.amname = 'gist'"
                )
            )
        }
    assert {(c.f_table_name, c.f_geometry_column) for c in columns} == {
        ("campus", "geom"),
        ("building", "geom"),
        ("floor", "geom"),
        ("room", "geom"),
        ("room", "local_geom"),
        ("land_parcel", "geom"),
        ("road", "geom"),
        ("transit_station", "geom"),
        ("constraint_zone", "geom"),
        ("raster_layer", "footprint"),
        ("building_history", "geom"),
        ("floor_history", "geom"),
        ("room_history", "geom"),
        ("room_history", "local_geom"),
    }
    for table, column, srid in columns:
        expected = 0 if column == "local_geom" else 4490
        assert srid == expected, (table, column)
        if (table, column) != ("room_history", "local_geom"):  # past drawings: never searched
            assert (table, column) in indexed, (table, column)


def test_standards_are_seeded_from_the_2014_table(engine) -> None:
    with engine.connect() as conn:
        limits = dict(
            conn.execute(
                text(
                    "SELECT rank_code, max_usable_m2 FROM office_area_standard WHERE standard_code='CN-2014'"
                )
            ).all()
        )
        gb_codes = conn.scalar(
            text(
                "SELECT count(*) FROM landuse_class WHERE scheme='GB/T 21010-2017' AND length(code)=4"
            )
        )
        ratio = conn.scalar(text("SELECT equipment_max_ratio FROM standard_version"))
    assert limits["municipal_bureau_head"] == 24
    assert limits["county_section_deputy"] == 12
    assert limits["provincial_dept_head"] == 30
    assert limits["central_minister"] == 54
    assert gb_codes == 73
    assert float(ratio) == 0.09
