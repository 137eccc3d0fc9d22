"""The registers are checked on the analyses' hand-built office world (tests/analysis/conftest.py
tells its rooms, bodies and people) and on the demo district against independent SQL."""

from tests.analysis.conftest import office_world_url  # noqa: F401
