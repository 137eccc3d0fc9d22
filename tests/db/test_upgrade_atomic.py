"""An upgrade that fails part-way leaves the database at the revision it started from (the
README's upgrade steps rely on it): Alembic runs all pending migrations in one transaction,
and PostgreSQL's DDL is transactional."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import ProgrammingError

from gis_app.db import migrate
from gis_app.db.engine import make_engine
from gis_app.db.upgrades import OLDEST_SUPPORTED_REVISION


def test_a_failed_upgrade_keeps_the_old_revision(new_database: Callable[[], str]) -> None:
    url = new_database()
    migrate.upgrade(url, OLDEST_SUPPORTED_REVISION)
    engine = make_engine(url)
    with engine.begin() as conn:
        # 0015 creates this table; a table of that name already there makes it fail, after
        # 0014 has added its tables and classes.
        conn.execute(text("CREATE TABLE rank_equivalence (code text)"))
        classes = conn.execute(text("SELECT count(*) FROM landuse_class")).scalar_one()
    with pytest.raises(ProgrammingError, match="rank_equivalence"):
        migrate.upgrade(url)
    with engine.connect() as conn:
        assert migrate.current_revision(engine) == OLDEST_SUPPORTED_REVISION
        assert "landuse_crosswalk" not in inspect(conn).get_table_names()
        assert conn.execute(text("SELECT count(*) FROM landuse_class")).scalar_one() == classes
    engine.dispose()
