"""Time tiles and OGC items with row-level security against the same requests without it.

    .venv/bin/python bench/sample_load.py --scale 0.25 --keep --quiet   # once (1.0: province)
    .venv/bin/python bench/rls_cost.py [--runs 60] [--warmup 6] [--tiles 8] [--explain]

Two servers of this checkout, one worker each, over the bench database
`gis_app_bench_sample` (the private cluster, or the server of DATABASE_URL):

- **owner**: `GIS_APP_DATABASE_URL` set to the owner's URL, so the app connects as the
  database owner (a superuser), whom no policy applies to: what every request cost before
  issue 13's policies;
- **rls**: as shipped, the app's unprivileged login role under the policies of migration
  0005.

Both authenticate the same bearer token and run the same transactions (the identity is set
in each); only the policies differ. Two identities are timed: an `admin` (scope: all) and a
`unit_officer` of the body with the most rooms, each on its own requests (the densest spots
of what that user sees; the owner server answers the same URLs, so it returns every row
there, as before). Requests: rooms tiles at z17 and z18 (the rooms layer starts at z17; one
floor each), buildings and building-vacancy tiles at z14, OGC rooms items in a z17 tile's
box with limit=100, and OGC rooms items with a CQL2 filter (one building and floor). Each
case cycles over `--tiles` places; owner and rls alternate request by request after a
warm-up. Compression is off. Prints a table (p50, p95 ms of each server, their ratios, and
features returned by the last request of each: tiles X-Tile-Features, items
numberReturned) and, with `--explain`, EXPLAIN ANALYZE of the officer's z14 vacancy tile
SQL as each role. Users `bench-rls-admin` and `bench-rls-officer` are
made in the bench database on first use (a token each per run); nothing else is written.

Scale 0.25 (24 932 buildings, 501 201 rooms), p50 rls / owner: with migration 0005 alone
15-23x for an admin's rooms tiles and items, 65-340x for a unit_officer's (the policies kept
the planner off the GiST indexes: PostGIS's `&&` is not leakproof); with 0007 (`&&`
LEAKPROOF) 1.0-1.2x for the admin, 1.2-1.5x (+5 to +9 ms) for the officer, whose rows
passed the building policy's gis_building_used() query per building; with 0008 (the
building policy reads the maintained `building_body`) `--runs 80`: admin 1.04-1.09x,
officer 0.68-0.79x on building tiles (fewer rows than the owner's) and 1.15-1.19x
(+1.7 to +3.2 ms) on rooms tiles and items.

Scale 1.0 (99 894 buildings, 1 985 907 rooms), after migrations 0010-0013 (history) and
with today's state read from the tables (`analysis.common.dated`), `--runs 6 --warmup 1
--tiles 2` on a shared machine: admin 1.00-1.16x; the officer (杭州市人民政府, whose
subtree holds rooms in 11 059 buildings) 1.3-2.0x (+3 to +11 ms) on rooms tiles and items,
11x on the z14 vacancy tile (230 ms against 21 ms: the building policy hashes the 11 059
building_body rows twice per statement and each room's occupancy asks the room policy).
No run at scale 1.0 before this session to compare with; through room_at (0010, before
`dated`) an officer's page of OGC rooms took 76 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import _serve
from _serve import get, percentile
from ogc_vs_tipg import say, tile_box
from sqlalchemy import Engine, text
from tiles import BENCH_DB, WORLD_HALF_M

from gis_app.config import PROJECT_ROOT, get_settings
from gis_app.db.engine import make_engine

GOAL = 1.1
SERVERS = ("owner", "rls")
NOTE = "bench rls_cost"

_DENSE = """
SELECT floor((ST_X(p) + :half) / (2 * :half) * :n)::int AS x,
       floor((:half - ST_Y(p)) / (2 * :half) * :n)::int AS y, count(*) AS n
FROM (SELECT ST_Transform(ST_PointOnSurface({geom}), 3857) AS p FROM {source}
      WHERE {where}) c
GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT :k
"""
ROOMS = "room r JOIN floor f ON f.id = r.floor_id"
IN_SCOPE = "(CAST(:org AS integer) IS NULL OR {col} = ANY (gis_org_subtree(:org)))"
BUILDINGS_IN_SCOPE = (
    "(CAST(:org AS integer) IS NULL OR b.title_holder_id = ANY (gis_org_subtree(:org))"
    " OR EXISTS (SELECT 1 FROM floor f JOIN room r ON r.floor_id = f.id"
    " WHERE f.building_id = b.id AND r.organisation_id = ANY (gis_org_subtree(:org))))"
)
BUSIEST_BODY = text(
    "SELECT o.id, o.code, o.name FROM room r JOIN organisation o ON o.id = r.organisation_id"
    " GROUP BY o.id ORDER BY count(*) DESC, o.id LIMIT 1"
)
BODY_FLOOR = text(
    "SELECT f.ordinal FROM room r JOIN floor f ON f.id = r.floor_id"
    " WHERE r.organisation_id = ANY (gis_org_subtree(:org))"
    " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
)
BUILDINGS_AT = text(
    "SELECT b.code FROM building b JOIN floor f ON f.building_id = b.id"
    " JOIN room r ON r.floor_id = f.id WHERE f.ordinal = :ordinal"
    " AND (CAST(:org AS integer) IS NULL OR r.organisation_id = ANY (gis_org_subtree(:org)))"
    " GROUP BY b.code ORDER BY count(*) DESC, b.code LIMIT :k"
)


@dataclass
class Who:
    """A timed identity: its role, scope root (None: all), token and the floor shown."""

    name: str
    role: str
    org_id: int | None
    org_code: str | None
    ordinal: int
    token: str = ""


@dataclass
class Case:
    name: str
    paths: list[str]
    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SERVERS})
    features: dict[str, Any] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)


def dense(
    engine: Engine, source: str, geom: str, where: str, z: int, k: int, params: dict
) -> list[tuple[int, int]]:
    """The `k` tiles at zoom `z` holding the most centroids of `source` rows meeting `where`."""
    sql = text(_DENSE.format(source=source, geom=geom, where=where))
    with engine.connect() as conn:
        rows = conn.execute(sql, {"half": WORLD_HALF_M, "n": 1 << z, "k": k, **params})
        return [(r.x, r.y) for r in rows]


def user_token(engine: Engine, who: Who) -> str:
    """A fresh token of `bench-rls-<name>` (made on first use, with a random password)."""
    return _serve.user_token(engine, f"bench-rls-{who.name}", who.role, who.org_code, NOTE)


def cases_for(engine: Engine, who: Who, k: int) -> list[Case]:
    """The requests of one identity: the densest places of what it sees."""
    params = {"org": who.org_id, "ordinal": who.ordinal}
    room_where = "f.ordinal = :ordinal AND " + IN_SCOPE.format(col="r.organisation_id")
    found: list[Case] = []
    floor = f"?ordinal={who.ordinal}"
    for z in (17, 18):
        spots = dense(engine, ROOMS, "r.geom", room_where, z, k, params)
        found.append(
            Case(f"tile rooms z{z}", [f"/tiles/rooms/{z}/{x}/{y}.mvt{floor}" for x, y in spots])
        )
    spots = dense(engine, "building b", "b.geom", BUILDINGS_IN_SCOPE, 14, k, params)
    for layer in ("buildings", "buildings_vacancy"):
        found.append(
            Case(f"tile {layer} z14", [f"/tiles/{layer}/14/{x}/{y}.mvt" for x, y in spots])
        )
    boxes = [
        tile_box(17, x, y, engine)
        for x, y in dense(engine, ROOMS, "r.geom", room_where, 17, k, params)
    ]
    found.append(
        Case(
            "items rooms bbox limit=100",
            [
                "/ogc/collections/rooms/items?"
                + urlencode({"bbox": ",".join(f"{v:.6f}" for v in box), "limit": 100})
                for box in boxes
            ],
        )
    )
    with engine.connect() as conn:
        codes = list(conn.execute(BUILDINGS_AT, {**params, "k": k}).scalars())
    found.append(
        Case(
            "items rooms CQL2 limit=100",
            [
                "/ogc/collections/rooms/items?"
                + urlencode(
                    {
                        "filter": f"building_code = '{code}' AND ordinal = {who.ordinal}",
                        "filter-lang": "cql2-text",
                        "limit": 100,
                    }
                )
                for code in codes
            ],
        )
    )
    return found


def measure(
    conns: dict[str, http.client.HTTPConnection], who: Who, case: Case, runs: int, warmup: int
) -> None:
    for i in range(warmup + runs):
        path = case.paths[i % len(case.paths)]
        for server in SERVERS if i % 2 == 0 else SERVERS[::-1]:
            ms, status, body, response_headers = get(conns[server], path, who.token)
            if status not in (200, 204):
                raise SystemExit(f"{server} {who.name} {path}: HTTP {status}: {body[:300]!r}")
            if i >= warmup:
                case.times[server].append(ms)
            case.size[server] = len(body)
            if "/items" in path:
                case.features[server] = json.loads(body).get("numberReturned")
            else:
                case.features[server] = response_headers.get("x-tile-features", 0)


def print_table(rows: list[tuple[Who, Case]]) -> None:
    head = (
        f"{'identity':9} {'request':28} {'owner p50':>9} {'p95':>7} {'rls p50':>8} {'p95':>7} "
        f"{'p50 ×':>6} {'p95 ×':>6}  {'n owner/rls':>12}"
    )
    say(head)
    say("-" * len(head))
    for who, case in rows:
        o, r = case.times["owner"], case.times["rls"]
        o50, o95 = statistics.median(o), percentile(o, 0.95)
        r50, r95 = statistics.median(r), percentile(r, 0.95)
        ratio50, ratio95 = r50 / o50, r95 / o95
        n = f"{case.features.get('owner')}/{case.features.get('rls')}"
        mark = "" if ratio50 <= GOAL else " *"
        say(
            f"{who.name:9} {case.name:28} {o50:9.1f} {o95:7.1f} {r50:8.1f} {r95:7.1f} "
            f"{ratio50:6.2f} {ratio95:6.2f}  {n:>12}{mark}"
        )
    say(
        f"\n× = rls / owner; goal <= {GOAL} (p50); * = goal missed; "
        "n = features of the last request"
    )
    say("(the owner bypasses RLS: for the officer it returns every body's rows in that place)")


def explain(engine: Engine, who: Who, spots: dict[str, str]) -> None:
    """EXPLAIN ANALYZE of the officer's z14 vacancy tile as the owner and as the login role."""
    from gis_app.db.identity import Identity, apply_identity
    from gis_app.layers.catalog import get_layer
    from gis_app.layers.query import tile_params, vector_source
    from gis_app.layers.sources import tile_sql

    settings = get_settings()
    spec = get_layer("buildings_vacancy")
    source = vector_source(spec)
    z, x, y = (int(v) for v in spots["vacancy"].split("/"))
    params = tile_params(spec, source, z, x, y)
    sql = tile_sql(source, spec.used_fields())
    identity = Identity(user_id=0, login="bench", role=who.role, org_id=who.org_id)
    for role in ("owner", settings.app_db_role):
        with engine.connect() as conn:
            tx = conn.begin()
            if role != "owner":
                conn.exec_driver_sql(f'SET LOCAL ROLE "{role}"')
            apply_identity(conn.connection.cursor(), identity)
            plan = conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params).scalars()
            say(
                f"\n== EXPLAIN ANALYZE tile buildings_vacancy {z}/{x}/{y} as {role} ({who.name}) =="
            )
            say("\n".join(plan))
            tx.rollback()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60, help="timed requests per server and case")
    parser.add_argument("--warmup", type=int, default=6)
    parser.add_argument("--tiles", type=int, default=8, help="places each case cycles over")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    owner = _serve.owner_url(BENCH_DB)
    engine = make_engine(owner)
    with engine.connect() as conn:
        body_id, body_code, body_name = conn.execute(BUSIEST_BODY).one()
        ordinal = conn.execute(BODY_FLOOR, {"org": body_id}).scalar_one()
        counts = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in ("building", "room")}
    people = [
        Who("admin", "admin", None, None, 0),
        Who("officer", "unit_officer", body_id, body_code, ordinal),
    ]
    for who in people:
        who.token = user_token(engine, who)
    plan = [(who, case) for who in people for case in cases_for(engine, who, args.tiles)]
    logs = PROJECT_ROOT / "var" / "bench-rls-logs"
    logs.mkdir(parents=True, exist_ok=True)
    envs = {"owner": _serve.server_env(owner, as_owner=True), "rls": _serve.server_env(owner)}
    started = {s: _serve.serve(envs[s], logs / f"{s}.log") for s in SERVERS}
    procs = {s: proc for s, (proc, _port) in started.items()}
    ports = {s: port for s, (_proc, port) in started.items()}
    try:
        for s in SERVERS:
            _serve.ready(procs[s], ports[s], logs / f"{s}.log")
        conns = {s: http.client.HTTPConnection("127.0.0.1", ports[s], timeout=120) for s in SERVERS}
        say(
            f"database {BENCH_DB}: {counts['building']} buildings, {counts['room']} rooms; "
            f"officer: unit_officer of {body_code} {body_name} (floor ordinal {ordinal}); "
            f"{args.runs} runs after {args.warmup} warm-up per case, owner and rls alternating, "
            f"over {args.tiles} places; one worker each\n"
        )
        for who, case in plan:
            measure(conns, who, case, args.runs, args.warmup)
        print_table(plan)
        if args.explain:
            officer_cases = {c.name: c for w, c in plan if w.name == "officer"}
            first = officer_cases["tile buildings_vacancy z14"].paths[0]
            explain(
                engine, people[1], {"vacancy": "/".join(first.split("/")[3:6]).removesuffix(".mvt")}
            )
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(30)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
