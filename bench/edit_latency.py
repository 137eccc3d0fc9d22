"""Time an edit and the next tile and analysis requests that show it, at province size.

    PYTHONPATH=. .venv/bin/python bench/sample_load.py --scale 1.0 --keep --quiet   # once
    PYTHONPATH=. .venv/bin/python bench/edit_latency.py [--rooms 20] [--rounds 2] [--repeat 5]

One server of this checkout, one worker, over the bench database `gis_app_bench_sample`, as
shipped (the app's login role, row-level security), signed in as an admin
(`bench-edit-admin`, made on first use). `--rooms` offices in different buildings, chosen
across the province (half in use by a body, half vacant and unassigned, so that half the
edits change the building's vacancy; each on a floor where someone sits in another office).
Each round, for each room:

1. GET /api/v1/rooms/{id} (its ETag), then the requests below once (their ETags and the
   building's vacancy before), then PATCH /api/v1/rooms/{id} with If-Match: status
   renovation, or in_use when it is under renovation — timed;
2. at once, timed and checked: the z18 rooms tile holding the room, `floor_id` of its floor
   (ETag differs), the z14 buildings_vacancy tile holding the building (ETag differs exactly
   when the room's vacancy changed), GET /api/v1/floors/{floor_id}/rooms (the room's
   `ledger_status` is the new one) and GET /api/v1/analysis/vacancy?level=building&
   building_id=… (vacant rooms changed by what the room's change makes);
3. POST /api/v1/staff/{id}/move of someone sitting in another office of that floor into a
   third office of it (answers the over-standard findings of the floor) — timed, checked
   (the person's room is the new one).

Then the cost of history: the floor plan and the z18 rooms tile of each room with
`as_of` = yesterday and without (today), `--repeat` times each, alternating (the as_of
floor plan is checked against room_at(yesterday)). Prints the database size and the rows
of room and room_history before and after, and one table: request, p50, p95 ms, n, checks
passed. Rooms keep their last status and people their new office (a bench database);
re-running goes on from there (the same seed then picks mostly the same rooms: a room whose
building or floor no longer qualifies is replaced). Compression is off. `--explain K` then
times, in this process as the login role, each statement of the first room's GETs and
prints EXPLAIN (ANALYZE, BUFFERS) of the K slowest (`--explain-only`: that alone).

Scale 1.0 (99 894 buildings, 1 985 907 rooms, 1.85 GB), 2026-12-03, 2 cores shared with
other test runs (load average 3-9), ms:

    request                                    run 1 (rounds 2, repeat 5)  run 2 (2, 3)
                                                p50     p95    n             p50    p95   n
    PATCH /api/v1/rooms/{id} (status)           603    1359   40             362    848  40
    next z18 rooms tile (ETag new)               59     234   40              33     61  40
    next z14 buildings_vacancy tile            1417    3887   40             994   1681  40
    next floor plan /floors/{id}/rooms         3637    6455   40            2441   4301  40
    next vacancy level=building&building_id     595    1122   40             428    664  40
    POST /api/v1/staff/{id}/move                635    1555   40             458    686  40
    floor plan, today                          2495    7025  100            2807   3580  60
    floor plan, as_of yesterday                2368    6715  100            2728   4191  60
    z18 rooms tile, today                        34     101  100              45     75  60
    z18 rooms tile, as_of yesterday              34      90  100              37     72  60

Every check passed in both runs (the next request showed every change; 20 of 40 edits
changed the building's vacancy, and its tile's ETag changed exactly for those). room_history:
one row per room edited per day (a second edit the same day updates the current row), 0 -> 20
-> 27 rows; database size +0.5 MB. as_of yesterday costs the same as today: the time goes
elsewhere. `<table>_at(d)` is a UNION ALL whose branches have a WHERE, so PostgreSQL 15 cannot
flatten them into an append relation; a filter reaching room only through a join (floors of
a building, buildings in a tile's box) then cannot use ix_room_floor_id and every analysis
scoped by building or tile reads all 2 M rooms (Seq Scan on room, 0.4-0.8 s; the same count
of a building's rooms through room_at/floor_at: 0.9-1.0 s, through room/floor: 0.06 ms, as
owner or login role alike). Staff reached through room_occupancy the same way: Seq Scan on
staff (1.3 M rows, 0.1-0.24 s) even for one floor. The floor plan (2.5 s in-process) spends
1.5 s in data quality over its building, 0.6 s in over-standard of the floor and 0.3 s in a
third analysis statement; PATCH and move run over-standard of the floor (0.27 s).

The same database after migration 0013 (`_at` with the validity test outside the UNION
ALL), 2026-12-03 18:00, load average 0.4-1.2, rounds 2, repeat 5, ms (p50 / p95, n):
PATCH 24 / 26 (40); next z18 rooms tile 6.9 / 8.0; next z14 vacancy tile 13.6 / 17.8; next
floor plan 230 / 240; next vacancy level=building 11.4 / 13.2; move 25.7 / 32.9 (40); floor
plan today 230 / 244, as_of yesterday 231 / 246 (100); z18 tile today 9.0 / 10.3, as_of
yesterday 9.2 / 9.6 (100). Every check passed. What is left of the floor plan is data
quality's `occupied` CTE (current_occupant IN scoped_room): staff_at read whole and hashed,
Seq Scan on staff 1.3 M rows, 0.17 of its 0.25 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import _serve
from _serve import get, percentile, request
from ogc_vs_tipg import say
from sqlalchemy import Engine, text
from tiles import BENCH_DB, WORLD_HALF_M

from gis_app.config import PROJECT_ROOT
from gis_app.db.engine import make_engine

LOGIN = "bench-edit-admin"

# A person sitting in an office of the room's floor other than the room, who is still
# there: the one moved (someone moved in today too: the API then replaces that stay).
_SITTER = """
SELECT o.staff_id, o.room_id FROM room_occupancy o
JOIN room m ON m.id = o.room_id JOIN staff s ON s.id = o.staff_id
WHERE m.floor_id = {floor} AND m.category = 'office' AND m.id <> {room}
  AND o.valid_from <= CURRENT_DATE AND o.valid_to IS NULL
  AND (s.left_on IS NULL OR s.left_on > CURRENT_DATE)
