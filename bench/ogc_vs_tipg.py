"""Time our OGC API Features items and tiles against TiPG on the same tables, same run.

    .venv/bin/python bench/sample_load.py --scale 1.0 --keep --out var/bench-sample  # once
    python3 -m venv var/bench-tipg && var/bench-tipg/bin/pip install tipg uvicorn     # once
    .venv/bin/python bench/ogc_vs_tipg.py [--runs 40] [--warmup 5]

TiPG lives only in its own virtual environment (never a project dependency). The script
starts both servers, one worker each, on free ports against the bench database
`gis_app_bench_sample` (public.building, public.room, public.land_parcel), picks a dense
spot (the z16 tile with the most building centroids), then sends the same requests to both,
alternately, warm-up first: items in a 0.01° box (limit 1000) of buildings, rooms, parcels,
one CQL2 filter, and MVT tiles at z14/z16 (buildings) and z18 (rooms). Compression is off on
both sides (`Accept-Encoding: identity`). Prints a table (median, p95 ms, bytes, features,
ours/TiPG) and, with `--explain`, EXPLAIN ANALYZE of the SQL our items requests run and an
in-process split of our items time (SQL, feature building, JSON encoding). Both servers are
stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from _serve import free_port, percentile, start, wait_ready
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session
from tiles import BENCH_DB, WORLD_HALF_M, busiest

from gis_app.config import PROJECT_ROOT, get_settings
from gis_app.db.engine import make_engine, resolve_database_url

TIPG_VENV = PROJECT_ROOT / "var" / "bench-tipg"
BOX_DEG = 0.01
GOAL = 0.8
TABLES = {"buildings": "building", "rooms": "room", "parcels": "land_parcel"}


@dataclass
class Case:
    """One request sent to both servers (TiPG None: ours only)."""

    name: str
    ours: str
    tipg: str | None
    note: str = ""


def say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def tipg_dsn(url: URL) -> str:
    """The bench database as an asyncpg DSN TiPG's settings accept (a socket folder goes
    percent-encoded in the host part: pydantic refuses an empty host)."""
    host = url.query.get("host") or url.host or "127.0.0.1"
    port = url.query.get("port") or url.port or 5432
    auth = quote(url.username or "postgres", safe="")
    if url.password:
        auth += ":" + quote(str(url.password), safe="")
    return f"postgresql://{auth}@{quote(str(host), safe='')}:{port}/{url.database}"


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, int, dict]:
    """(ms, status, bytes, headers) of one GET on a kept-alive connection."""
    start_t = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = conn.getresponse()
    body = response.read()
    ms = (time.perf_counter() - start_t) * 1000
    return ms, response.status, len(body), {k.lower(): v for k, v in response.getheaders()}


def dense_spot(engine: Engine) -> tuple[float, float]:
    """Lon/lat centre of the 0.01° grid cell holding the most building centroids."""
    sql = text(
        "SELECT (floor(ST_X(p) / :d) + 0.5) * :d, (floor(ST_Y(p) / :d) + 0.5) * :d "
        "FROM (SELECT ST_PointOnSurface(geom) AS p FROM building) c "
        "GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1"
    )
    with engine.connect() as conn:
        lon, lat = conn.execute(sql, {"d": BOX_DEG}).one()
    return float(lon), float(lat)


def tile_of(lon: float, lat: float, z: int, engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        mx, my = conn.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM "
                "ST_Transform(ST_SetSRID(ST_Point(:x, :y), 4490), 3857) p"
            ),
            {"x": lon, "y": lat},
        ).one()
    n = 1 << z
    return int((mx + WORLD_HALF_M) / (2 * WORLD_HALF_M) * n), int(
        (WORLD_HALF_M - my) / (2 * WORLD_HALF_M) * n
    )


def ground_floor_ids(engine: Engine, box: tuple[float, ...]) -> list[int]:
    """Floors with ordinal 0 of buildings meeting `box`: what our rooms tile shows (1F)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f.id FROM floor f JOIN building b ON b.id = f.building_id "
                "WHERE f.ordinal = 0 AND b.geom && ST_MakeEnvelope(:w, :s, :e, :n, 4490) "
                "ORDER BY f.id"
            ),
            dict(zip("wsen", box, strict=True)),
        )
        return [r[0] for r in rows]


def tile_box(z: int, x: int, y: int, engine: Engine) -> tuple[float, ...]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM "
                "ST_Transform(ST_TileEnvelope(:z, :x, :y), 4490) b"
            ),
            {"z": z, "x": x, "y": y},
        ).one()
    return tuple(float(v) for v in row)


