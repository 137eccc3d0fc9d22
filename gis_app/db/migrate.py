"""Running the Alembic migrations from code (CLI, app start-up checks, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from gis_app.config import PROJECT_ROOT
from gis_app.db.driver import driver_connection

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(url: str) -> Config:
    """Alembic configuration for `url`, independent of the working directory."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database at `url` down to `revision`."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """Newest revision the code knows."""
    script = ScriptDirectory.from_config(alembic_config(""))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    """Revision the database is at (None before the first migration)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def run_sql_file(name: str) -> None:
    """Run migrations/sql/`name` as is, inside a migration (through the driver, so `%s` in
    format() stays literal)."""
    from alembic import op

    sql = (MIGRATIONS_DIR / "sql" / name).read_text(encoding="utf-8")
    driver_connection(op.get_bind()).execute(sql)