"""
ROOMS = text(
    """
WITH pool AS (
  SELECT r.id, r.floor_id, f.building_id, r.status, r.organisation_id,
         row_number() OVER (PARTITION BY f.building_id ORDER BY md5(r.id::text || :seed)) AS k
  FROM (SELECT id FROM building ORDER BY md5(id::text || :seed) LIMIT :buildings) b
  JOIN floor f ON f.building_id = b.id JOIN room r ON r.floor_id = f.id
  WHERE r.category = 'office'
    AND CASE WHEN :assigned THEN r.organisation_id IS NOT NULL AND r.status <> 'vacant'
             ELSE r.organisation_id IS NULL
                  AND NOT EXISTS (SELECT 1 FROM room_occupancy o WHERE o.room_id = r.id
                                  AND (o.valid_to IS NULL OR o.valid_to > CURRENT_DATE)) END
    AND EXISTS ("""
    + _SITTER.format(floor="r.floor_id", room="r.id")
    + """)
    AND EXISTS (SELECT 1 FROM room t WHERE t.floor_id = r.floor_id AND t.category = 'office'
                AND t.id <> r.id LIMIT 1 OFFSET 1)
)
SELECT p.id, p.floor_id, p.building_id,
       floor((ST_X(rp) + :half) / (2 * :half) * 262144)::int AS x18,
       floor((:half - ST_Y(rp)) / (2 * :half) * 262144)::int AS y18,
       floor((ST_X(bp) + :half) / (2 * :half) * 16384)::int AS x14,
       floor((:half - ST_Y(bp)) / (2 * :half) * 16384)::int AS y14
