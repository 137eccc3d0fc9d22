"""`gis-app user …` and `gis-app token …`: accounts made from the command line work at the
API, their changes are audited as the OS user or `--as`, and bad input exits 2 naming it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db import migrate
from gis_app.db.engine import make_engine
from tests.cli.test_cli import gis_app


@pytest.fixture(scope="module")
def db(new_database: Callable[..., str]) -> str:
    url = new_database()
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisation (id, code, name, level, kind) VALUES "
                "(1, 'ORG-1', '某市机关事务管理局', 'municipal', 'government')"
            )
        )
    engine.dispose()
    return url


def test_add_a_user_then_a_token_that_works_until_revoked(db: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": db}
    added = gis_app(
        "--as",
        "ops-li",
        "user",
        "add",
        "Zhang.San",
        "--role",
        "unit_officer",
        "--org",
        "ORG-1",
        "--password-stdin",
        env=env,
        input="a long enough one\n",
    )
    assert added.returncode == 0, added.stderr
    assert "user zhang.san added (unit_officer)" in added.stdout
    made = gis_app("token", "create", "zhang.san", "--expires", "30", env=env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("gis_") and "\n" not in token and "token" in made.stderr
    listed = gis_app("user", "list", "--json", env=env)
    assert '"organisation": "ORG-1"' in listed.stdout and "password" not in listed.stdout
    app = create_app(Settings(database_url=db, secret_dir=tmp_path))
    with TestClient(app) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["role"] == "unit_officer"
        token_id = made.stderr.split("token ")[-1].split(" ")[0]
        assert gis_app("token", "revoke", token_id, env=env).returncode == 0
        gone = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert gone.status_code == 401
    engine = make_engine(db)
    with engine.connect() as conn:
        who = dict(
            conn.execute(
                text(
                    "SELECT table_name || ':' || operation, who FROM audit_log"
                    " WHERE table_name IN ('app_user', 'api_token')"
                )
            ).all()
        )
    engine.dispose()
    assert who["app_user:INSERT"] == "ops-li"
    assert who["api_token:INSERT"].endswith("@cli")


def test_roles_and_state_change_and_bad_input_exits_2(db: str) -> None:
    env = {"DATABASE_URL": db}
    assert gis_app("user", "add", "wang", "--role", "auditor", env=env).returncode == 0
    assert gis_app("user", "set-role", "wang", "viewer", "--org", "ORG-1", env=env).returncode == 0
    assert gis_app("user", "disable", "wang", env=env).returncode == 0
    listed = gis_app("user", "list", env=env).stdout
    assert "wang" in listed and "viewer" in listed and "disabled" in listed
    for args, field in (
        (("user", "add", "x1", "--role", "chief"), "role"),
        (("user", "add", "x2", "--role", "viewer"), "org"),
        (("user", "add", "x3", "--role", "viewer", "--org", "NOPE"), "NOPE"),
        (("user", "disable", "nobody"), "nobody"),
    ):
        refused = gis_app(*args, env=env)
        assert refused.returncode == 2, args
        assert field in refused.stderr
    short = gis_app("user", "set-password", "wang", "--password-stdin", env=env, input="short\n")
    assert short.returncode == 2 and "10" in short.stderr
