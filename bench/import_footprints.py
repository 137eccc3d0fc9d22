"""Import building footprints from a GeoPackage: ours against `ogr2ogr -f PostgreSQL`.

    .venv/bin/python bench/import_footprints.py [--count 100000] [--runs 2]

Writes a GeoPackage of `--count` non-overlapping footprints (EPSG:4490, unique codes,
Chinese names, storeys, height, year), then in the same run, into a throwaway database next to the
application's (`gis_app_bench_import`, dropped at the end):

- `ogr2ogr -f PostgreSQL` into a new table of its own (COPY, no checks, GiST index built),
- `ogr2ogr -append` into `building` itself (its validation trigger and indexes, audit in
  summary mode): the database's share of the work, without our checks,
- `gis_app.ingest.import_features(conn, "building", …)`: every feature checked (geometry
  validity, types, ranges, duplicate codes in the file and against the table) and written
  into `building` with its validation trigger and audit log, in one transaction.

Prints JSON: seconds per run for each, the ratio ours / ogr2ogr (goal ≤ 1.5), features
written and our peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg
import shapely
from sample_load import recreate_database

from gis_app.ingest import import_features

BENCH_DB = "gis_app_bench_import"
HANGZHOU_SW = (120.05, 30.15)


def footprints(count: int, seed: int = 7) -> gpd.GeoDataFrame:
    """`count` rotated rectangles 12–60 m a side, one per 90 m cell of a square grid over
    Hangzhou (so none overlaps, as in a real footprint layer), with attributes."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(count)))
    cell = np.arange(count)
    east_m = (cell % side) * 90.0 + rng.uniform(-4, 4, count)
    north_m = (cell // side) * 90.0 + rng.uniform(-4, 4, count)
    half_w = rng.uniform(6, 30, count)
    half_h = rng.uniform(6, 30, count)
    angle = rng.uniform(0, np.pi, count)
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)], dtype=float)
    dx = corners[:, 0][None, :] * half_w[:, None]
    dy = corners[:, 1][None, :] * half_h[:, None]
    x = east_m[:, None] + dx * np.cos(angle)[:, None] - dy * np.sin(angle)[:, None]
    y = north_m[:, None] + dx * np.sin(angle)[:, None] + dy * np.cos(angle)[:, None]
    west, south = HANGZHOU_SW
    m_per_deg_lat = 111_320.0
    m_per_deg_lon = m_per_deg_lat * np.cos(np.radians(south))
    rings = np.stack([west + x / m_per_deg_lon, south + y / m_per_deg_lat], -1)
    polygons = shapely.multipolygons(shapely.polygons(rings).reshape(-1, 1))
    floors = rng.integers(1, 31, count)
    return gpd.GeoDataFrame(
        {
            "code": [f"BENCH-{i:07d}" for i in range(count)],
            "name": [f"测试办公楼{i}号" for i in range(count)],
            "floors_above": floors,
            "height_m": np.round(floors * 3.3, 2),
            "year_built": rng.integers(1950, 2025, count),
        },
        geometry=polygons,
        crs="EPSG:4490",
    )


def _pg_connection(url: str) -> str:
    """A GDAL `PG:` connection string for a libpq URL (the private cluster's socket)."""
    with psycopg.connect(url) as conn:
        info = conn.info
        return f"PG:host={info.host} port={info.port} dbname={info.dbname} user={info.user}"


def _ogr2ogr(url: str, path: Path, options: list[str], env: dict[str, str] | None = None) -> float:
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        raise SystemExit("ogr2ogr is missing (apt-get install gdal-bin)")
    started = time.perf_counter()
    subprocess.run(
        [ogr2ogr, "-f", "PostgreSQL", _pg_connection(url), str(path), *options],
        check=True,
        env={**os.environ, **(env or {})},
    )
    return time.perf_counter() - started


def run_ogr2ogr(url: str, path: Path, table: str) -> float:
    """`ogr2ogr` into a new table of its own; seconds."""
    options = ["-nln", table, "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST"]
    return _ogr2ogr(url, path, [*options, "-overwrite"])


def run_ogr2ogr_into_building(url: str, path: Path) -> float:
    """`ogr2ogr -append` into `building` itself, through its validation trigger and indexes
    (audit in summary mode, as our import writes it): the same table work as ours, without
    our checks and report; seconds. The rows are deleted afterwards."""
    seconds = _ogr2ogr(
        url,
        path,
        ["-append", "-nln", "building", "-nlt", "MULTIPOLYGON"],
        env={"PGOPTIONS": "-c gis_app.audit=summary"},
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM building WHERE code LIKE 'BENCH-%'")
    return seconds


def run_ours(url: str, path: Path, stages: dict[str, float]) -> tuple[float, int]:
    """Seconds for the whole import (committed) and rows written; `stages` gets the seconds
    from the start at which reading, checking and writing began."""
    started = time.perf_counter()

    def progress(stage: str, _done: int, _total: int) -> None:
        stages.setdefault(stage, round(time.perf_counter() - started, 2))

    with psycopg.connect(url) as conn:
        report = import_features(conn, "building", path, progress=progress)
        if not report.ok:
            raise SystemExit(f"import refused: {report.problems[:3]}")
        conn.commit()
    seconds = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM building WHERE code LIKE 'BENCH-%'")
    return seconds, report.written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    path = folder / "footprints.gpkg"
    footprints(args.count).to_file(path, layer="footprints", driver="GPKG")
    file_mb = round(path.stat().st_size / 1e6, 1)
    url = recreate_database(BENCH_DB)
    ogr_times, same_table, our_times, written, stages = [], [], [], 0, []
    try:
        for run in range(args.runs):
            ogr_times.append(run_ogr2ogr(url, path, f"ogr_footprints_{run}"))
            same_table.append(run_ogr2ogr_into_building(url, path))
            stages.append({})
            seconds, written = run_ours(url, path, stages[-1])
            our_times.append(seconds)
    finally:
        recreate_database(BENCH_DB, drop_only=True)
        shutil.rmtree(folder, ignore_errors=True)
    ours, theirs = statistics.median(our_times), statistics.median(ogr_times)
    json.dump(
        {
            "features": args.count,
            "file_mb": file_mb,
            "ogr2ogr_s": [round(t, 2) for t in ogr_times],
            "ogr2ogr_into_building_s": [round(t, 2) for t in same_table],
            "ours_s": [round(t, 2) for t in our_times],
            "written": written,
            "ours_stage_starts_s": stages,
            "ratio_ours_over_ogr2ogr": round(ours / theirs, 2),
            "ratio_ours_over_ogr2ogr_into_building": round(ours / statistics.median(same_table), 2),
            "our_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        },
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
