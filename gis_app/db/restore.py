"""`gis-app db restore`: a backup made by `gis-app db backup` back into the app's database.

Everything is checked before anything changes (the files against the manifest, that the
backup is of this application at a schema this code knows, that the server has PostGIS,
that the target is empty or `force` was given). The dump is then restored into a new
database next to the target, migrated up if it is older, compared with the manifest and
given back what a dump cannot carry (the `gis_web` group role, the LEAKPROOF attribute of
`&&`); only then is it renamed into place. A failure on the way drops the new database and
leaves the target as it was."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from psycopg import sql
from sqlalchemy.engine import make_url

from gis_app.db import migrate
from gis_app.db.backup import DUMP, RASTERS
from gis_app.db.backup_manifest import (
    APPLICATION,
    KEY_TABLES,
    BackupRefused,
    database_facts,
    user_tables,
    verified_manifest,
)
from gis_app.db.cluster import create_extensions
from gis_app.db.engine import libpq_url
from gis_app.db.pg_tools import run_tool, server_major, split_secret, tool
from gis_app.db.rls_index import leakproof_statement
from gis_app.db.roles import CREATE_WEB_ROLE

OUR_TABLES = ("alembic_version", *KEY_TABLES)
EMPTY_SEARCH_PATH = "SELECT pg_catalog.set_config('search_path', '', false);"
PUBLIC_SEARCH_PATH = "SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', false);"
"""pg_restore runs with an empty search_path, where PostGIS's `=` on geometry is ambiguous,
so a trigger condition such as `old.geom IS DISTINCT FROM new.geom` (land_parcel's) cannot
be created: the indexes, constraints, triggers and policies (post-data) are run with
`public` on the path instead, in one transaction by psql (the script holds psql commands)."""


@dataclass(frozen=True)
class RestoreDone:
    """What the restore did."""

    database: str
    revision: str
    migrated_from: str | None
    rasters: int


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _revision_known(revision: str) -> bool:
    script = ScriptDirectory.from_config(migrate.alembic_config(""))
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def check_backup(folder: Path, major: int) -> dict:
    """The verified manifest of a backup of our database at a schema this code knows
    (`major`: the PostgreSQL version whose pg_restore reads the dump)."""
    manifest = verified_manifest(folder)
    if not (folder / DUMP).is_file():
        raise BackupRefused("backup.no_dump", file=DUMP)
    revision = manifest.get("schema_revision")
    ours = manifest.get("application") == APPLICATION and set(OUR_TABLES) <= set(
        manifest.get("table_counts", {})
    )
    if not ours or not revision:
        raise BackupRefused("backup.not_ours")
    listing = run_tool([str(tool("pg_restore", major)), "--list", str(folder / DUMP)])
    if not all(f"TABLE public {table} " in listing for table in OUR_TABLES):
        raise BackupRefused("backup.not_ours")
    if not _revision_known(revision):
        raise BackupRefused("backup.newer_schema", revision=revision, head=migrate.head_revision())
    return manifest


def _check_target(admin: psycopg.Connection, target_url: str, name: str, force: bool) -> None:
    has_postgis = admin.execute(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
    ).fetchone()
    if not has_postgis:
        raise BackupRefused("backup.no_postgis")
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if exists and not force:
        with psycopg.connect(libpq_url(target_url), autocommit=True) as conn:
            tables = user_tables(conn)
        if tables:
            raise BackupRefused("backup.target_not_empty", database=name, tables=len(tables))


def restore_backup(
    folder: Path, target_url: str, raster_dir: Path, *, force: bool = False
) -> RestoreDone:
    """Restore the backup in `folder` into the database of `target_url` (see the module)."""
    name = make_url(target_url).database or ""
    admin_url = _with_database(target_url, "postgres")
    manifest = check_backup(folder, server_major(admin_url))
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as admin:
        _check_target(admin, target_url, name, force)
        admin.execute(CREATE_WEB_ROLE)
        staging = f"{name[:40]}_restoring_{uuid.uuid4().hex[:8]}"
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(staging))
        )
        try:
            migrated_from = _fill(folder, manifest, _with_database(target_url, staging))
            _swap(admin, staging, name)
        except BaseException:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(staging))
            )
            raise
    rasters = _put_rasters(folder / RASTERS, raster_dir)
    return RestoreDone(name, migrate.head_revision() or "", migrated_from, rasters)


def _fill(folder: Path, manifest: dict, url: str) -> str | None:
    """pg_restore into the staging database, then migrate, compare and re-apply."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        create_extensions(conn)
    plain_url, env = split_secret(url)
    major = server_major(url)
    pg_restore = tool("pg_restore", major)
    dump = str(folder / DUMP)
    run_tool(
        [str(pg_restore), "--no-owner", "--exit-on-error", "--section=pre-data"]
        + ["--section=data", "-d", plain_url, dump],
        env,
    )
    post_data = run_tool([str(pg_restore), "--no-owner", "--section=post-data", "-f", "-", dump])
    run_tool(
        [str(tool("psql", major)), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
        + ["-d", plain_url, "-f", "-"],
        env,
        post_data.replace(EMPTY_SEARCH_PATH, PUBLIC_SEARCH_PATH),
    )
    revision = manifest["schema_revision"]
    migrated_from = None
    if revision != migrate.head_revision():
        migrate.upgrade(url)
        migrated_from = revision
    else:
        restored = database_facts(url)
        for field in ("table_counts", "table_checksums"):
            if restored[field] != manifest[field]:
                differing = sorted(
                    k
                    for k in manifest[field].keys() | restored[field].keys()
                    if manifest[field].get(k) != restored[field].get(k)
                )
                raise BackupRefused("backup.restored_differs", tables=", ".join(differing))
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(leakproof_statement())
    return migrated_from


def _swap(admin: psycopg.Connection, staging: str, name: str) -> None:
    """The restored database takes the target's name; the old one (whose content the
    operator chose to replace) is dropped after, its sessions ended."""
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    replaced = f"{staging}_old"
    if exists:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        admin.execute(_rename(name, replaced))
    try:
        admin.execute(_rename(staging, name))
    except psycopg.Error:
        if exists:
            admin.execute(_rename(replaced, name))
        raise
    if exists:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(replaced)))


def _rename(old: str, new: str) -> sql.Composed:
    return sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
        sql.Identifier(old), sql.Identifier(new)
    )


def _put_rasters(source: Path, raster_dir: Path) -> int:
    """The backup's raster files back where the registry says they are."""
    if not source.is_dir():
        return 0
    files = [p for p in source.rglob("*") if p.is_file()]
    for file in files:
        target = raster_dir / file.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    return len(files)
