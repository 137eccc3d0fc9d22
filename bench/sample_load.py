"""Time a sample load and report peak memory, in a throwaway database.

    .venv/bin/python bench/sample_load.py --scale 0.05          # make bench-sample SCALE=0.05

Without `--url` it creates `gis_app_bench_sample` next to the application database (the
private cluster, or the server of DATABASE_URL), migrates it, loads, and drops it again
unless `--keep`. With `--url` it loads into that (empty, migrated) database as is.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from gis_app.config import get_settings
from gis_app.db import migrate
from gis_app.db.cluster import create_extensions
from gis_app.db.engine import libpq_url, private_cluster
from sample_geodata import DEFAULT_SEED
from sample_geodata.load import load_sample

BENCH_DB = "gis_app_bench_sample"


def server_url(dbname: str) -> str:
    """SQLAlchemy URL of `dbname` on the server the application uses."""
    settings = get_settings()
    if settings.database_url:
        url = make_url(settings.database_url).set(database=dbname)
        return url.render_as_string(hide_password=False)
    cluster = private_cluster(settings)
    cluster.start()
    return cluster.url(dbname)


def recreate_database(dbname: str, *, drop_only: bool = False) -> str:
    admin = libpq_url(server_url("postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))
        if drop_only:
            return ""
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    url = server_url(dbname)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        create_extensions(conn)
    migrate.upgrade(url)
    return libpq_url(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="libpq URL of an empty, migrated database to load into")
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=None, help="rasters and manifest folder")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args()
    url = args.url or recreate_database(BENCH_DB)
    out = args.out or Path(tempfile.mkdtemp(prefix="sample-bench-"))
    try:
        with psycopg.connect(url) as conn:
            result = load_sample(
                conn, out, scale=args.scale, seed=args.seed, progress=not args.quiet
            )
    finally:
        if not args.url and not args.keep:
            recreate_database(BENCH_DB, drop_only=True)
    report = {
        "scale": args.scale,
        "skipped": result["skipped"],
        "seconds": result["seconds"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "counts": result["counts"],
        "out_dir": str(out),
    }
    sys.stdout.write(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