FROM pool p JOIN room r ON r.id = p.id JOIN building b ON b.id = p.building_id,
     ST_Transform(ST_PointOnSurface(r.geom), 3857) rp,
     ST_Transform(ST_PointOnSurface(b.geom), 3857) bp
WHERE p.k = 1 AND NOT (p.building_id = ANY (CAST(:taken AS integer[])))
ORDER BY md5(p.building_id::text || :seed) LIMIT :n
"""
)
MOVE = text(
    "SELECT p.staff_id, t.id AS room_id FROM ("
    + _SITTER.format(floor=":floor", room=":room")
    + " ORDER BY md5(o.staff_id::text || now()::text) LIMIT 1) p,"
    " LATERAL (SELECT t.id FROM room t WHERE t.floor_id = :floor AND t.category = 'office'"
    " AND t.id NOT IN (:room, p.room_id) ORDER BY md5(t.id::text || now()::text) LIMIT 1) t"
)
STATUS_AT = text("SELECT status FROM room_at(CAST(:day AS date)) WHERE id = :id")
SIZES = text(
    "SELECT pg_database_size(current_database()), (SELECT count(*) FROM room),"
    " (SELECT count(*) FROM room_history)"
)


@dataclass
class Room:
    id: int
    floor_id: int
    building_id: int
    x18: int
    y18: int
    x14: int
    y14: int

    @property
    def rooms_tile(self) -> str:
        return f"/tiles/rooms/18/{self.x18}/{self.y18}.mvt?floor_id={self.floor_id}"

    @property
    def vacancy_tile(self) -> str:
        return f"/tiles/buildings_vacancy/14/{self.x14}/{self.y14}.mvt"

    @property
    def plan(self) -> str:
        return f"/api/v1/floors/{self.floor_id}/rooms"

    @property
    def vacancy(self) -> str:
        query = urlencode({"level": "building", "building_id": self.building_id})
        return f"/api/v1/analysis/vacancy?{query}"


@dataclass
class Row:
    """One line of the table: times and, for requests that are checked, the checks."""

    name: str
    times: list[float] = field(default_factory=list)
    passed: int = 0
    checked: int = 0

    def add(self, ms: float, ok: bool | None = None) -> None:
        self.times.append(ms)
        if ok is not None:
            self.checked += 1
            self.passed += ok


class Client:
    """The admin's keep-alive connection; every answer must be 2xx."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.token = token

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[float, bytes, dict[str, str]]:
        ms, status, data, answer = request(self.conn, method, path, self.token, body, headers)
        if not 200 <= status < 300:
            raise SystemExit(f"{method} {path}: HTTP {status}: {data[:400]!r}")
        return ms, data, answer

    def get(self, path: str) -> tuple[float, bytes, dict[str, str]]:
        ms, status, data, answer = get(self.conn, path, self.token)
        if not 200 <= status < 300:
            raise SystemExit(f"GET {path}: HTTP {status}: {data[:400]!r}")
        return ms, data, answer


