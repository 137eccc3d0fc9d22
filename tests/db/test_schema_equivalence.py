"""The schema built by the migrations equals the one the models describe, constraint by
constraint and index by index (Alembic's compare_metadata skips CHECK and EXCLUDE)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from gis_app.db import migrate
from gis_app.db.engine import make_engine
from gis_app.models import Base

CONSTRAINTS = text(
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT IN "
    "('alembic_version', 'spatial_ref_sys')"
)
INDEXES = text(
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
    "AND tablename NOT IN ('alembic_version', 'spatial_ref_sys')"
)
COLUMNS = text(
    "SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable, "
    "c.column_default FROM information_schema.columns c JOIN information_schema.tables t "
    "USING (table_schema, table_name) WHERE c.table_schema = 'public' "
    "AND t.table_type = 'BASE TABLE' AND c.table_name NOT IN ('alembic_version', 'spatial_ref_sys')"
)
"""Tables only: views (PostGIS's, the land-class views of migration 0014) are not models."""


def _describe(url: str) -> dict[str, set[tuple]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = {
            name: {tuple(row) for row in conn.execute(query)}
            for name, query in (
                ("constraints", CONSTRAINTS),
                ("indexes", INDEXES),
                ("columns", COLUMNS),
            )
        }
    engine.dispose()
    return found


def test_migrated_schema_equals_the_models(new_database: Callable[..., str]) -> None:
    migrated = new_database()
    migrate.upgrade(migrated)
    from_models = new_database()
    engine = make_engine(from_models)
    Base.metadata.create_all(engine)
    engine.dispose()
    left, right = _describe(migrated), _describe(from_models)
    for aspect in ("constraints", "indexes", "columns"):
        assert left[aspect] - right[aspect] == set(), f"only in migrations: {aspect}"
        assert right[aspect] - left[aspect] == set(), f"only in models: {aspect}"


def test_upgrade_creates_its_extensions_on_a_bare_database(
    new_database: Callable[..., str],
) -> None:
    url = new_database(extensions=False)
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        extensions = set(conn.scalars(text("SELECT extname FROM pg_extension")))
    engine.dispose()
    assert {"postgis", "btree_gist"} <= extensions
