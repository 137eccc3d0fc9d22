"""Time land search and site selection on the province-size sample (212k parcels).

    .venv/bin/python bench/sample_load.py --scale 1.0 --keep     # once
    .venv/bin/python bench/land_search.py [--dem PATH]           # then

The first run migrates the bench database to head; when it has no transit stations (a
sample loaded before the reference layers existed) it adds synthetic ones: a metro station
at every 200th parcel, arterial road segments joining every 50th parcel of a district in
turn, and basic-farmland zones over cultivated parcels (GB/T 01). With `--dem`, that
GeoTIFF is registered (with its slope) and the time of computing every parcel's statistics
is printed. Prints JSON: seconds and rows per query.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from gis_app.config import get_settings
from gis_app.db import migrate
from gis_app.db.engine import make_engine, resolve_database_url
from gis_app.land.run import search, select_sites
from gis_app.raster.registry import RasterMeaning, register_raster
from gis_app.schemas.land import LandSearch, SiteSelection

BENCH_DB = "gis_app_bench_sample"
REFERENCE = (
    "INSERT INTO transit_station (name, mode, geom) "
    "SELECT 'S' || id, 'metro', ST_PointOnSurface(geom) FROM land_parcel WHERE id % 200 = 0",
    "INSERT INTO road (name, road_class, geom) "
    "SELECT 'R-' || district, 'arterial', ST_Multi(ST_MakeLine(a, b)) FROM ("
    "SELECT district, ST_PointOnSurface(geom) AS a, "
    "lead(ST_PointOnSurface(geom)) OVER (PARTITION BY district ORDER BY id) AS b "
    "FROM land_parcel WHERE id % 50 = 0) s WHERE b IS NOT NULL",
    "INSERT INTO constraint_zone (kind, name, geom) "
    "SELECT 'basic_farmland', 'BF-' || id, ST_Multi(ST_Buffer(geom, 0.0005)) FROM land_parcel "
    "WHERE landuse_code LIKE '01%' AND id % 3 = 0",
)
SEARCHES: dict[str, dict[str, Any]] = {
    "own columns: 08/12, idle/reserved, >= 20000 m²": {
        "landuse": {"scheme": "GB/T 21010-2017", "codes": ["08", "12"]},
        "status": ["idle", "reserved"],
        "area_m2": {"min": 20000},
    },
    "+ metro within 1000 m": {
        "landuse": {"scheme": "GB/T 21010-2017", "codes": ["08", "12"]},
        "status": ["idle", "reserved"],
        "area_m2": {"min": 20000},
        "distances": [{"to": "station", "station_modes": ["metro"], "within_m": 1000}],
    },
    "+ avoid farmland, road within 500 m": {
        "landuse": {"scheme": "GB/T 21010-2017", "codes": ["08", "12"]},
        "status": ["idle", "reserved"],
        "distances": [
            {"to": "station", "station_modes": ["metro"], "within_m": 1000},
            {"to": "road", "within_m": 500},
        ],
        "constraints": [{"kinds": ["basic_farmland"], "mode": "avoid"}],
    },
}


def _selection(district: str | None) -> SiteSelection:
    exclude: dict[str, Any] = {
        "status": ["idle", "reserved"],
        "constraints": [{"kinds": ["basic_farmland"], "mode": "avoid"}],
    }
    if district:
        exclude["district"] = district
    return SiteSelection(
        exclude=exclude,
        scores=[
            {
                "name": "metro",
                "measure": "distance",
                "distance": {"to": "station", "station_modes": ["metro"]},
                "normalise": {"shape": "linear_down", "low": 0, "high": 2000},
            },
            {
                "name": "area",
                "measure": "area",
                "normalise": {"shape": "ideal", "ideal": 20000, "tolerance": 15000},
            },
            {
                "name": "class",
                "measure": "landuse",
                "scheme": "GB/T 21010-2017",
                "normalise": {"shape": "classes", "classes": {"08": 1, "12": 0.8}},
            },
        ],
        weights={"ahp": [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]},
        limit=50,
    )


def _timed(action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return round(time.perf_counter() - started, 3), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: the bench database)")
    parser.add_argument("--dem", type=Path, help="a DEM GeoTIFF to register (optional)")
    args = parser.parse_args()
    url = args.url or make_url(resolve_database_url(get_settings())).set(
        database=BENCH_DB
    ).render_as_string(hide_password=False)
    migrate.upgrade(url)
    raster_dir = get_settings().raster_dir.parent / "bench-rasters"
    engine = make_engine(url)
    out: dict[str, Any] = {}
    with Session(engine) as session:
        out["parcels"] = session.scalar(text("SELECT count(*) FROM land_parcel"))
        if not session.scalar(text("SELECT count(*) FROM transit_station")):
            seconds, _ = _timed(lambda: [session.execute(text(s)) for s in REFERENCE])
            session.execute(text("ANALYZE transit_station; ANALYZE road; ANALYZE constraint_zone"))
            session.commit()
            out["reference_build_s"] = seconds
        for table in ("transit_station", "road", "constraint_zone"):
            out[table] = session.scalar(text(f"SELECT count(*) FROM {table}"))
        if args.dem and not session.scalar(text("SELECT count(*) FROM raster_layer")):
            meaning = RasterMeaning("dem", "高程", "Elevation", "dem", "m")
            seconds, codes = _timed(lambda: register_raster(session, args.dem, meaning, raster_dir))
            session.commit()
            out["raster_register_with_stats_s"] = {"seconds": seconds, "codes": codes}
        searches = {}
        for name, criteria in SEARCHES.items():
            seconds, result = _timed(
                lambda c=criteria: search(session, LandSearch(**c, limit=100), raster_dir)
            )
            searches[name] = {"seconds": seconds, "matched": result.total}
            session.rollback()
        out["search"] = searches
        district = session.scalar(
            text("SELECT district FROM land_parcel GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        )
        for label, scope in (("selection, one district", district), ("selection, all", None)):
            seconds, result = _timed(
                lambda s=scope: select_sites(session, _selection(s), raster_dir)
            )
            out[label] = {
                "seconds": seconds,
                "ranked": result.total,
                "excluded": result.excluded_total,
            }
            session.rollback()
        out["district"] = district
    engine.dispose()
    sys.stdout.write(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
