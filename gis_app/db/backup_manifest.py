"""What a backup holds and how to tell it is whole: the manifest (app version, schema
revision, PostGIS version, rows per table, a checksum per key table computed in SQL, and
the sha256 of every file), written last and checked before a restore touches anything."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from gis_app import __version__
from gis_app.db.engine import libpq_url
from gis_app.errors import GisAppError

MANIFEST = "manifest.json"
APPLICATION = "gis-app"
KEY_TABLES = (
    "building",
    "floor",
    "room",
    "organisation",
    "staff",
    "land_parcel",
    "room_occupancy",
    "audit_log",
)
"""Tables whose content a restore must give back exactly (checked row by row in SQL)."""

_USER_TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY c.relname
"""
_KEY_COLUMNS = """
SELECT a.attname FROM pg_index i
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
 WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)
"""


class BackupRefused(GisAppError):
    """A backup that cannot or must not be restored here; `key` says why."""

    def __init__(self, key: str, **context: object) -> None:
        super().__init__(**context)
        self.key = key


def user_tables(conn: psycopg.Connection) -> list[str]:
    """Tables of the public schema that no extension owns (spatial_ref_sys is PostGIS's)."""
    return [row[0] for row in conn.execute(_USER_TABLES).fetchall()]


def _checksum(conn: psycopg.Connection, table: str) -> str:
    """md5 of every row as text, in primary-key order: equal only if the content is."""
    keys = [row[0] for row in conn.execute(_KEY_COLUMNS, (table,)).fetchall()]
    order = sql.SQL(", ").join(sql.Identifier(k) for k in keys) if keys else sql.SQL("t::text")
    query = sql.SQL(
        "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY {}), '')) FROM {} t"
    ).format(order, sql.Identifier(table))
    return str(conn.execute(query).fetchone()[0])


def facts_in(conn: psycopg.Connection) -> dict[str, Any]:
    """Schema revision, PostGIS version, rows per table and key-table checksums as `conn`
    sees them (text forms pinned to UTC and ISO dates so equal content gives equal sums)."""
    conn.execute("SET TimeZone = 'UTC'")
    conn.execute("SET DateStyle = 'ISO, YMD'")
    tables = user_tables(conn)
    revision = None
    if "alembic_version" in tables:
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = found[0] if found else None
    postgis = conn.execute(
        "SELECT extversion FROM pg_extension WHERE extname = 'postgis'"
    ).fetchone()
    counts = {
        table: conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        for table in tables
    }
    return {
        "schema_revision": revision,
        "postgis_version": postgis[0] if postgis else None,
        "table_counts": counts,
        "table_checksums": {t: _checksum(conn, t) for t in KEY_TABLES if t in tables},
    }


def database_facts(url: str) -> dict[str, Any]:
    """`facts_in` a connection of its own to `url`."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return facts_in(conn)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(
        p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST
    )


def write_manifest(folder: Path, facts: dict[str, Any]) -> dict[str, Any]:
    """The manifest of everything now in `folder` (0600), written last."""
    manifest = {
        "application": APPLICATION,
        "app_version": __version__,
        **facts,
        "files": {
            str(rel): {"sha256": sha256_of(folder / rel), "bytes": (folder / rel).stat().st_size}
            for rel in _files(folder)
        },
    }
    path = folder / MANIFEST
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(manifest, out, ensure_ascii=False, indent=1, sort_keys=True)
    return manifest


def verified_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of `folder` once every file it lists is there with its size and sha256,
    and nothing unlisted was added; else BackupRefused naming the first bad file."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        listed = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupRefused("backup.no_manifest", path=str(path)) from None
    for rel, expected in sorted(listed.items()):
        file = folder / rel
        if not file.is_file():
            raise BackupRefused("backup.file_missing", file=rel)
        if file.stat().st_size != expected["bytes"]:
            raise BackupRefused("backup.file_truncated", file=rel)
        if sha256_of(file) != expected["sha256"]:
            raise BackupRefused("backup.file_corrupt", file=rel)
    extra = [str(rel) for rel in _files(folder) if str(rel) not in listed]
    if extra:
        raise BackupRefused("backup.file_unlisted", file=extra[0])
    return manifest
