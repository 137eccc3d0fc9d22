"""`gis-app db backup` and `gis-app db restore` as an operator runs them: the bilingual
lines, exit status 2 for a refusal, and a refused restore that leaves the data alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gis_app.db import migrate
from gis_app.db.backup_manifest import database_facts
from tests.cli.test_cli import gis_app


def test_backup_then_restore_from_the_command_line(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    url = new_database()
    migrate.upgrade(url)
    env = {"DATABASE_URL": url, "GIS_RASTER_DIR": str(tmp_path / "rasters")}

    made = gis_app("db", "backup", "--to", str(tmp_path / "backups"), env=env)
    assert made.returncode == 0, made.stderr
    assert "备份完成" in made.stdout and "backup written" in made.stdout
    (folder,) = (tmp_path / "backups").iterdir()
    before = database_facts(url)

    refused = gis_app("db", "restore", str(folder), env=env)
    assert refused.returncode == 2
    assert "--force" in refused.stderr and "非空" in refused.stderr
    assert database_facts(url) == before

    restored = gis_app("db", "restore", str(folder), "--force", env=env)
    assert restored.returncode == 0, restored.stderr
    assert "已恢复" in restored.stdout and "restored into database" in restored.stdout
    assert database_facts(url)["table_checksums"] == before["table_checksums"]


def test_point_in_time_options_are_refused_for_a_database_url(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql://x@127.0.0.1:1/none"}
    physical = gis_app("db", "backup", "--physical", env=env)
    assert physical.returncode == 2 and "DATABASE_URL" in physical.stderr
    until = gis_app("db", "restore", str(tmp_path), "--until", "2026-12-03T20:00:00", env=env)
    assert until.returncode == 2 and "point-in-time recovery" in until.stderr
