"""Time the full over-standard + vacancy report against one sequential scan of `room`.

    .venv/bin/python bench/sample_load.py --scale 1.0 --keep     # once: 2M rooms
    .venv/bin/python bench/analysis_report.py                    # then, as often as needed

The goal (issue 3): the whole report in at most twice the time of
`SELECT count(*) FROM room WHERE <non-indexed predicate>`. Also prints the p95 of one
building's report over a sample of buildings, and the output floor: the time to fetch the
report's rows once they are computed (each level stored in a temporary table first), which
no query plan can beat. `--url` picks another database.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from gis_app.analysis import over_standard as over_module
from gis_app.analysis import vacancy as vacancy_module
from gis_app.analysis.common import Scope, Standard, base_params
from gis_app.analysis.over_standard import LEVELS as OVER_LEVELS
from gis_app.analysis.over_standard import over_standard
from gis_app.analysis.vacancy import vacancy
from gis_app.config import get_settings
from gis_app.db.engine import make_engine, resolve_database_url

BENCH_DB = "gis_app_bench_sample"
SCAN = "SELECT count(*) FROM room WHERE coalesce(name, '') LIKE '%no such room%'"
VACANCY_LEVELS = ("floor", "building", "campus", "body", "idle_space")
EVERYTHING = 10_000_000


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def full_report(session: Session, standard: Standard) -> dict[str, int]:
    """Every level of both analyses over the whole database: what an agency files."""
    sizes = {}
    for level in OVER_LEVELS:
        sizes[f"over-standard/{level}"] = over_standard(
            session, level, Scope(), standard, limit=EVERYTHING
        ).total
    for level in VACANCY_LEVELS:
        sizes[f"vacancy/{level}"] = vacancy(
            session, level, Scope(), standard, limit=EVERYTHING
        ).total
    return sizes


def building_report(session: Session, standard: Standard, building_id: int) -> None:
    """What the building summary runs."""
    scope = Scope(building_id=building_id)
    over_standard(session, "room", scope, standard, only_over=False, limit=EVERYTHING)
    over_standard(session, "building", scope, standard, only_over=False)
    vacancy(session, "building", scope, standard)
    vacancy(session, "floor", scope, standard, limit=EVERYTHING)


def output_floor(session: Session, standard: Standard, names: list[str]) -> float:
    """Seconds to fetch every level's rows from temporary tables holding the results."""
    seconds = 0.0
    for number, name in enumerate(names):
        analysis, level = name.split("/")
        module, flag = (
            (over_module, "only_over")
            if analysis == "over-standard"
            else (vacancy_module, "only_idle")
        )
        params = base_params(Scope(), standard) | {
            flag: analysis == "over-standard",
            "limit": EVERYTHING,
            "offset": 0,
        }
        table = f"bench_result_{number}"
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text(f"CREATE TEMP TABLE {table} AS {module.sql(level)}"), params)
        started = time.perf_counter()
        [dict(row) for row in session.execute(text(f"SELECT * FROM {table}")).mappings()]
        seconds += time.perf_counter() - started
    session.rollback()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: the bench database)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--buildings", type=int, default=50)
    args = parser.parse_args()
    url = args.url or make_url(resolve_database_url(get_settings())).set(
        database=BENCH_DB
    ).render_as_string(hide_password=False)
    engine = make_engine(url)
    standard = Standard(as_of=date(2026, 11, 28))
    with Session(engine) as session:
        rooms = session.scalar(text("SELECT count(*) FROM room"))
        session.execute(text(SCAN))
        full_report(session, standard)
        scan = _timed(lambda: session.execute(text(SCAN)), args.repeat)
        report = _timed(lambda: full_report(session, standard), args.repeat)
        sizes = full_report(session, standard)
        per_part = {
            name: round(min(_timed(lambda n=name: _part(session, standard, n), 1)), 3)
            for name in sizes
        }
        floor = output_floor(session, standard, list(sizes))
        ids = list(session.scalars(text("SELECT id FROM building ORDER BY id")))
        picked = random.Random(7).sample(ids, min(args.buildings, len(ids)))
        one = [_timed(lambda b=b: building_report(session, standard, b), 1)[0] for b in picked]
    engine.dispose()
    scan_s, report_s = statistics.median(scan), statistics.median(report)
    result = {
        "rooms": rooms,
        "scan_s": round(scan_s, 3),
        "full_report_s": round(report_s, 3),
        "report_over_scan": round(report_s / scan_s, 2),
        "parts_s": per_part,
        "output_floor_s": round(floor, 3),
        "output_floor_over_scan": round(floor / scan_s, 2),
        "rows": sizes,
        "building_report_p50_s": round(statistics.median(one), 3),
        "building_report_p95_s": round(statistics.quantiles(one, n=20)[-1], 3),
    }
    sys.stdout.write(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return 0


def _part(session: Session, standard: Standard, name: str) -> None:
    analysis, level = name.split("/")
    run = over_standard if analysis == "over-standard" else vacancy
    run(session, level, Scope(), standard, limit=EVERYTHING)  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(main())
