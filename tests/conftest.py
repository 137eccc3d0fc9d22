"""Test databases: a throwaway private cluster (or the server in DATABASE_URL), never a
developer's data. Each test session makes its own databases and drops them afterwards."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import uvicorn
from psycopg import sql
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db import migrate
from gis_app.db.cluster import PrivateCluster, create_extensions
from gis_app.db.engine import libpq_url, make_engine


class TestServer:
    """Makes and drops databases on one PostgreSQL server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def url_for(self, dbname: str) -> str:
        return make_url(self.admin_url).set(database=dbname).render_as_string(hide_password=False)

    def create_database(self, *, extensions: bool = True) -> str:
        name = f"gis_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(libpq_url(self.admin_url), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.append(name)
        url = self.url_for(name)
        if extensions:
            with psycopg.connect(libpq_url(url), autocommit=True) as conn:
                create_extensions(conn)
        return url

    def drop_all(self) -> None:
        with psycopg.connect(libpq_url(self.admin_url), autocommit=True) as conn:
            for name in self.created:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@pytest.fixture(scope="session")
def test_server() -> Iterator[TestServer]:
    """DATABASE_URL's server when set, else a private cluster in a temporary folder."""
    external = os.environ.get("DATABASE_URL")
    if external:
        server = TestServer(Settings(database_url=external).database_url or external)
        yield server
        server.drop_all()
        return
    root = Path(tempfile.mkdtemp(prefix="gis-app-test-"))
    cluster = PrivateCluster(root / "pg", fsync=False)
    cluster.start()
    try:
        yield TestServer(cluster.url("postgres"))
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def new_database(test_server: TestServer) -> Callable[..., str]:
    """Factory of empty PostGIS databases (URL), dropped at the end of the session;
    `new_database(extensions=False)` gives a bare one."""
    return test_server.create_database


@pytest.fixture(scope="session")
def db_url(new_database: Callable[[], str]) -> str:
    """A database migrated to head, with no sample data."""
    url = new_database()
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url, audit_user="pytest")
    yield eng
    eng.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture(scope="session")
def demo_database(new_database: Callable[[], str]) -> Callable[[Path], tuple[str, dict]]:
    """Factory of new databases migrated to head with the demo district loaded (its files
    written to the folder given): gives the URL and the load result."""
    from sample_geodata.load import load_sample

    def make(out_dir: Path) -> tuple[str, dict]:
        url = new_database()
        migrate.upgrade(url)
        with psycopg.connect(libpq_url(url)) as connection:
            result = load_sample(connection, out_dir, progress=False)
        return url, result

    return make


@pytest.fixture(scope="session")
def sample_db(
    demo_database: Callable[[Path], tuple[str, dict]], tmp_path_factory: pytest.TempPathFactory
) -> dict:
    """The demo district as `make run` serves it, loaded once: its data and its rasters
    registered (DEM, slope, flood depth). Gives the URL, the load result, the sample folder
    and the raster store."""
    from sqlalchemy.orm import Session

    from sample_geodata.rasters import register_sample_rasters

    out_dir = tmp_path_factory.mktemp("sample")
    raster_dir = tmp_path_factory.mktemp("rasters")
    url, result = demo_database(out_dir)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        register_sample_rasters(session, out_dir, raster_dir)
    engine.dispose()
    return {"url": url, "result": result, "out_dir": out_dir, "raster_dir": raster_dir}


@pytest.fixture(scope="session")
def manifest(sample_db: dict) -> dict:
    """The planted-case manifest the demo load wrote."""
    return sample_db["result"]["manifest"]


@pytest.fixture(scope="session")
def sample_engine(sample_db: dict) -> Iterator[Engine]:
    """An engine on the demo district's database."""
    eng = make_engine(sample_db["url"])
    yield eng
    eng.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_url(sample_db: dict) -> Iterator[str]:
    """Base URL of the app serving the demo district, for the whole test session."""
    settings = Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"])
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def live_headers(sample_db: dict) -> dict[str, str]:
    """The Authorization header of an admin of the demo district served at `live_url`."""
    from tests.auth import auth_headers

    return auth_headers(sample_db["url"])
