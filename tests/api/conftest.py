"""An app over a database holding three hand-placed buildings."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db import migrate
from gis_app.db.engine import make_engine
from tests.auth import app_client

# Three 0.001° squares along 30.25°N at 120.100, 120.150 and 120.200°E.
BUILDINGS = [(1, "B-WEST", 120.100), (2, "B-MID", 120.150), (3, "B-EAST", 120.200)]


def _square(x: float, y: float = 30.25, d: float = 0.001) -> str:
    return f"MULTIPOLYGON((({x} {y},{x + d} {y},{x + d} {y + d},{x} {y + d},{x} {y})))"


def seed_buildings(url: str) -> None:
    """Migrate the database at `url` and add one organisation and the three buildings."""
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisation (id, code, name, level, kind) "
                "VALUES (1, 'ORG-1', '杭州市机关事务管理局', 'municipal', 'government')"
            )
        )
        for building_id, code, x in BUILDINGS:
            conn.execute(
                text(
                    "INSERT INTO building (id, code, name, floors_above, title_holder_id, "
                    "safety_grade, geom) VALUES (:id, :code, :name, 6, 1, 'B', "
                    "ST_GeomFromText(:wkt, 4490))"
                ),
                {"id": building_id, "code": code, "name": f"{code} 楼", "wkt": _square(x)},
            )
    engine.dispose()


@pytest.fixture(scope="session")
def api_db_url(new_database: Callable[[], str]) -> str:
    url = new_database()
    seed_buildings(url)
    return url


@pytest.fixture(scope="session")
def client(api_db_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=api_db_url, page_size_default=2, page_size_max=50))
    with app_client(app) as test_client:
        yield test_client
