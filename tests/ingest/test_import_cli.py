"""`gis-app import` as a user runs it: the report printed, exit 3 when problems keep the
import from writing, `--skip-invalid` writing the rest, bad options exit 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from gis_app.db import migrate
from gis_app.db.engine import make_engine
from tests.cli.test_cli import gis_app
from tests.ingest.test_real_data import LYON


def test_lyon_roofs_from_the_command_line(new_database: Callable[[], str], tmp_path: Path) -> None:
    url = new_database()
    migrate.upgrade(url)
    env = {"DATABASE_URL": url}
    args = ["import", "building", str(LYON), "--map", "code=numero", "--map", "name=numero"]
    args += ["--default", "floors_above=1", "--lang", "en"]
    outside = gis_app(*args, "--dry-run", env=env)
    assert outside.returncode == 3, outside.stderr
    assert "coordinates outside the service area" in outside.stdout
    assert "building: 98 features read, 0 valid, 98 rejected, 0 written" in outside.stdout
    assert "dry run: nothing written" in outside.stdout
    assert "checking" in outside.stderr  # the progress bars

    report = tmp_path / "report.json"
    written = gis_app(*args, "--any-area", "--skip-invalid", "--report", str(report), env=env)
    assert written.returncode == 0, written.stderr
    assert "98 features read, 96 valid, 2 rejected, 96 written" in written.stdout
    saved = json.loads(report.read_text())
    assert [p["code"] for p in saved["problems"]] == ["duplicate_key", "duplicate_key"]
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM building")) == 96
    engine.dispose()

    bad = gis_app("import", "building", str(LYON), "--map", "code", env=env)
    assert bad.returncode == 2 and "--map" in bad.stderr
    refused = gis_app("import", "building", str(tmp_path / "none.gpkg"), env=env)
    assert refused.returncode == 2 and "path" in refused.stderr
