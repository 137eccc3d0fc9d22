"""The app's database role: a member of gis_web that owns nothing, cannot become the owner,
cannot switch row-level security off, cannot write the audit log but through its triggers,
cannot read staff names, and sees nothing at all until the request's identity is set."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from gis_app.config import Settings
from gis_app.db.engine import libpq_url
from gis_app.db.identity import Identity, apply_identity
from gis_app.db.roles import ensure_login_role


@pytest.fixture(scope="module")
def app_conn(
    shared_db: dict, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[psycopg.Connection]:
    settings = Settings(database_url=shared_db["url"], secret_dir=tmp_path_factory.mktemp("s"))
    url = ensure_login_role(settings.database_url or "", settings)
    with psycopg.connect(libpq_url(url)) as conn:
        yield conn


def _refused(conn: psycopg.Connection, statement: str) -> str:
    with pytest.raises(psycopg.Error) as raised:
        conn.execute(statement)
    conn.rollback()
    return raised.value.sqlstate or ""


def test_the_role_is_unprivileged(app_conn):
    row = app_conn.execute(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles"
        " WHERE rolname = current_user"
    ).fetchone()
    assert row == (False, False, False, False)
    owned = app_conn.execute(
        "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles"
        " WHERE rolname = current_user)"
    ).fetchone()
    assert owned == (0,)
    app_conn.rollback()


def test_it_cannot_become_the_owner(app_conn):
    owner = app_conn.execute(
        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'room'"
    ).fetchone()[0]
    app_conn.rollback()
    assert _refused(app_conn, f'SET ROLE "{owner}"') == "42501"
    assert _refused(app_conn, f'SET SESSION AUTHORIZATION "{owner}"') == "42501"


def test_it_cannot_switch_row_level_security_off(app_conn):
    assert _refused(app_conn, "ALTER TABLE room DISABLE ROW LEVEL SECURITY") == "42501"
    assert _refused(app_conn, "DROP POLICY scope ON room") == "42501"
    app_conn.execute("SET row_security = off")
    assert _refused(app_conn, "SELECT count(*) FROM room") == "42501"


def test_it_cannot_write_the_audit_log_nor_read_names(app_conn):
    assert (
        _refused(
            app_conn,
            "INSERT INTO audit_log (who, table_name, operation, txid)"
            " VALUES ('x', 'room', 'DELETE', 1)",
        )
        == "42501"
    )
    assert _refused(app_conn, "DELETE FROM audit_log") == "42501"
    assert _refused(app_conn, "TRUNCATE room") == "42501"
    assert _refused(app_conn, "SELECT name FROM staff LIMIT 1") == "42501"


def test_without_an_identity_nothing_is_visible(app_conn):
    counts = app_conn.execute(
        "SELECT (SELECT count(*) FROM room), (SELECT count(*) FROM building),"
        " (SELECT count(*) FROM organisation), (SELECT count(*) FROM room_occupancy),"
        " (SELECT count(*) FROM audit_log)"
    ).fetchone()
    app_conn.rollback()
    assert counts == (0, 0, 0, 0, 0)


def test_an_admin_identity_sees_everything_and_writes_per_row_audit(app_conn, access_engine):
    from sqlalchemy import text

    with access_engine.connect() as owner:
        rooms = owner.execute(text("SELECT count(*) FROM room")).scalar_one()
    with app_conn.cursor() as cur:
        apply_identity(cur, Identity(1, "auditee", "admin", None))
        assert cur.execute("SELECT count(*) FROM room").fetchone() == (rooms,)
        cur.execute("SELECT set_config('gis_app.audit', 'summary', true)")
        cur.execute(
            "UPDATE room SET name = coalesce(name, '') || '·' WHERE id IN"
            " (SELECT id FROM room ORDER BY id LIMIT 3)"
        )
        logged = cur.execute(
            "SELECT who, count(*) FROM audit_log WHERE txid = txid_current() GROUP BY who"
        ).fetchall()
    app_conn.rollback()
    assert logged == [("auditee", 3)]


def test_summary_mode_cannot_be_chosen_by_the_app(app_conn):
    with app_conn.cursor() as cur:
        apply_identity(cur, Identity(1, "bulk", "admin", None))
        cur.execute("SELECT set_config('gis_app.audit', 'summary', true)")
        cur.execute(
            "INSERT INTO land_query_preset (name, kind, criteria) SELECT 'p' || g, 'search', '{}'"
            " FROM generate_series(1, 4) g"
        )
        rows = cur.execute(
            "SELECT count(*), bool_or(after ? 'bulk') FROM audit_log"
            " WHERE txid = txid_current() AND table_name = 'land_query_preset'"
        ).fetchone()
    app_conn.rollback()
    assert rows == (4, False)


def test_people_right_is_given_to_the_managing_roles() -> None:
    """Routes check `people`; the database and the room answers check `manages`: one set."""
    from gis_app.accounts.rights import ROLE_RIGHTS, Right
    from gis_app.db.identity import MANAGING_ROLES

    assert {r for r, rights in ROLE_RIGHTS.items() if Right.PEOPLE in rights} == set(MANAGING_ROLES)