def cases(engine: Engine, lon: float, lat: float) -> list[Case]:
    half = BOX_DEG / 2
    box = f"{lon - half:.6f},{lat - half:.6f},{lon + half:.6f},{lat + half:.6f}"
    found: list[Case] = []
    for ours_id, table in TABLES.items():
        query = urlencode({"bbox": box, "limit": 1000})
        found.append(
            Case(
                f"items {ours_id}",
                f"/ogc/collections/{ours_id}/items?{query}",
                f"/collections/public.{table}/items?{query}",
            )
        )
    level = urlencode({"bbox": box, "limit": 1000, "level": 0})
    found.append(Case("items rooms level=0", f"/ogc/collections/rooms/items?{level}", None))
    cql = urlencode(
        {"bbox": box, "limit": 1000, "filter": "floors_above >= 5", "filter-lang": "cql2-text"}
    )
    found.append(
        Case(
            "items buildings CQL2",
            f"/ogc/collections/buildings/items?{cql}",
            f"/collections/public.building/items?{cql}",
            "floors_above >= 5",
        )
    )
    for z, ours_id, table in (
        (14, "buildings", "building"),
        (16, "buildings", "building"),
        (18, "rooms", "room"),
    ):
        x, y = tile_of(lon, lat, z, engine) if z < 18 else busiest(engine, "room", z, 1)[0]
        path = f"/collections/{{}}/tiles/WebMercatorQuad/{z}/{x}/{y}"
        found.append(
            Case(
                f"tile {ours_id} z{z}",
                "/ogc" + path.format(ours_id),
                path.format(f"public.{table}"),
            )
        )
        if table == "room":
            floors = ground_floor_ids(engine, tile_box(z, x, y, engine))
            ids = ",".join(str(i) for i in floors) or "0"
            query = urlencode({"filter": f"floor_id IN ({ids})", "filter-lang": "cql2-text"})
            found.append(
                Case(
                    f"tile rooms z{z} 1F only",
                    "/ogc" + path.format(ours_id),
                    path.format(f"public.{table}") + "?" + query,
                    f"TiPG filtered to the {len(floors)} ground floors in the tile",
                )
            )
    return found


def measure(
    ours: http.client.HTTPConnection,
    tipg: http.client.HTTPConnection,
    case: Case,
    runs: int,
    warmup: int,
) -> dict[str, Any]:
    times: dict[str, list[float]] = {"ours": [], "tipg": []}
    info: dict[str, Any] = {}
    targets = [("ours", ours, case.ours)] + ([("tipg", tipg, case.tipg)] if case.tipg else [])
    for i in range(warmup + runs):
        for name, conn, path in targets if i % 2 == 0 else targets[::-1]:
            ms, status, size, headers = fetch(conn, path)
            if status >= 400:
                raise SystemExit(f"{name} {path}: HTTP {status}")
            if i >= warmup:
                times[name].append(ms)
            info[name] = {
                "status": status,
                "bytes": size,
                "features": headers.get("x-tile-features"),
            }
    out: dict[str, Any] = {"case": case, "info": info}
    for name, values in times.items():
        if values:
            out[name] = (statistics.median(values), percentile(values, 0.95))
    return out


def count_items(conn: http.client.HTTPConnection, path: str) -> int | None:
    if "/items" not in path:
        return None
    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
    return json.loads(conn.getresponse().read()).get("numberReturned")


def print_table(results: list[dict[str, Any]], ours: Any, tipg: Any) -> None:
    head = (
        f"{'request':28} {'ours p50':>9} {'p95':>7} {'TiPG p50':>9} {'p95':>7} {'ratio':>6}  "
        f"{'ours bytes/n':>16} {'TiPG bytes/n':>16}"
    )
    say(head)
    say("-" * len(head))
    for r in results:
        case: Case = r["case"]
        o50, o95 = r["ours"]
        n_ours = count_items(ours, case.ours) or r["info"]["ours"]["features"] or "-"
        ours_size = f"{r['info']['ours']['bytes']}/{n_ours}"
        if "tipg" in r:
            t50, t95 = r["tipg"]
            n_tipg = count_items(tipg, case.tipg) or "-"
            tipg_size = f"{r['info']['tipg']['bytes']}/{n_tipg}"
            ratio = f"{o50 / t50:.2f}"
            tp = f"{t50:9.1f} {t95:7.1f}"
        else:
            tp, ratio, tipg_size = f"{'-':>9} {'-':>7}", "-", "-"
        mark = "" if ratio == "-" or float(ratio) <= GOAL else " *"
        say(
            f"{case.name:28} {o50:9.1f} {o95:7.1f} {tp} {ratio:>6}  "
            f"{ours_size:>16} {tipg_size:>16}{mark}"
        )
        if case.note:
            say(f"{'':28} ({case.note})")
    say(f"\nratio = ours p50 / TiPG p50; goal <= {GOAL}; * = goal missed. n = features")
    say("(items: numberReturned; ours tiles: X-Tile-Features; TiPG tiles: not reported)")


