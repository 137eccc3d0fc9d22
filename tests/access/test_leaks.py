"""A unit officer of body A reading body B's rooms through every path gets nothing of B:
REST, OGC items with a CQL2 filter naming B, the OGC export, vector tiles at z18 over the
building A and B share, search, analyses (JSON and CSV), floor plans (API and page) and the
map export. Each path is asked the same question by an office manager first, who sees B:
so a check that finds nothing of B for A is not one that could find nothing at all.

No answer, to A's officer or to the manager, names a member of staff (nothing shows
names yet); a viewer gets no occupants by rank; a tile's validator
depends on who asks.
"""

from __future__ import annotations

import re
from typing import Any

import mapbox_vector_tile
import pytest
from sqlalchemy import Engine, text

SUBTREE = "SELECT unnest(gis_org_subtree(:org))"
TILE_TYPE = "application/vnd.mapbox-vector-tile"


@pytest.fixture(scope="module")
def facts(access_engine: Engine, bodies: dict, shared_place: dict) -> dict[str, Any]:
    """What the owner knows about A and B: B's rooms, the floors of each in the shared
    building, the buildings only B's side uses, a floor of A with occupants, staff names."""
    a, b, shared = bodies["A"]["id"], bodies["B"]["id"], bodies["shared_building"]
    with access_engine.connect() as conn:

        def floor_of(org: int) -> tuple[int, int]:
            return tuple(  # type: ignore[return-value]
                conn.execute(
                    text(
                        "SELECT DISTINCT f.id, f.ordinal FROM floor f JOIN room r"
                        " ON r.floor_id = f.id WHERE f.building_id = :s"
                        " AND r.organisation_id = :o"
                    ),
                    {"s": shared, "o": org},
                ).one()
            )

        b_rooms = set(
            conn.execute(
                text(f"SELECT id FROM room WHERE organisation_id IN ({SUBTREE})"),  # noqa: S608 (fixed text)
                {"org": b},
            ).scalars()
        )
        seen_by_a = set(
            conn.execute(
                text(
                    "SELECT b.id FROM building b WHERE b.title_holder_id IN"
                    f" ({SUBTREE}) OR EXISTS (SELECT 1 FROM floor f JOIN room r"  # noqa: S608 (fixed text)
                    " ON r.floor_id = f.id WHERE f.building_id = b.id"
                    f" AND r.organisation_id IN ({SUBTREE}))"
                ),
                {"org": a},
            ).scalars()
        )
        b_buildings = set(
            conn.execute(
                text(
                    "SELECT DISTINCT f.building_id FROM floor f JOIN room r ON r.floor_id = f.id"
                    " WHERE r.organisation_id = :b"
                ),
                {"b": b},
            ).scalars()
        )
        occupied = conn.execute(
            text(
                "SELECT r.floor_id FROM room r JOIN LATERAL (SELECT count(*) AS n"
                " FROM room_occupancy o WHERE o.room_id = r.id AND o.valid_to IS NULL) o ON true"
                " WHERE r.organisation_id = :a AND o.n = 1"
                " GROUP BY r.floor_id ORDER BY count(*) DESC, r.floor_id LIMIT 1"
            ),
            {"a": a},
        ).scalar_one()
        names = set(conn.execute(text("SELECT name FROM staff WHERE name IS NOT NULL")).scalars())
        a_floor, b_floor = floor_of(a), floor_of(b)
    b_only = b_buildings - seen_by_a
    assert b_rooms and b_only, "the district has no room or building of B alone"
    return {
        "a_floor": a_floor,
        "b_floor": b_floor,
        "b_rooms": b_rooms,
        "b_only": sorted(b_only),
        "occupied_floor": occupied,
        "staff_names": names,
        "tile": shared_place["tile"],
        "bbox": shared_place["bbox"],
    }


@pytest.fixture(scope="module")
def officer(as_role, bodies) -> dict[str, str]:
    return as_role("unit_officer", bodies["A"]["code"])


@pytest.fixture(scope="module")
def manager(as_role) -> dict[str, str]:
    return as_role("office_manager")


@pytest.fixture(scope="module")
def viewer(as_role, bodies) -> dict[str, str]:
    return as_role("viewer", bodies["A"]["code"])


CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")


def readable(answer_text: str) -> str:
    """The text with JSON's \\uXXXX escapes written out (map exports escape their data)."""
    return ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), answer_text)


