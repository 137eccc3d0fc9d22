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
from tests.auth import app_client


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


@pytest.fixture(scope="session")
def root_code(owner: Engine) -> str:
    """The top body of the district (a scoped role's scope: everything under it)."""
    with owner.connect() as conn:
        return conn.execute(
            text("SELECT code FROM organisation WHERE parent_id IS NULL ORDER BY id LIMIT 1")
        ).scalar_one()


@pytest.fixture(scope="session")
def viewer(edit_app: FastAPI, root_code: str) -> Iterator[TestClient]:
    with app_client(edit_app, "viewer", root_code) as client:
        yield client
