"""Users of every role over the demo district, two of them on bodies that share a
building (A and B): the app under test connects as its own login role, so what these
clients see is what row-level security lets through."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from gis_app.app import create_app
from gis_app.config import Settings
from sample_geodata.accounts import SHARED_BODIES
from tests.auth import auth_headers


@pytest.fixture(scope="session")
def bodies(sample_engine) -> dict[str, dict]:
    """Bodies A and B (code, id) and the building they share."""
    with sample_engine.connect() as conn:
        code_a, code_b = conn.execute(SHARED_BODIES).scalars().all()
        ids = dict(
            conn.execute(
                text("SELECT code, id FROM organisation WHERE code IN (:a, :b)"),
                {"a": code_a, "b": code_b},
            ).all()
        )
        shared = conn.execute(
            text(
                "SELECT f.building_id FROM room r JOIN floor f ON f.id = r.floor_id"
                " GROUP BY f.building_id HAVING bool_or(r.organisation_id = :a)"
                " AND bool_or(r.organisation_id = :b) ORDER BY f.building_id LIMIT 1"
            ),
            {"a": ids[code_a], "b": ids[code_b]},
        ).scalar_one()
    return {
        "A": {"code": code_a, "id": ids[code_a]},
        "B": {"code": code_b, "id": ids[code_b]},
        "shared_building": shared,
    }


@pytest.fixture(scope="session")
def access_app(sample_db: dict):
    """One app over the demo district for every client of this package."""
    app = create_app(Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"]))
    with TestClient(app) as client:
        yield app, client


@pytest.fixture(scope="session")
def as_role(access_app, sample_db: dict):
    """`as_role(role, org_code)` → headers; `as_role(None)` → no credentials."""

    def headers(role: str | None, org_code: str | None = None) -> dict[str, str]:
        return {} if role is None else auth_headers(sample_db["url"], role, org_code)

    return headers


@pytest.fixture(scope="session")
def client(access_app) -> Iterator[TestClient]:
    """The app's client without credentials (each request brings its own headers)."""
    yield access_app[1]