def named_people(answer_text: str, names: set[str]) -> set[str]:
    """The staff names found in a text (every run of 2-4 Chinese characters in it)."""
    pieces = {
        run[i : i + n]
        for run in CJK_RUN.findall(readable(answer_text))
        for n in (2, 3, 4)
        for i in range(len(run) - n + 1)
    }
    return pieces & names


class Reader:
    """GETs as one caller; no answer may name a member of staff."""

    def __init__(self, client, headers: dict[str, str], names: set[str]) -> None:
        self.client, self.headers, self.names = client, headers, names

    def get(self, url: str, status: int = 200, **params: Any):
        answer = self.client.get(url, params=params, headers=self.headers)
        assert answer.status_code == status, f"{url} {params}: {answer.text[:300]}"
        if not answer.headers.get("content-type", "").startswith(TILE_TYPE):
            assert named_people(answer.text, self.names) == set(), f"{url} {params}"
        return answer


@pytest.fixture
def as_a(client, officer, facts) -> Reader:
    return Reader(client, officer, facts["staff_names"])


@pytest.fixture
def as_manager(client, manager, facts) -> Reader:
    return Reader(client, manager, facts["staff_names"])


def _of_b(answer_text: str, bodies: dict) -> bool:
    plain = readable(answer_text)
    return bodies["B"]["name"] in plain or bodies["B"]["code"] in plain


def test_rest_buildings(as_a, as_manager, bodies, facts):
    listed = as_manager.get("/api/v1/buildings", limit=10_000).json()["features"]
    assert set(facts["b_only"]) <= {f["id"] for f in listed}
    mine = {f["id"] for f in as_a.get("/api/v1/buildings", limit=10_000).json()["features"]}
    assert bodies["shared_building"] in mine
    assert mine.isdisjoint(facts["b_only"])
    for building in facts["b_only"]:
        as_manager.get(f"/api/v1/buildings/{building}")
        for url in (f"/api/v1/buildings/{building}", f"/api/v1/buildings/{building}/bodies"):
            assert as_a.get(url, 404).json()["detail"]["code"] == "NotFound"
    shared = f"/api/v1/buildings/{bodies['shared_building']}/bodies"
    assert {r["id"] for r in as_manager.get(shared).json()["items"]} >= {
        bodies["A"]["id"],
        bodies["B"]["id"],
    }
    assert [r["id"] for r in as_a.get(shared).json()["items"]] == [bodies["A"]["id"]]
    detail = as_a.get(f"/api/v1/buildings/{bodies['shared_building']}")
    assert not _of_b(detail.text, bodies)


def test_ogc_items_with_a_filter_naming_b(as_a, as_manager, bodies, facts):
    queryables = as_a.get("/ogc/collections/rooms/queryables").json()["properties"]
    assert "organisation_name" in queryables
    url = "/ogc/collections/rooms/items"
    naming_b = {"filter": f"organisation_name = '{bodies['B']['name']}'", "limit": 10}
    assert as_manager.get(url, **naming_b).json()["numberReturned"] > 0
    found = as_a.get(url, **naming_b).json()
    assert found["numberReturned"] == 0 and found["features"] == []
    by_floor = {"filter": f"floor_id = {facts['b_floor'][0]}", "limit": 10}
    assert as_manager.get(url, **by_floor).json()["numberReturned"] > 0
    assert as_a.get(url, **by_floor).json()["numberReturned"] == 0
    in_shared = as_a.get(
        url, filter=f"building_id = {bodies['shared_building']}", limit=1000
    ).json()["features"]
    assert in_shared
    assert {f["properties"]["organisation_name"] for f in in_shared} == {bodies["A"]["name"]}
    for room in sorted(facts["b_rooms"])[:3]:
        as_a.get(f"{url}/{room}", 404)


def test_ogc_export(as_a, as_manager, bodies, facts):
    url = "/ogc/collections/rooms/items"
    everything = as_manager.get(url, f="geojson").json()["features"]
    assert facts["b_rooms"] <= {f["id"] for f in everything}
    export = as_a.get(url, f="geojson")
    features = export.json()["features"]
    assert features
    assert {f["id"] for f in features}.isdisjoint(facts["b_rooms"])
    assert not _of_b(export.text, bodies)


def _decoded(answer) -> list[dict]:
    if answer.status_code == 204:
        return []
    layers = mapbox_vector_tile.decode(answer.content)
    return [f["properties"] for layer in layers.values() for f in layer["features"]]


