"""Where the database is, and the SQLAlchemy engine for it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, text

from gis_app.config import Settings
from gis_app.db.cluster import PrivateCluster, find_bin_dir
from gis_app.db.identity import apply_identity, current_identity


def private_cluster(settings: Settings) -> PrivateCluster:
    """The project's own cluster in `settings.data_dir`."""
    bin_dir = find_bin_dir(settings.pg_bin_dir)
    return PrivateCluster(settings.data_dir, bin_dir, wal_archive=settings.wal_archive)


def resolve_database_url(settings: Settings, *, start: bool = True) -> str:
    """`DATABASE_URL` when set; otherwise the private cluster, started on demand."""
    if settings.database_url:
        return settings.database_url
    cluster = private_cluster(settings)
    if start:
        cluster.start()
        cluster.ensure_database(settings.db_name)
    return cluster.url(settings.db_name)


def libpq_url(url: str) -> str:
    """The same URL for psycopg/libpq (without SQLAlchemy's driver suffix)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def postgis_version(engine: Engine) -> str | None:
    """PostGIS's library version: the database answers and has the extension."""
    with engine.connect() as conn:
        return conn.scalar(text("SELECT postgis_lib_version()"))


def make_engine(url: str, audit_user: str = "gis-app") -> Engine:
    """Engine whose connections tell the audit trigger who is writing, with JIT off and
    4 MB of work_mem for the session: compiling our plans cost more than it won, and a map
    tile or items page needs the index-probing plans small memory gives (analysis reports
    raise work_mem per transaction). Set once per connection, not on every request.

    Each transaction begun while an identity is current (a signed-in request, a command
    run `--as` someone) starts by telling the database who it is (`db.identity`)."""
    engine = create_engine(url, pool_pre_ping=True, future=True)

    @event.listens_for(engine, "begin")
    def _set_identity(conn: Any) -> None:
        identity = current_identity()
        if identity is not None:
            with conn.connection.dbapi_connection.cursor() as cur:
                apply_identity(cur, identity)

    @event.listens_for(engine, "connect")
    def _set_session(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute(
                "SELECT set_config('gis_app.user', %s, false), set_config('jit', 'off', false),"
                " set_config('work_mem', '4MB', false)",
                (audit_user,),
            )
        dbapi_conn.commit()

    return engine