def explain(engine: Engine, lon: float, lat: float, runs: int) -> None:
    """EXPLAIN ANALYZE of our items SQL and an in-process split of one items request."""
    from gis_app.layers.query import run_layer_sql
    from gis_app.ogc.collections import COLLECTIONS
    from gis_app.ogc.crs import parse
    from gis_app.ogc.encode import collection_text, feature_text
    from gis_app.ogc.items import ItemQuery, items_sql, read_items

    half = BOX_DEG / 2
    box = (lon - half, lat - half, lon + half, lat + half)
    out = parse(None, "crs")
    say("\n== our items, in process (ms, median of", runs, "runs) ==")
    say(f"{'collection':12} {'SQL+fetch':>10} {'features':>9} {'encode':>8} {'rows':>6}")
    for cid in TABLES:
        found = COLLECTIONS[cid]
        query = ItemQuery(limit=1000, bbox=box)
        sql_t, feat_t, enc_t, n = [], [], [], 0
        for _ in range(runs + 2):
            with Session(engine) as session:
                t0 = time.perf_counter()
                rows = read_items(session, found, query, out)
                t1 = time.perf_counter()
                features = [feature_text(r) for r in rows]
                t2 = time.perf_counter()
                collection_text(features, {})
                t3 = time.perf_counter()
            sql_t.append((t1 - t0) * 1000)
            feat_t.append((t2 - t1) * 1000)
            enc_t.append((t3 - t2) * 1000)
            n = len(rows)
        med = [statistics.median(v[2:]) for v in (sql_t, feat_t, enc_t)]
        say(f"{cid:12} {med[0]:10.1f} {med[1]:9.1f} {med[2]:8.1f} {n:6}")
    for cid in TABLES:
        found = COLLECTIONS[cid]
        query = ItemQuery(limit=1000, bbox=box)
        sql = items_sql(found.source, list(found.source.fields), query, out)
        params = {"limit": 1000, "offset": 0, "feature_id": None}
        params |= dict(
            zip(("bbox_west", "bbox_south", "bbox_east", "bbox_north"), box, strict=True)
        )
        with Session(engine) as session:
            run_layer_sql(session, "SELECT 1", {}, boxed=True)
            plan = session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params).scalars()
            say(f"\n== EXPLAIN ANALYZE items {cid} ==")
            say("\n".join(plan))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="timed requests per server and case")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--tipg-venv", type=Path, default=TIPG_VENV)
    parser.add_argument("--explain", action="store_true", help="profile our items requests too")
    parser.add_argument(
        "--ours-cmd",
        default=".venv/bin/gis-app serve --port {port}",
        help="command serving our app on {port} (e.g. a build with a fix to try)",
    )
    args = parser.parse_args()
    url = make_url(resolve_database_url(get_settings())).set(database=BENCH_DB)
    engine = make_engine(url.render_as_string(hide_password=False))
    logs = PROJECT_ROOT / "var" / "bench-tipg-logs"
    logs.mkdir(parents=True, exist_ok=True)
    ours_port, tipg_port = free_port(), free_port()
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    ours_env = base_env | {"DATABASE_URL": url.render_as_string(hide_password=False)}
    tipg_env = base_env | {
        "DATABASE_URL": tipg_dsn(url),
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.building","public.room","public.land_parcel"]',
        "TIPG_MAX_FEATURES_PER_QUERY": "10000",
        "TIPG_DB_SPATIAL_EXTENT": "false",
        "TIPG_DB_DATETIME_EXTENT": "false",
    }
    procs = [
        start(
            args.ours_cmd.format(port=ours_port).split(),
            ours_env,
            logs / "ours.log",
        ),
        start(
            [
                str(args.tipg_venv / "bin/uvicorn"),
                "tipg.main:app",
                "--port",
                str(tipg_port),
                "--workers",
                "1",
                "--log-level",
                "warning",
            ],
            tipg_env,
            logs / "tipg.log",
        ),
    ]
    try:
        wait_ready(ours_port, "/ogc/conformance", procs[0], logs / "ours.log")
        wait_ready(tipg_port, "/collections", procs[1], logs / "tipg.log")
        lon, lat = dense_spot(engine)
        say(
            f"database {BENCH_DB}; dense spot {lon:.5f},{lat:.5f}; box {BOX_DEG} deg; "
            f"{args.runs} runs after {args.warmup} warm-up, alternating; one worker each"
        )
        with engine.connect() as conn:
            counts = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in TABLES.values()}
        say("rows:", counts, "\n")
        ours = http.client.HTTPConnection("127.0.0.1", ours_port, timeout=60)
        tipg = http.client.HTTPConnection("127.0.0.1", tipg_port, timeout=60)
        results = [measure(ours, tipg, c, args.runs, args.warmup) for c in cases(engine, lon, lat)]
        print_table(results, ours, tipg)
        if args.explain:
            explain(engine, lon, lat, min(args.runs, 20))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