def test_tiles_at_z18_over_the_shared_building(client, officer, manager, bodies, facts):
    x, y = facts["tile"]
    b_floor, b_ordinal = facts["b_floor"]
    b_name = bodies["B"]["name"]
    for params in ({"floor_id": b_floor}, {"ordinal": b_ordinal}):
        url = f"/tiles/rooms/18/{x}/{y}.mvt"
        seen = client.get(url, params=params, headers=manager)
        assert b_name in {p.get("organisation_name") for p in _decoded(seen)}
        mine = client.get(url, params=params, headers=officer)
        assert mine.status_code in (200, 204)
        assert b_name not in {p.get("organisation_name") for p in _decoded(mine)}
        assert mine.content != seen.content
    ogc = f"/ogc/collections/rooms/tiles/WebMercatorQuad/18/{x}/{y}"
    seen, mine = (client.get(ogc, headers=h) for h in (manager, officer))
    assert seen.status_code == 200 and mine.status_code in (200, 204)
    assert b_name not in {p.get("organisation_name") for p in _decoded(mine)}
    if facts["b_floor"][1] == 0:
        assert b_name in {p.get("organisation_name") for p in _decoded(seen)}


def test_a_tile_is_validated_per_scope(client, officer, manager, bodies, facts):
    x, y = facts["tile"]
    url = f"/tiles/rooms/18/{x}/{y}.mvt"
    a_floor = {"floor_id": facts["a_floor"][0]}
    mine = client.get(url, params=a_floor, headers=officer)
    seen = client.get(url, params=a_floor, headers=manager)
    assert mine.status_code == seen.status_code == 200
    assert {p["organisation_name"] for p in _decoded(mine)} == {bodies["A"]["name"]}
    assert mine.headers["etag"] != seen.headers["etag"]
    again = client.get(
        url, params=a_floor, headers={**officer, "If-None-Match": seen.headers["etag"]}
    )
    assert again.status_code == 200 and again.content == mine.content
    assert "Authorization" in mine.headers["vary"]
    b_floor = {"ordinal": facts["b_floor"][1]}
    mine = client.get(url, params=b_floor, headers=officer)
    seen = client.get(url, params=b_floor, headers=manager)
    assert seen.status_code == 200 and mine.content != seen.content
    assert mine.headers.get("etag") != seen.headers["etag"]


def test_search(as_a, as_manager, bodies, facts):
    for term in (bodies["B"]["name"], bodies["B"]["code"]):
        items = as_manager.get("/api/v1/search", q=term).json()["items"]
        assert any(i["kind"] == "body" and i["id"] == bodies["B"]["id"] for i in items)
        answer = as_a.get("/api/v1/search", q=term)
        assert not any(i["kind"] == "body" for i in answer.json()["items"])
        assert not _of_b(answer.text, bodies)
    for building in facts["b_only"]:
        answer = as_a.get("/api/v1/search", q=str(building), limit=50).json()["items"]
        assert not [i for i in answer if i["kind"] == "building" and i["id"] == building]
        ids = {b for i in answer for b in i["building_ids"] or []}
        assert building not in ids


ANALYSES = [
    ("over-standard", "building", {"only_over": "false"}),
    ("over-standard", "body", {"only_over": "false"}),
    ("vacancy", "building", {}),
    ("vacancy", "body", {}),
    ("vacancy", "floor", {}),
]


@pytest.mark.parametrize(("name", "level", "extra"), ANALYSES)
def test_analyses(as_a, as_manager, bodies, facts, name, level, extra):
    url = f"/api/v1/analysis/{name}"
    params = {"level": level, "limit": 10_000, **extra}
    key = {"body": "organisation_id", "building": "building_id", "floor": "floor_id"}[level]
    b_keys = {
        "body": {bodies["B"]["id"]},
        "building": set(facts["b_only"]),
        "floor": {facts["b_floor"][0]},
    }[level]
    everyone = {r[key] for r in as_manager.get(url, **params).json()["items"]}
    assert b_keys <= everyone
    answer = as_a.get(url, **params)
    assert answer.json()["items"]
    assert {r[key] for r in answer.json()["items"]}.isdisjoint(b_keys)
    assert not _of_b(answer.text, bodies)
    report = as_a.get(url, **{**params, "format": "csv"})
    assert report.text.count("\n") >= 2 and not _of_b(report.text, bodies)
    as_manager.get(url, body_id=bodies["B"]["id"], level=level)
    as_a.get(url, 404, body_id=bodies["B"]["id"], level=level)


