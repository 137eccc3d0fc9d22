"""Fixtures over the demo district (`sample_db`): an API client, an engine, the busiest
place of the district as tiles, and a client whose writes are rolled back after the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db.engine import make_engine
from gis_app.http.session import get_session
from gis_app.layers.grid import tile_at
from tests.auth import app_client


def _settings(sample_db: dict) -> Settings:
    return Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"])


@pytest.fixture(scope="module")
def client(sample_db: dict) -> Iterator[TestClient]:
    with app_client(_settings(sample_db)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def engine(sample_db: dict) -> Iterator[Engine]:
    eng = make_engine(sample_db["url"], audit_user="pytest")
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def busiest(engine: Engine) -> dict:
    """The building with the most ground-floor rooms, and a ground-floor room in it: their
    ids and the point the tests tile around."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT f.building_id, min(r.id) AS room_id, "
                "ST_X(ST_PointOnSurface(b.geom)) AS lon, ST_Y(ST_PointOnSurface(b.geom)) AS lat "
                "FROM room r JOIN floor f ON f.id = r.floor_id JOIN building b ON b.id = f.building_id "
                "WHERE f.ordinal = 0 GROUP BY f.building_id, b.geom "
                "ORDER BY count(*) DESC, f.building_id LIMIT 1"
            )
        ).one()
    return dict(row._mapping)


def tile_of(place: dict, z: int) -> tuple[int, int, int]:
    """z/x/y of the tile holding `place` (lon, lat) at zoom z."""
    x, y = tile_at(place["lon"], place["lat"], z)
    return z, x, y


@pytest.fixture
def tx_client(sample_db: dict, engine: Engine) -> Iterator[tuple[TestClient, Session]]:
    """A client whose requests share one transaction with the test's own session; nothing
    either writes is kept."""
    with engine.connect() as conn:
        outer = conn.begin()
        app = create_app(_settings(sample_db))

        def session_in_transaction() -> Iterator[Session]:
            with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                yield session

        app.dependency_overrides[get_session] = session_in_transaction
        with (
            app_client(app) as test_client,
            Session(bind=conn, join_transaction_mode="create_savepoint") as session,
        ):
            yield test_client, session
        outer.rollback()
