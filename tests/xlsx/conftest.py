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
from tests.auth import app_client


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
    """An office manager of the whole system (the import right)."""
    with app_client(xlsx_app, "office_manager") as client:
        yield client