def test_summaries(as_a, as_manager, bodies, facts):
    as_manager.get(f"/api/v1/analysis/bodies/{bodies['B']['id']}/summary")
    as_a.get(f"/api/v1/analysis/bodies/{bodies['B']['id']}/summary", 404)
    for building in facts["b_only"]:
        as_a.get(f"/api/v1/analysis/buildings/{building}/summary", 404)
    shared = as_a.get(f"/api/v1/analysis/buildings/{bodies['shared_building']}/summary")
    assert not _of_b(shared.text, bodies)
    b_floor = [f for f in shared.json()["floors"] if f["floor_id"] == facts["b_floor"][0]]
    assert all(not f.get("allocatable_rooms") for f in b_floor)
    dashboard = as_a.get("/api/v1/dashboard", top=50)
    assert not _of_b(dashboard.text, bodies)
    as_a.get("/api/v1/dashboard", 404, body_id=bodies["B"]["id"])


def test_floor_plans(as_a, as_manager, bodies, facts):
    b_floor, b_ordinal = facts["b_floor"]
    shared = bodies["shared_building"]
    for url in (
        f"/api/v1/floors/{b_floor}/rooms",
        f"/api/v1/buildings/{shared}/floors/{b_ordinal}/rooms",
    ):
        seen = as_manager.get(url).json()["features"]
        assert {f["id"] for f in seen} <= facts["b_rooms"] and seen
        answer = as_a.get(url)
        assert answer.json()["features"] == []
        assert not _of_b(answer.text, bodies)
    floors = as_a.get(f"/api/v1/buildings/{shared}/floors").json()["items"]
    assert [f["room_count"] for f in floors if f["id"] == b_floor] in ([], [0])
    page = as_a.get("/floor-plan", building=str(shared), level=str(b_ordinal))
    assert not _of_b(page.text, bodies)
    mine = as_a.get(f"/api/v1/floors/{facts['a_floor'][0]}/rooms").json()["features"]
    assert mine and {f["properties"]["organisation_id"] for f in mine} == {bodies["A"]["id"]}


def test_map_export(as_a, as_manager, bodies, facts):
    params = {"layers": "buildings,rooms", "bbox": facts["bbox"], "lang": "zh-CN"}
    b_ordinal = facts["b_floor"][1]
    if b_ordinal == 0:
        assert _of_b(as_manager.get("/api/v1/maps/export", **params).text, bodies)
    answer = as_a.get("/api/v1/maps/export", **params)
    assert answer.headers["content-type"].startswith("text/html")
    assert not _of_b(answer.text, bodies)


def test_a_viewer_sees_no_occupants_nor_a_lone_occupant_s_limit(client, viewer, officer, facts):
    """Occupants by rank are for the roles that manage the body; so is an office's limit,
    which for a room with one occupant is that person's rank."""
    url = f"/api/v1/floors/{facts['occupied_floor']}/rooms"
    managed = [f["properties"] for f in client.get(url, headers=officer).json()["features"]]
    assert any(r["occupants"] for r in managed)
    assert any(r["occupant_count"] == 1 and r["limit_m2"] for r in managed)
    viewed = client.get(url, headers=viewer)
    assert viewed.status_code == 200
    rooms = [f["properties"] for f in viewed.json()["features"]]
    assert sorted(r["room_id"] for r in rooms) == sorted(r["room_id"] for r in managed)
    assert all(r["occupants"] == [] for r in rooms)
    assert any(r["occupant_count"] == 1 for r in rooms)
    assert all(r["limit_m2"] is None and r["excess_m2"] is None for r in rooms)
    refused = client.get("/api/v1/analysis/over-standard", params={"level": "room"}, headers=viewer)
    assert refused.status_code == 403
    assert refused.json()["detail"]["right"] == "personal_data"
    rooms_level = {"level": "room", "limit": 1}
    managing = client.get("/api/v1/analysis/over-standard", params=rooms_level, headers=officer)
    assert managing.status_code == 200


def test_campuses_are_those_of_the_buildings_in_scope(as_a, as_manager, access_engine, facts):
    url = "/ogc/collections/campuses/items"
    everyone = {f["id"] for f in as_manager.get(url, limit=1000).json()["features"]}
    mine = {f["id"] for f in as_a.get(url, limit=1000).json()["features"]}
    buildings = {f["id"] for f in as_a.get("/api/v1/buildings", limit=10_000).json()["features"]}
    with access_engine.connect() as conn:
        expected = set(
            conn.execute(
                text("SELECT DISTINCT campus_id FROM building WHERE id = ANY(:ids)"),
                {"ids": sorted(buildings)},
            ).scalars()
        ) - {None}
    assert mine == expected and mine < everyone
