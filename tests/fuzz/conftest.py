"""The app under fuzzing: its own database (the api tests' three buildings), its own raster
store, so whatever the fuzzer writes touches no other test's data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI

from gis_app.app import create_app
from gis_app.config import Settings
from tests.api.conftest import seed_buildings


@pytest.fixture(scope="module")
def fuzz_app(new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    url = new_database()
    seed_buildings(url)
    raster_dir: Path = tmp_path_factory.mktemp("fuzz-rasters")
    return create_app(Settings(database_url=url, raster_dir=raster_dir, page_size_max=50))
