"""Time vector tiles of the catalog's tiled layers on the province-size sample.

    .venv/bin/python bench/sample_load.py --scale 1.0 --keep     # once
    .venv/bin/python bench/tiles.py [--tiles 20] [--zooms 12-18] [--layers a,b]

For each tiled layer and zoom, the `--tiles` busiest tiles (most feature centroids; rooms of
every floor counted) are rendered the way GET /tiles/{layer}/{z}/{x}/{y}.mvt renders them,
each in its own session. Prints JSON: per layer and zoom the time per tile (p50, p95, max,
ms), the size (p50, max, bytes), how many tiles hit the per-tile cap, and the largest tile
(z/x/y, bytes, features). Zooms outside a layer's range are listed as skipped. Nothing is
written to the database.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

from _serve import percentile
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from gis_app.config import get_settings
from gis_app.db.engine import make_engine, resolve_database_url
from gis_app.layers.catalog import LayerSpec, load_catalog
from gis_app.layers.query import render_tile, vector_source

BENCH_DB = "gis_app_bench_sample"
WORLD_HALF_M = 20037508.342789244

_BUSIEST = """
SELECT floor((ST_X(p) + :half) / (2 * :half) * :n) AS x,
       floor((:half - ST_Y(p)) / (2 * :half) * :n) AS y, count(*) AS n
FROM (SELECT ST_Transform(ST_PointOnSurface(t.geom), 3857) AS p FROM {table} t) c
GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT :tiles
"""


def _table(spec: LayerSpec) -> str:
    """The table whose rows the layer draws (an analysis layer draws buildings)."""
    from_sql = vector_source(spec).from_sql
    return from_sql.split(" ", 1)[0]


def busiest(engine: Engine, table: str, z: int, tiles: int) -> list[tuple[int, int]]:
    """The `tiles` tiles at zoom `z` holding the most feature centroids of `table`."""
    sql = text(_BUSIEST.format(table=table))
    with engine.connect() as conn:
        rows = conn.execute(sql, {"half": WORLD_HALF_M, "n": 1 << z, "tiles": tiles})
        return [(int(r.x), int(r.y)) for r in rows]


def time_zoom(engine: Engine, spec: LayerSpec, z: int, tiles: int) -> dict[str, Any]:
    """Render the busiest tiles of `spec` at zoom `z` once each; figures for the zoom."""
    times, sizes, capped, largest = [], [], 0, None
    for x, y in busiest(engine, _table(spec), z, tiles):
        with Session(engine) as session:
            start = time.perf_counter()
            tile = render_tile(session, spec, z, x, y)
            times.append((time.perf_counter() - start) * 1000)
        sizes.append(len(tile.data))
        capped += tile.capped
        if largest is None or len(tile.data) > largest["bytes"]:
            largest = {"tile": f"{z}/{x}/{y}", "bytes": len(tile.data), "features": tile.features}
    return {
        "tiles": len(times),
        "ms_p50": round(statistics.median(times), 1),
        "ms_p95": round(percentile(times, 0.95), 1),
        "ms_max": round(max(times), 1),
        "bytes_p50": int(statistics.median(sizes)),
        "bytes_max": max(sizes),
        "capped": capped,
        "largest": largest,
    }


def _zooms(text_range: str) -> list[int]:
    low, _, high = text_range.partition("-")
    return list(range(int(low), int(high or low) + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=20, help="tiles per layer and zoom")
    parser.add_argument("--zooms", default="12-18", help="zoom range, e.g. 12-18")
    parser.add_argument("--layers", default="", help="comma-separated ids (default: tiled)")
    args = parser.parse_args()
    url = make_url(resolve_database_url(get_settings())).set(database=BENCH_DB)
    engine = make_engine(url.render_as_string(hide_password=False))
    catalog = load_catalog()
    wanted = [i for i in args.layers.split(",") if i] or [
        i for i, s in catalog.layers.items() if s.delivery == "tiles"
    ]
    with engine.connect() as conn:
        counts = {
            t: conn.scalar(text(f"SELECT count(*) FROM {t}"))
            for t in ("land_parcel", "building", "room")
        }
    report: dict[str, Any] = {"database": BENCH_DB, "rows": counts, "layers": {}}
    warmup = catalog.layers[wanted[0]]
    with Session(engine) as session:  # first connection, SQL files read, plans cached
        render_tile(session, warmup, warmup.min_zoom, 0, 0)
    for layer_id in wanted:
        spec = catalog.layers[layer_id]
        figures: dict[str, Any] = {}
        for z in _zooms(args.zooms):
            if not spec.min_zoom <= z <= spec.max_zoom:
                figures[f"z{z}"] = "skipped: outside the layer's zoom range"
                continue
            figures[f"z{z}"] = time_zoom(engine, spec, z, args.tiles)
            sys.stderr.write(f"{layer_id} z{z}: {figures[f'z{z}']}\n")
        report["layers"][layer_id] = {"max_features": spec.max_features, "zooms": figures}
    engine.dispose()
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
