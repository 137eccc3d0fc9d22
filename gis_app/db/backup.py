"""`gis-app db backup`: the database in pg_dump's custom format (one consistent snapshot,
the manifest's counts and checksums taken in the same one), the raster files it refers to,
the non-secret settings and, with `physical`, a base backup of the private cluster for
point-in-time recovery. Everything 0700/0600: a backup holds personal data."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from gis_app.config import Settings
from gis_app.db.backup_manifest import facts_in, write_manifest
from gis_app.db.cluster import ClusterError, PrivateCluster
from gis_app.db.engine import libpq_url
from gis_app.db.pg_tools import run_tool, server_major, split_secret, tool

DUMP = "database.dump"
RASTERS = "rasters"
SETTINGS = "settings.json"
BASE = "base"
SECRET_SETTINGS = frozenset({"database_url", "app_database_url", "tianditu_key"})
"""Settings that are or may hold a secret: never written into a backup."""


@dataclass(frozen=True)
class BackupDone:
    """Where the backup went and what it holds."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def size(self) -> int:
        return sum(entry["bytes"] for entry in self.manifest["files"].values())


def private_dir(path: Path) -> Path:
    """Make `path` (and missing parents) a folder only its owner can enter."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def _restrict(folder: Path) -> None:
    """Tools write with the umask: tighten every file and folder of the backup."""
    for dirpath, dirs, files in os.walk(folder):
        os.chmod(dirpath, 0o700)
        for name in files:
            os.chmod(os.path.join(dirpath, name), 0o600)
        for name in dirs:
            os.chmod(os.path.join(dirpath, name), 0o700)


def _raster_paths(conn: psycopg.Connection) -> list[str]:
    if conn.execute("SELECT to_regclass('public.raster_layer')").fetchone()[0] is None:
        return []
    return [row[0] for row in conn.execute("SELECT path FROM raster_layer ORDER BY code")]


def _copy_rasters(paths: list[str], raster_dir: Path, folder: Path) -> None:
    """The registered rasters' files; a missing one is an error, not a silent gap."""
    for rel in paths:
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise ClusterError(f"raster path {rel!r} in raster_layer leaves the raster folder")
        source = raster_dir / rel
        if not source.is_file():
            raise ClusterError(f"raster file {source} registered in the database is missing")
        target = folder / RASTERS / rel
        private_dir(target.parent)
        shutil.copyfile(source, target)


def _write_settings(settings: Settings, folder: Path) -> None:
    values = settings.model_dump(mode="json", exclude=set(SECRET_SETTINGS))
    (folder / SETTINGS).write_text(
        json.dumps(values, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )


def _base_backup(cluster: PrivateCluster, folder: Path) -> dict[str, str]:
    """pg_basebackup of the whole private cluster (with the WAL to make it consistent);
    the later WAL comes from the archive at restore time."""
    if not cluster.wal_archive:
        raise ClusterError(
            "a physical backup is for point-in-time recovery, which needs WAL archiving: "
            "set GIS_WAL_ARCHIVE=true and restart the database (gis-app db stop; db start)"
        )
    status = cluster.status()
    if not status.running:
        raise ClusterError("the private cluster is not running (gis-app db start)")
    started = datetime.now(UTC)
    run_tool(
        [
            str(cluster.bin_dir / "pg_basebackup"),
            "-d",
            f"host={status.socket_dir} port={status.port} user=postgres",
            "-D",
            str(folder / BASE),
            "-Fp",
            "-X",
            "stream",
            "-c",
            "fast",
        ]
    )
    return {"started_at": started.isoformat(), "finished_at": datetime.now(UTC).isoformat()}


def make_backup(
    url: str,
    settings: Settings,
    to: Path | None = None,
    *,
    cluster: PrivateCluster | None = None,
) -> BackupDone:
    """A new folder under `to` (default: settings.backup_dir) holding the backup; with
    `cluster`, also its base backup. A failed backup leaves no folder behind."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = private_dir(to or settings.backup_dir) / f"gis-app-{stamp}"
    private_dir(folder)
    try:
        facts = _dump(url, settings, folder)
        if cluster is not None:
            facts["physical"] = _base_backup(cluster, folder)
        _write_settings(settings, folder)
        _restrict(folder)
        return BackupDone(folder, write_manifest(folder, facts))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _dump(url: str, settings: Settings, folder: Path) -> dict[str, Any]:
    """pg_dump and the manifest's facts from one exported snapshot: the counts and sums
    describe exactly the rows in the dump, however busy the database is."""
    plain_url, env = split_secret(url)
    pg_dump = tool("pg_dump", server_major(url))
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        facts = facts_in(conn)
        rasters = _raster_paths(conn)
        run_tool(
            [str(pg_dump), "-Fc", f"--snapshot={snapshot}", "-f", str(folder / DUMP), plain_url],
            env,
        )
        conn.execute("ROLLBACK")
    _copy_rasters(rasters, settings.raster_dir, folder)
    return facts
