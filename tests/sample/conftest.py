"""Fixtures over the demo district loaded once per session (`sample_db` in tests/conftest.py)."""

from __future__ import annotations

import pytest

from gis_app.db.engine import make_engine


@pytest.fixture(scope="module")
def sample_engine(sample_db: dict):
    eng = make_engine(sample_db["url"])
    yield eng
    eng.dispose()
