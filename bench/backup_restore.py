"""Time `gis-app db backup` and `gis-app db restore` on the database DATABASE_URL names
(else the private cluster's), and print the sizes.

    DATABASE_URL=postgresql://… .venv/bin/python bench/backup_restore.py [--runs 1] [--keep]

Each run: a backup into a temporary folder (pg_dump custom format from one snapshot, the
manifest's SQL checksums, the registered raster files from GIS_RASTER_DIR), the manifest
check a restore starts with (sha256 of every file), then a restore into a scratch database
`<name>_bench_restore` on the same server (pg_restore, post-data, checksum comparison,
LEAKPROOF re-applied, renamed into place). The scratch database and the backup are removed
afterwards (`--keep` keeps the last backup). The database itself is only read.

Demo district (`gis-app sample load`: 54 941 rows, 47.6 MB on disk, 3 rasters), private
cluster, shared 2-core machine, 2026-12-03, `--runs 2`: backup 5.5 MB (dump 3.3 MB, rasters
2.1 MB) in 2.2 / 1.8 s, manifest check 0.0 s, restore with checks 6.2 / 4.9 s. Through the
command line on the same data: `db backup --physical` 93 MB (1 515 files), `db restore
--until` 4.5 s. Same data through DATABASE_URL (unix socket), quieter machine: backup
1.0 s, restore 2.2 s. Province size: to be run by the lead.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import psycopg
from ogc_vs_tipg import say
from psycopg import sql
from sqlalchemy.engine import make_url

from gis_app.config import get_settings
from gis_app.db.backup import DUMP, RASTERS, make_backup
from gis_app.db.backup_manifest import verified_manifest
from gis_app.db.engine import libpq_url, resolve_database_url
from gis_app.db.restore import restore_backup


def _mb(size: int) -> str:
    return f"{size / 1e6:10.1f} MB"


def _database_size(url: str) -> int:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def _drop(admin_url: str, name: str) -> None:
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))


def run(url: str, keep: bool) -> dict[str, float]:
    settings = get_settings()
    parsed = make_url(url)
    scratch = f"{parsed.database}_bench_restore"
    admin_url = parsed.set(database="postgres").render_as_string(hide_password=False)
    scratch_url = parsed.set(database=scratch).render_as_string(hide_password=False)
    work = Path(tempfile.mkdtemp(prefix="gis-app-bench-backup-"))
    try:
        started = time.perf_counter()
        done = make_backup(url, settings, work)
        backup_s = time.perf_counter() - started
        started = time.perf_counter()
        verified_manifest(done.folder)
        verify_s = time.perf_counter() - started
        _drop(admin_url, scratch)
        started = time.perf_counter()
        restore_backup(done.folder, scratch_url, work / "restored-rasters")
        restore_s = time.perf_counter() - started
        files = done.manifest["files"]
        figures = {
            "database": _database_size(url),
            "dump": files[DUMP]["bytes"],
            "rasters": sum(f["bytes"] for n, f in files.items() if n.startswith(f"{RASTERS}/")),
            "backup": done.size,
            "backup_s": backup_s,
            "verify_s": verify_s,
            "restore_s": restore_s,
            "rows": sum(done.manifest["table_counts"].values()),
        }
        if keep:
            kept = settings.backup_dir / done.folder.name
            shutil.move(done.folder, kept)
            say(f"kept {kept}")
        return figures
    finally:
        _drop(admin_url, scratch)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the last backup")
    args = parser.parse_args()
    url = resolve_database_url(get_settings())
    say(f"database {make_url(url).database}")
    for number in range(1, args.runs + 1):
        f = run(url, args.keep and number == args.runs)
        say(f"run {number}: {f['rows']:,} rows")
        say(f"  database on disk   {_mb(f['database'])}")
        say(
            f"  backup total       {_mb(f['backup'])}  (dump {_mb(f['dump']).strip()}, "
            f"rasters {_mb(f['rasters']).strip()})"
        )
        say(f"  backup             {f['backup_s']:8.1f} s")
        say(f"  verify manifest    {f['verify_s']:8.1f} s")
        say(f"  restore (checked)  {f['restore_s']:8.1f} s")


if __name__ == "__main__":
    main()
