"""A demo district of its own for the editing tests (they change it), served to clients of
each role through the same authentication and row-level security as anyone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db.engine import make_engine
from tests.auth import app_client, auth_headers


@pytest.fixture(scope="session")
def edit_db(
    demo_database: Callable[[Path], tuple[str, dict]], tmp_path_factory: pytest.TempPathFactory
) -> dict:
    url, result = demo_database(tmp_path_factory.mktemp("edit"))
    return {"url": url, "result": result}


@pytest.fixture(scope="session")
def edit_app(edit_db: dict) -> FastAPI:
    return create_app(Settings(database_url=edit_db["url"]))


@pytest.fixture(scope="session")
def owner(edit_db: dict) -> Iterator[Engine]:
    """The owner's engine (sees everything) for checking what was written."""
    engine = make_engine(edit_db["url"])
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def admin(edit_app: FastAPI) -> Iterator[TestClient]:
    with app_client(edit_app) as client:
        yield client


class SharedClient(TestClient):
    """A client of the app the `admin` client runs: no lifespan of its own (a second
    `with TestClient(app)` would open another engine over the first and leak it)."""

    def __enter__(self) -> SharedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture(scope="session")
def client_as(edit_app: FastAPI, edit_db: dict, admin: TestClient) -> Callable[..., TestClient]:
    """`client_as(role, org_code)`: another signed-in client of the running app."""

    def make(role: str = "admin", org_code: str | None = None) -> TestClient:
        return SharedClient(edit_app, headers=auth_headers(edit_db["url"], role, org_code))

    return make


@pytest.fixture(scope="session")
def root_code(owner: Engine) -> str:
    """The top body of the district (a scoped role's scope: everything under it)."""
    with owner.connect() as conn:
        return conn.execute(
            text("SELECT code FROM organisation WHERE parent_id IS NULL ORDER BY id LIMIT 1")
        ).scalar_one()


@pytest.fixture(scope="session")
def viewer(client_as: Callable[..., TestClient], root_code: str) -> TestClient:
    return client_as("viewer", root_code)
