"""Load the sample into PostGIS in one transaction with COPY, then write the rasters.

Usage::

    with psycopg.connect(url) as conn:
        result = load_sample(conn, Path("var/sample"))

A second call finds the organisation table filled and loads nothing
(`result["skipped"]` is True). Any database error rolls the whole load back.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from tqdm import tqdm

from sample_geodata import DEFAULT_SEED
from sample_geodata.generate import COLUMNS, SampleWorld
from sample_geodata.rasters import write_rasters

MANIFEST = "manifest.json"


def _copy(
    cur: psycopg.Cursor, world: SampleWorld, table: str, total: int | None, progress: bool
) -> int:
    cols = ", ".join(COLUMNS[table])
    n = 0
    with (
        tqdm(
            total=total,
            desc=f"{table:<15}",
            unit=" rows",
            file=sys.stderr,
            disable=not progress,
            mininterval=0.5,
            unit_scale=True,
        ) as bar,
        cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
    ):
        for row in world.rows(table):
            copy.write_row(row)
            n += 1
            if n % 2048 == 0:
                bar.update(2048)
        bar.update(n % 2048)
    return n


def load_sample(
    conn: psycopg.Connection,
    out_dir: Path,
    *,
    scale: float | None = None,
    seed: int = DEFAULT_SEED,
    progress: bool = True,
) -> dict[str, Any]:
    """Generate and load the sample; write DEM, flood raster and manifest to `out_dir`.

    Returns ``{"skipped", "counts", "seconds", "manifest", "rasters"}``; when the database
    already holds bodies, nothing is loaded and ``skipped`` is True with a ``reason``.
    `scale` None is the demo district; with a scale the audit log gets one summary row per
    table instead of one row per record. A skipped demo load writes the rasters again when
    they are missing (they are deterministic), so deleting `out_dir` loses nothing.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    counts: dict[str, int] = {}
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("LOCK TABLE organisation IN SHARE ROW EXCLUSIVE MODE")
        cur.execute("SELECT count(*) FROM organisation")
        present = cur.fetchone()[0]  # type: ignore[index]
        if present:
            old = out_dir / MANIFEST
            if scale is None and not (out_dir / "dem.tif").exists():
                write_rasters(SampleWorld(seed, None).frames, out_dir)
            return {
                "skipped": True,
                "reason": f"organisation already holds {present} rows; sample not loaded again",
                "counts": {},
                "seconds": round(time.perf_counter() - started, 2),
                "manifest": json.loads(old.read_text("utf-8")) if old.exists() else None,
            }
        world = SampleWorld(seed, scale)
        if scale is not None:
            cur.execute("SET LOCAL gis_app.audit = 'summary'")
        hint = world.counts_hint()
        for table in SampleWorld.TABLES:
            counts[table] = _copy(cur, world, table, hint[table], progress)
        for table in SampleWorld.TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        for table in SampleWorld.TABLES:
            cur.execute(f"ANALYZE {table}")
    rasters = write_rasters(world.frames, out_dir)
    manifest = world.manifest
    manifest["rasters"] = rasters
    manifest["counts"] = counts
    (out_dir / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, default=str) + "\n", "utf-8"
    )
    return {
        "skipped": False,
        "counts": counts,
        "seconds": round(time.perf_counter() - started, 2),
        "manifest": manifest,
        "rasters": rasters,
    }
