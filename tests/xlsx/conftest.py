"""A demo district of its own for the spreadsheet imports (they change it), served to
clients of each role through the same authentication and row-level security as anyone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db.engine import make_engine
from tests.auth import app_client, auth_headers


@pytest.fixture(scope="session")
def xlsx_db(
    demo_database: Callable[[Path], tuple[str, dict]], tmp_path_factory: pytest.TempPathFactory
) -> dict:
    url, result = demo_database(tmp_path_factory.mktemp("xlsx"))
    return {"url": url, "result": result}


@pytest.fixture(scope="session")
def xlsx_app(xlsx_db: dict) -> FastAPI:
    return create_app(Settings(database_url=xlsx_db["url"]))


@pytest.fixture(scope="session")
def owner(xlsx_db: dict) -> Iterator[Engine]:
    """The owner's engine (sees everything) for checking what was written."""
    engine = make_engine(xlsx_db["url"])
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def manager(xlsx_app: FastAPI) -> Iterator[TestClient]:
    """An office manager of the whole system (the import right); its client runs the app's
    lifespan (the engine) for the other clients too."""
    with app_client(xlsx_app, "office_manager") as client:
        yield client


@pytest.fixture(scope="session")
def client_as(xlsx_app: FastAPI, manager: TestClient) -> Callable[[str, str | None], TestClient]:
    """A client of `role` scoped to the body `org_code`, on the engine the manager's client
    opened (one lifespan for the app: a second would open an engine of its own)."""

    def make(role: str, org_code: str | None) -> TestClient:
        return TestClient(xlsx_app, headers=auth_headers(xlsx_db_url(xlsx_app), role, org_code))

    return make


def xlsx_db_url(app: FastAPI) -> str:
    return str(app.state.settings.database_url)
