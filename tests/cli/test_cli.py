"""`gis-app` as a user runs it: exit codes and messages."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


def gis_app(
    *args: str, env: dict[str, str], input: str | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "gis_app", *args],
        env={**base, **env},
        input=input,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_status_of_a_cluster_never_started_exits_3(tmp_path: Path) -> None:
    result = gis_app("db", "status", env={"GIS_DATA_DIR": str(tmp_path / "pg")})
    assert result.returncode == 3
    assert "私有数据库未运行" in result.stdout and "not running" in result.stdout


def test_with_database_url_the_cluster_is_left_alone(tmp_path: Path) -> None:
    result = gis_app("db", "stop", env={"DATABASE_URL": "postgresql://x@127.0.0.1:1/none"})
    assert result.returncode == 0
    assert "DATABASE_URL" in result.stdout


def test_scale_must_be_positive(tmp_path: Path) -> None:
    result = gis_app("sample", "load", "--scale", "-1", env={"GIS_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "--scale" in result.stderr


def test_loading_before_migrating_says_what_to_run(
    new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = new_database()
    result = gis_app("sample", "load", env={"DATABASE_URL": url, "GIS_SAMPLE_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "gis-app db upgrade" in result.stderr


def test_upgrade_then_load_then_load_again(
    new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = new_database()
    secrets = tmp_path / "secrets"
    env = {"DATABASE_URL": url, "GIS_SAMPLE_DIR": str(tmp_path), "GIS_SECRET_DIR": str(secrets)}
    upgraded = gis_app("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "head" in upgraded.stdout
    first = gis_app("sample", "load", "--no-progress", env=env)
    assert first.returncode == 0, first.stderr
    assert "building" in first.stdout and "sample district loaded" in first.stdout
    kept = (secrets / "demo-accounts.txt").read_text(encoding="utf-8")
    admin_password = next(
        line.split("\t")[3] for line in kept.splitlines() if line.startswith("admin\t")
    )
    assert admin_password in first.stdout and "demo accounts made" in first.stdout
    assert (secrets / "demo-accounts.txt").stat().st_mode & 0o077 == 0
    second = gis_app("sample", "load", "--no-progress", env=env)
    assert second.returncode == 0
    assert "nothing loaded twice" in second.stdout and "demo accounts" not in second.stdout
    assert (tmp_path / "dem.tif").exists() and (tmp_path / "manifest.json").exists()


@pytest.mark.parametrize("args", [["db", "bogus"], ["nothing"]])
def test_unknown_commands_exit_2(args: list[str], tmp_path: Path) -> None:
    assert gis_app(*args, env={"GIS_DATA_DIR": str(tmp_path)}).returncode == 2


def test_raster_register_and_stats_from_the_command_line(
    new_database: Callable[..., str], tmp_path: Path
) -> None:
    from tests.land.conftest import write_dem

    url = new_database()
    env = {"DATABASE_URL": url, "GIS_RASTER_DIR": str(tmp_path / "rasters")}
    assert gis_app("db", "upgrade", env=env).returncode == 0
    dem = write_dem(tmp_path / "dem.tif")
    args = ("--code", "dem", "--name-zh", "高程", "--kind", "dem", "--units", "m")
    result = gis_app("raster", "register", str(dem), *args, env=env)
    assert result.returncode == 0, result.stderr
    assert "已登记栅格 dem / raster dem registered" in result.stdout
    assert "raster dem_slope registered" in result.stdout
    stored = sorted(p.name.split("-")[0] for p in (tmp_path / "rasters").iterdir())
    assert stored == ["dem", "dem_slope"]
    again = gis_app("raster", "register", str(dem), *args, env=env)
    assert again.returncode == 2
    assert "代码为 dem 的栅格已登记" in again.stderr
    (tmp_path / "flat.tif").write_text("not a raster")
    broken = gis_app(
        "raster",
        "register",
        str(tmp_path / "flat.tif"),
        "--code",
        "flat",
        "--name-zh",
        "坏",
        "--kind",
        "dem",
        "--units",
        "m",
        env=env,
    )
    assert broken.returncode == 2 and "cannot be read as a raster" in broken.stderr
    assert not (tmp_path / "rasters" / "flat.tif").exists()
    stats = gis_app("raster", "stats", env=env)
    assert stats.returncode == 0, stats.stderr
    assert "已计算 0 条地块栅格统计" in stats.stdout  # no parcels in this database
