"""Load the sample into PostGIS in one transaction — COPY for the generated tables, the
project's own import (`import_reference`) for the reference-layer GeoJSON files — then
write the rasters, the GeoJSON files and the manifest.

Usage::

    with psycopg.connect(url) as conn:
        result = load_sample(conn, Path("var/sample"))

A second call finds the organisation table filled and loads nothing
(`result["skipped"]` is True). Any database error rolls the whole load back.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from tqdm import tqdm

from gis_app.ingest.reference import import_reference
from sample_geodata import DEFAULT_SEED
from sample_geodata.generate import COLUMNS, SampleWorld
from sample_geodata.rasters import write_rasters
from sample_geodata.reference import LAYER_FILES, write_all

MANIFEST = "manifest.json"
REFERENCE_TABLES = ("road", "transit_station", "constraint_zone")


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


def _import_reference(conn: psycopg.Connection, files: dict[str, dict[str, str]]) -> dict[str, int]:
    """Import every city's reference files; a problem in generated data is a bug."""
    counts = dict.fromkeys(REFERENCE_TABLES, 0)
    for city in files.values():
        for stem, layer, defaults in LAYER_FILES:
            report = import_reference(conn, layer, city[stem], defaults=defaults)
            if not report.ok or report.crs != "EPSG:4490":
                problems = "; ".join(p.describe("en") for p in report.problems[:5])
                raise RuntimeError(f"{city[stem]} ({report.crs}): {problems}")
            counts[layer] += report.written
    return counts


def _missing_demo_files(out_dir: Path) -> bool:
    names = ["dem.tif", "flood_depth.tif"] + [f"{stem}.geojson" for stem, _, _ in LAYER_FILES]
    return not all((out_dir / name).exists() for name in names)


def load_sample(
    conn: psycopg.Connection,
    out_dir: Path,
    *,
    scale: float | None = None,
    seed: int = DEFAULT_SEED,
    progress: bool = True,
) -> dict[str, Any]:
    """Generate and load the sample; write the rasters, the reference-layer GeoJSON files
    and the manifest to `out_dir`.

    Returns ``{"skipped", "counts", "seconds", "manifest", "rasters", "reference"}``; when
    the database already holds bodies, nothing is loaded and ``skipped`` is True with a
    ``reason``. `scale` None is the demo district; with a scale the audit log gets one
    summary row per table instead of one row per record. The reference files are staged in
    a temporary folder and moved to `out_dir` only after the commit. A skipped demo load
    writes missing rasters and GeoJSON files again (they are deterministic), so deleting
    `out_dir` loses nothing.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="sample-reference-") as staging:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("LOCK TABLE organisation IN SHARE ROW EXCLUSIVE MODE")
            cur.execute("SELECT count(*) FROM organisation")
            present = cur.fetchone()[0]  # type: ignore[index]
            if present:
                old = out_dir / MANIFEST
                if scale is None and _missing_demo_files(out_dir):
                    demo = SampleWorld(seed, None)
                    write_rasters(demo.frames, out_dir)
                    write_all(demo.references, out_dir)
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
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))"
                    ).format(sql.Literal(table), sql.Identifier(table))
                )
            staged = write_all(world.references, Path(staging))
            counts.update(_import_reference(conn, staged))
            for table in SampleWorld.TABLES + REFERENCE_TABLES:
                cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
        out_dir.mkdir(parents=True, exist_ok=True)
        reference = {
            city: {
                stem: str(shutil.move(path, out_dir / Path(path).name)) for stem, path in f.items()
            }
            for city, f in staged.items()
        }
    rasters = write_rasters(world.frames, out_dir)
    manifest = world.manifest
    manifest["rasters"] = rasters
    manifest["reference"] = reference
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
        "reference": reference,
    }
