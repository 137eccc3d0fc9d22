"""Users of every role over the demo district, two of them on bodies that share a
building (A and B): the app under test connects as its own login role, so what these
clients see is what row-level security lets through.

The district here is a database of its own (`shared_db`): the demo load with the idle
building's two lowest floors given to two bureaus, as `make run` does before making the
demo accounts. `sample_db` stays as loaded, for the tests that check its figures."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db.engine import make_engine
from sample_geodata.accounts import SHARED_BODIES, share_idle_building
from tests.auth import auth_headers


@pytest.fixture(scope="session")
def shared_db(
    demo_database: Callable[[Path], tuple[str, dict]], tmp_path_factory: pytest.TempPathFactory
) -> dict:
    """The demo district with one building used by two bodies (no rasters registered)."""
    url, result = demo_database(tmp_path_factory.mktemp("shared"))
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        share_idle_building(session)
    engine.dispose()
    return {"url": url, "result": result, "raster_dir": tmp_path_factory.mktemp("rasters")}


@pytest.fixture(scope="session")
def access_engine(shared_db: dict) -> Iterator[Engine]:
    """The owner's engine on that database (sees everything, bypasses row-level security)."""
    eng = make_engine(shared_db["url"])
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def bodies(access_engine: Engine) -> dict[str, dict]:
    """Bodies A and B (code, id, name) and the building they share."""
    with access_engine.connect() as conn:
        code_a, code_b = conn.execute(SHARED_BODIES).scalars().all()
        found = {
            code: (id_, name)
            for code, id_, name in conn.execute(
                text("SELECT code, id, name FROM organisation WHERE code IN (:a, :b)"),
                {"a": code_a, "b": code_b},
            ).all()
        }
        ids = {code: id_ for code, (id_, _) in found.items()}
        shared = conn.execute(
            text(
                "SELECT f.building_id FROM room r JOIN floor f ON f.id = r.floor_id"
                " GROUP BY f.building_id HAVING bool_or(r.organisation_id = :a)"
                " AND bool_or(r.organisation_id = :b) ORDER BY f.building_id LIMIT 1"
            ),
            {"a": ids[code_a], "b": ids[code_b]},
        ).scalar_one()
    return {
        "A": {"code": code_a, "id": ids[code_a], "name": found[code_a][1]},
        "B": {"code": code_b, "id": ids[code_b], "name": found[code_b][1]},
        "shared_building": shared,
    }


@pytest.fixture(scope="session")
def shared_place(access_engine: Engine, bodies: dict) -> dict:
    """Where the shared building is: its code, its bbox (`W,S,E,N` text) and the z18 tile
    (x, y) over a point inside it."""
    with access_engine.connect() as conn:
        code, lon, lat, *box = conn.execute(
            text(
                "SELECT b.code, ST_X(p), ST_Y(p), ST_XMin(b.geom), ST_YMin(b.geom),"
                " ST_XMax(b.geom), ST_YMax(b.geom)"
                " FROM building b, ST_PointOnSurface(b.geom) p WHERE b.id = :id"
            ),
            {"id": bodies["shared_building"]},
        ).one()
    n = 2**18
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return {"code": code, "bbox": ",".join(f"{v:.7f}" for v in box), "tile": (x, y)}


@pytest.fixture(scope="session")
def access_app(shared_db: dict):
    """One app over that district for every client of this package."""
    app = create_app(Settings(database_url=shared_db["url"], raster_dir=shared_db["raster_dir"]))
    with TestClient(app) as client:
        yield app, client


@pytest.fixture(scope="session")
def as_role(access_app, shared_db: dict):
    """`as_role(role, org_code)` → headers; `as_role(None)` → no credentials."""

    def headers(role: str | None, org_code: str | None = None) -> dict[str, str]:
        return {} if role is None else auth_headers(shared_db["url"], role, org_code)

    return headers


@pytest.fixture(scope="session")
def client(access_app) -> Iterator[TestClient]:
    """The app's client without credentials (each request brings its own headers)."""
    yield access_app[1]
