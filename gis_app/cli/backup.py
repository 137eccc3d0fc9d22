"""`gis-app db backup` and `gis-app db restore`: a logical backup of the app's database
(embedded or DATABASE_URL) with its rasters and manifest, and with `--physical` a base
backup of the embedded cluster for point-in-time recovery (`restore --until`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gis_app.cli.common import guard, say
from gis_app.config import get_settings
from gis_app.db.backup import make_backup
from gis_app.db.backup_manifest import BackupRefused
from gis_app.db.engine import private_cluster, resolve_database_url


def db_backup(
    to: Annotated[
        Path | None, typer.Option("--to", help="Folder for the backup (default GIS_BACKUP_DIR).")
    ] = None,
    physical: Annotated[
        bool,
        typer.Option(help="Also a base backup of the embedded cluster, for restore --until."),
    ] = False,
) -> None:
    """Back up the database, its raster files and the non-secret settings."""
    settings = get_settings()
    if physical and settings.database_url:
        guard(_refuse("backup.until_external"))
    url = guard(lambda: resolve_database_url(settings))
    cluster = guard(lambda: private_cluster(settings)) if physical else None
    done = guard(lambda: make_backup(url, settings, to, cluster=cluster))
    say("backup.done", folder=done.folder, size=done.size, files=len(done.manifest["files"]))


def db_restore(
    backup: Annotated[
        Path,
        typer.Argument(help="Folder written by gis-app db backup", exists=True, file_okay=False),
    ],
    force: Annotated[bool, typer.Option(help="Replace a database that is not empty.")] = False,
    until: Annotated[
        str | None,
        typer.Option(help="Point in time (ISO 8601) to recover the embedded cluster to."),
    ] = None,
) -> None:
    """Restore a backup (checked first; nothing changes when it is refused)."""
    settings = get_settings()
    if until is not None:
        from gis_app.db.pitr import parse_until, recover_until

        if settings.database_url:
            guard(_refuse("backup.until_external"))
        moment = guard(lambda: parse_until(until))
        cluster = guard(lambda: private_cluster(settings))
        guard(lambda: recover_until(cluster, backup, moment))
        say("backup.recovered", until=moment.isoformat())
        return
    from gis_app.db.restore import restore_backup

    url = guard(lambda: resolve_database_url(settings))
    done = guard(lambda: restore_backup(backup, url, settings.raster_dir, force=force))
    if done.migrated_from:
        say("backup.migrated", revision=done.migrated_from)
    say("backup.restored", database=done.database, revision=done.revision, rasters=done.rasters)


def _refuse(key: str):  # noqa: ANN202 - a guard action that always raises
    def action() -> None:
        raise BackupRefused(key)

    return action