def pick_rooms(engine: Engine, n: int, seed: str) -> list[Room]:
    """`n` offices in `n` buildings: every other one in use by a body, the rest vacant and
    unassigned; each on a floor with someone to move."""
    picked: dict[bool, list[Room]] = {}
    with engine.connect() as conn:
        for assigned, count in ((True, (n + 1) // 2), (False, n // 2)):
            rows = conn.execute(
                ROOMS,
                {
                    "seed": seed,
                    "buildings": max(200, count * 40),
                    "assigned": assigned,
                    "half": WORLD_HALF_M,
                    "taken": [r.building_id for r in picked.get(True, [])],
                    "n": count,
                },
            )
            picked[assigned] = [Room(**r) for r in rows.mappings()]
    if len(picked[True]) + len(picked[False]) < n:
        raise SystemExit(f"only {len(picked[True]) + len(picked[False])} rooms found of {n}")
    mixed = [r for pair in zip(picked[True], picked[False], strict=False) for r in pair]
    return mixed + picked[True][len(picked[False]) :]


def vacant_rooms(client: Client, room: Room) -> tuple[float, int]:
    ms, data, _ = client.get(room.vacancy)
    items = json.loads(data)["items"]
    return ms, int(items[0]["vacant_rooms"]) if items else 0


def counts_vacant(detail: dict[str, Any], status: str) -> bool:
    """Whether an office with this body and occupants counts as vacant with `status`
    (gis_app/analysis/sql/vacancy.sql)."""
    return (
        not detail["occupants"]
        and status not in ("renovation", "leased_out")
        and (detail["organisation_id"] is None or status == "vacant")
    )


def edit_one(client: Client, engine: Engine, room: Room, rows: dict[str, Row]) -> bool:
    """Steps 1-3 for one room; whether the room's vacancy changed."""
    _, data, answer = client.get(f"/api/v1/rooms/{room.id}")
    detail = json.loads(data)
    new = "in_use" if detail["status"] == "renovation" else "renovation"
    delta = counts_vacant(detail, new) - counts_vacant(detail, detail["status"])
    _, _, before_tile = client.get(room.rooms_tile)
    _, _, before_vacancy_tile = client.get(room.vacancy_tile)
    _, vacant_before = vacant_rooms(client, room)

    ms, data, _ = client.call(
        "PATCH",
        f"/api/v1/rooms/{room.id}",
        {"status": new, "note": "bench edit_latency"},
        {"If-Match": answer["etag"]},
    )
    rows["patch"].add(ms, json.loads(data)["status"] == new)
    ms, _, after = client.get(room.rooms_tile)
    rows["tile"].add(ms, after.get("etag") != before_tile.get("etag"))
    ms, _, after = client.get(room.vacancy_tile)
    changed = after.get("etag") != before_vacancy_tile.get("etag")
    rows["vacancy_tile"].add(ms, changed == (delta != 0))
    ms, data, _ = client.get(room.plan)
    status = next(
        (
            f["properties"]["ledger_status"]
            for f in json.loads(data)["features"]
            if f["id"] == room.id
        ),
        None,
    )
    rows["plan"].add(ms, status == new)
    ms, vacant_after = vacant_rooms(client, room)
    rows["vacancy"].add(ms, vacant_after - vacant_before == delta)

    with engine.connect() as conn:
        who = conn.execute(MOVE, {"floor": room.floor_id, "room": room.id}).one()
    ms, data, _ = client.call(
        "POST",
        f"/api/v1/staff/{who.staff_id}/move",
        {"room_id": who.room_id, "note": "bench edit_latency"},
    )
    moved = json.loads(data)
    rows["move"].add(ms, (moved.get("room") or {}).get("id") == who.room_id and "findings" in moved)
    return delta != 0


def history_cost(
    client: Client, engine: Engine, rooms: list[Room], repeat: int, rows: dict[str, Row]
) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    for i in range(repeat):
        for room in rooms:
            with engine.connect() as conn:
                then = conn.execute(STATUS_AT, {"day": yesterday, "id": room.id}).scalar()
            order = ("today", "yesterday") if i % 2 == 0 else ("yesterday", "today")
            for when in order:
                as_of = f"as_of={yesterday}" if when == "yesterday" else ""
                ms, data, _ = client.get(room.plan + (f"?{as_of}" if as_of else ""))
                status = next(
                    f["properties"]["ledger_status"]
                    for f in json.loads(data)["features"]
                    if f["id"] == room.id
                )
                ok = status == then if when == "yesterday" else None
                rows[f"plan_{when}"].add(ms, ok)
                ms, _, _ = client.get(room.rooms_tile + (f"&{as_of}" if as_of else ""))
                rows[f"tile_{when}"].add(ms)


def profile(owner: str, admin_id: int, room: Room, top: int) -> None:
    """In this process, as the app's login role with the admin's identity: what the timed
    GETs of `room` run (the functions their routes call), each statement timed; then
    EXPLAIN (ANALYZE, BUFFERS) of the `top` slowest SELECTs, in a rolled-back transaction."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from gis_app.analysis.common import Scope, Standard, check_scope
    from gis_app.analysis.vacancy import vacancy
    from gis_app.config import get_settings
    from gis_app.db.identity import Identity, apply_identity, set_identity
    from gis_app.db.roles import ensure_login_role
    from gis_app.editing.rooms import findings
    from gis_app.layers.catalog import get_layer
    from gis_app.layers.query import Filters, render_tile
    from gis_app.queries.floors import find_floor, floor_rooms

    engine = make_engine(ensure_login_role(owner, get_settings()))
    identity = Identity(user_id=admin_id, login=LOGIN, role="admin", org_id=None)
    set_identity(identity)
    ran: list[tuple[float, str, str, Any]] = []
    began: list[float] = []
    case = [""]

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_: Any) -> None:
        began.append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        ran.append(((time.perf_counter() - began.pop()) * 1000, case[0], statement, params))

    def plan(session: Session) -> None:
        check_scope(session, Scope(floor_id=room.floor_id), Standard())
        floor_rooms(session, find_floor(session, room.floor_id), Standard(), "zh-CN")

    def building_vacancy(session: Session) -> None:
        check_scope(session, Scope(building_id=room.building_id), Standard())
        vacancy(session, "building", Scope(building_id=room.building_id), Standard())

    cases = {
        "floor plan": plan,
        "vacancy level=building": building_vacancy,
        "tile buildings_vacancy z14": lambda session: render_tile(
            session, get_layer("buildings_vacancy"), 14, room.x14, room.y14
        ),
        "tile rooms z18": lambda session: render_tile(
            session, get_layer("rooms"), 18, room.x18, room.y18, Filters(floor_id=room.floor_id)
        ),
        "findings of an edit (PATCH, move)": lambda session: findings(
            session, [room.id], [room.floor_id]
        ),
    }
    say(f"\n== statements of room {room.id} (floor {room.floor_id}, building {room.building_id})")
    for name, run in cases.items():
        case[0] = name
        with Session(engine) as session:
            started = time.perf_counter()
            run(session)
            total = (time.perf_counter() - started) * 1000
            session.rollback()
        mine = [r for r in ran if r[1] == name]
        say(f"{name}: {total:.0f} ms, {len(mine)} statements, slowest:")
        for ms, _, statement, _ in sorted(mine, key=lambda r: -r[0])[:3]:
            say(f"  {ms:8.1f} ms  {' '.join(statement.split())[:150]}")
    slowest = sorted(
        (r for r in ran if r[2].lstrip().upper().startswith(("SELECT", "WITH", "--"))),
        key=lambda r: -r[0],
    )[:top]
    for ms, name, statement, params in slowest:
        with engine.connect() as conn:
            tx = conn.begin()
            cursor = conn.connection.dbapi_connection.cursor()
            apply_identity(cursor, identity)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            say(f"\n== EXPLAIN ANALYZE ({name}, {ms:.0f} ms when run) ==\n{statement.strip()}\n")
            say("\n".join(r[0] for r in cursor.fetchall()))
            tx.rollback()
    set_identity(None)
    engine.dispose()


def sizes(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(SIZES).one())


def admin_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id FROM app_user WHERE login = :l"), {"l": LOGIN}
        ).scalar_one()


def print_table(rows: dict[str, Row]) -> None:
    head = f"{'request':58} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'n':>4}  checks"
    say(head)
    say("-" * len(head))
    for row in rows.values():
        if not row.times:
            continue
        checks = f"{row.passed}/{row.checked}" if row.checked else "-"
        say(
            f"{row.name:58} {statistics.median(row.times):8.1f} "
            f"{percentile(row.times, 0.95):8.1f} {max(row.times):8.1f} {len(row.times):4}  {checks}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=20, help="offices, in as many buildings")
    parser.add_argument("--rounds", type=int, default=2, help="edits of each room")
    parser.add_argument("--repeat", type=int, default=5, help="history requests per room")
    parser.add_argument("--seed", default="edit", help="which rooms (same seed, same rooms)")
    parser.add_argument("--database", default=BENCH_DB, help="a loaded sample database")
    parser.add_argument(
        "--explain",
        type=int,
        default=0,
        metavar="K",
        help="then time the statements of the first room's GETs and EXPLAIN the K slowest",
    )
    parser.add_argument("--explain-only", action="store_true", help="no server, no edits")
    args = parser.parse_args()
    owner = _serve.owner_url(args.database)
    engine = make_engine(owner)
    rows = {
        key: Row(name)
        for key, name in (
            ("patch", "PATCH /api/v1/rooms/{id} (status)"),
            ("tile", "next GET /tiles/rooms/18/x/y.mvt?floor_id (ETag new)"),
            ("vacancy_tile", "next GET /tiles/buildings_vacancy/14/x/y.mvt (ETag)"),
            ("plan", "next GET /api/v1/floors/{id}/rooms (ledger_status)"),
            ("vacancy", "next GET /api/v1/analysis/vacancy?level=building&b.."),
            ("move", "POST /api/v1/staff/{id}/move (same floor)"),
            ("plan_today", "GET /api/v1/floors/{id}/rooms (today)"),
            ("plan_yesterday", "GET /api/v1/floors/{id}/rooms?as_of=yesterday"),
            ("tile_today", "GET /tiles/rooms/18/x/y.mvt?floor_id (today)"),
            ("tile_yesterday", "GET /tiles/rooms/18/x/y.mvt?floor_id&as_of=yesterday"),
        )
    }
    before = sizes(engine)
    rooms = pick_rooms(engine, args.rooms, args.seed)
    if args.explain_only:
        profile(owner, admin_id(engine), rooms[0], args.explain)
        return 0
    token = _serve.user_token(engine, LOGIN, "admin", note="bench edit_latency")
    log = PROJECT_ROOT / "var" / "bench-edit-logs" / "server.log"
    proc, port = _serve.serve(_serve.server_env(owner), log)
    changed = 0
    try:
        _serve.ready(proc, port, log)
        client = Client(port, token)
        buildings = len({r.building_id for r in rooms})
        for path in (rooms[0].rooms_tile, rooms[0].vacancy_tile, rooms[0].plan, rooms[0].vacancy):
            client.get(path)  # warm-up: connections, the catalog, plan caches
        say(
            f"database {args.database}: {before[1]} rooms, {before[2]} room_history rows, "
            f"{before[0] / 2**20:.0f} MiB; {len(rooms)} rooms in {buildings} buildings, "
            f"{args.rounds} rounds, history x{args.repeat}; one worker, as shipped (RLS)\n"
        )
        for _ in range(args.rounds):
            for room in rooms:
                changed += edit_one(client, engine, room, rows)
        history_cost(client, engine, rooms, args.repeat, rows)
    finally:
        proc.terminate()
        proc.wait(30)
    after = sizes(engine)
    print_table(rows)
    say(f"\nedits that changed the building's vacancy: {changed} of {args.rounds * len(rooms)}")
    for label, (size, room, history) in (("before", before), ("after", after)):
        say(f"{label:6}: database {size / 2**20:.1f} MiB, room {room}, room_history {history}")
    if args.explain:
        profile(owner, admin_id(engine), rooms[0], args.explain)
    failed = sum(r.checked - r.passed for r in rows.values())
    say(
        "every change was reflected on the next request"
        if not failed
        else f"{failed} checks FAILED"
    )
    engine.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
