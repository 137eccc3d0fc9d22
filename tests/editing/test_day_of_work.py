"""A day of work on the demo district, through the API as one office manager would do it:
a new body gets two offices from the idle pool by an idle-space match, three people move,
one leaves, a room is split. Then the analyses, vacancy, the floor plan, the layer the
tiles draw and the dashboard show the change; `as_of` yesterday shows the day before; and
the histories list each change with its user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import Engine

from tests.editing.owner_sql import rows

TODAY = date.today()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()
MANAGER = "test-office_manager-all"


@pytest.fixture(scope="module")
def manager(client_as: Callable[..., TestClient]) -> TestClient:
    with client_as("office_manager") as client:
        yield client


@pytest.fixture(scope="module")
def day(manager: TestClient, owner: Engine) -> dict[str, Any]:
    """Do the day's work; return what was done, for the tests to look at."""
    done: dict[str, Any] = {}
    parent = rows(
        owner,
        "SELECT o.id, o.level, ST_X(ST_PointOnSurface(b.geom)) AS lon, "
        "ST_Y(ST_PointOnSurface(b.geom)) AS lat FROM organisation o "
        "JOIN building b ON b.title_holder_id = o.id ORDER BY o.id LIMIT 1",
    )[0]
    body = manager.post(
        "/api/v1/organisations",
        json={
            "code": "DAY-NEW",
            "name": "新设数据管理局",
            "parent_id": parent.id,
            "level": parent.level,
            "kind": "government",
            "authorised_staff": 12,
            "document_no": "编办〔2026〕3号",
        },
    )
    assert body.status_code == 201, body.text
    done["body"] = body.json()

    need = {
        "organisation_id": done["body"]["id"],
        "area_m2": 20,
        "rooms": {"office": 2},
        "location": {"lon": parent.lon, "lat": parent.lat},
        "max_distance_m": 100_000,
    }
    match = manager.post("/api/v1/analysis/idle-space-match", json=need)
    assert match.status_code == 200, match.text
    candidate = match.json()["candidates"][0]
    offices = [r["room_id"] for r in candidate["rooms"] if r.get("is_office", True)][:2]
    assert len(offices) == 2
    realloc = manager.post(
        "/api/v1/reallocations",
        json={
            "organisation_id": done["body"]["id"],
            "room_ids": offices,
            "request": need,
            "candidate": candidate,
            "document_no": "机管调〔2026〕8号",
        },
    )
    assert realloc.status_code == 201, realloc.text
    done["offices"] = offices

    rank = f"{parent.level}_staff"
    newcomers = []
    for name in ("张新", "李新"):
        person = manager.post(
            "/api/v1/staff",
            json={"organisation_id": done["body"]["id"], "rank_code": rank, "name": name},
        )
        assert person.status_code == 201, person.text
        newcomers.append(person.json()["id"])
    moves = []
    for staff_id, room_id in zip(newcomers, offices, strict=True):
        moved = manager.post(f"/api/v1/staff/{staff_id}/move", json={"room_id": room_id})
        assert moved.status_code == 200, moved.text
        moves.append(moved.json())
    alone = (
        "SELECT o.staff_id, o.room_id, r.organisation_id FROM room_occupancy o "
        "JOIN room r ON r.id = o.room_id WHERE o.valid_to IS NULL AND r.category = 'office' "
        "AND r.status = 'in_use' AND (SELECT count(*) FROM room_occupancy p "
        "WHERE p.room_id = o.room_id AND p.valid_to IS NULL) = 1"
    )
    empty = (
        "SELECT r.id, r.organisation_id FROM room r WHERE r.category = 'office' "
        "AND coalesce(r.subtype, 'office') = 'office' AND r.status <> 'renovation' AND NOT EXISTS (SELECT 1 FROM room_occupancy o "
        "WHERE o.room_id = r.id AND o.valid_to IS NULL) AND r.id <> ALL (:taken)"
    )
    mover, target = (
        rows(
            owner,
            f"SELECT a.staff_id, a.room_id, e.id AS target FROM ({alone}) a "
            f"JOIN ({empty}) e ON e.organisation_id IS NOT DISTINCT FROM a.organisation_id "
            "OR e.organisation_id IS NULL "
            "ORDER BY a.staff_id, e.id LIMIT 1",
            taken=list(offices),
        )[0],
        None,
    )
    target = mover.target
    leaver = rows(
        owner,
        f"SELECT a.staff_id, a.room_id FROM ({alone}) a WHERE a.staff_id <> :m "
        "ORDER BY a.staff_id LIMIT 1",
        m=mover.staff_id,
    )[0]
    third = manager.post(f"/api/v1/staff/{mover.staff_id}/move", json={"room_id": target})
    assert third.status_code == 200, third.text
    moves.append(third.json())
    left = manager.post(
        f"/api/v1/staff/{leaver.staff_id}/end",
        json={"note": "调离", "document_no": "人〔2026〕1号"},
    )
    assert left.status_code == 200, left.text

    vacant = rows(
        owner,
        "SELECT r.id FROM room r WHERE r.category = 'office' AND r.usable_area_m2 > 20 "
        "AND NOT EXISTS (SELECT 1 FROM room_occupancy o WHERE o.room_id = r.id) "
        "AND r.id <> ALL (:taken) ORDER BY r.id LIMIT 1",
        taken=[*offices, target],
    )[0]
    room = manager.get(f"/api/v1/rooms/{vacant.id}").json()
    outline = shape(room["geometry"])
    west, south, east, north = outline.bounds
    cut = {
        "type": "LineString",
        "coordinates": [[(west + east) / 2, south - 1e-4], [(west + east) / 2, north + 1e-4]],
    }
    split = manager.post(
        f"/api/v1/rooms/{vacant.id}/split", json={"line": cut}, headers={"If-Match": room["etag"]}
    )
    assert split.status_code == 200, split.text
    done |= {
        "newcomers": newcomers,
        "moves": moves,
        "mover": mover,
        "target": target,
        "leaver": leaver,
        "split": split.json()["rooms"],
        "split_room": room,
    }
    return done


def _vacant_rooms(client: TestClient, as_of: str) -> set[int]:
    answer = client.get(
        "/api/v1/analysis/vacancy", params={"level": "room", "limit": 10_000, "as_of": as_of}
    )
    assert answer.status_code == 200, answer.text
    return {r["room_id"] for r in answer.json()["items"]}


def test_vacancy_today_and_yesterday(day: dict, manager: TestClient) -> None:
    today = _vacant_rooms(manager, TODAY.isoformat())
    yesterday = _vacant_rooms(manager, YESTERDAY)
    assert set(day["offices"]) <= yesterday  # the idle pool the match chose from
    assert not set(day["offices"]) & today  # given away and moved into
    assert day["leaver"].room_id not in yesterday
    assert day["target"] not in today


def test_the_new_offices_are_the_new_body_s_in_the_analyses(day: dict, manager: TestClient) -> None:
    answer = manager.get(
        "/api/v1/analysis/over-standard",
        params={"level": "room", "only_over": "false", "limit": 10_000},
    )
    assert answer.status_code == 200, answer.text
    rows = {r["room_id"]: r for r in answer.json()["items"]}
    for office in day["offices"]:
        assert rows[office]["organisation_id"] == day["body"]["id"]
        assert rows[office]["occupant_count"] == 1
    past = manager.get(
        "/api/v1/analysis/over-standard",
        params={"level": "room", "only_over": "false", "limit": 10_000, "as_of": YESTERDAY},
    ).json()["items"]
    assert not {r["room_id"] for r in past} & set(day["offices"])


def test_floor_plan_shows_the_split_and_the_day_before(day: dict, manager: TestClient) -> None:
    floor_id = day["split_room"]["floor_id"]
    now = manager.get(f"/api/v1/floors/{floor_id}/rooms").json()
    before = manager.get(f"/api/v1/floors/{floor_id}/rooms", params={"as_of": YESTERDAY}).json()
    ids_now = {f["id"] for f in now["features"]}
    ids_before = {f["id"] for f in before["features"]}
    first, second = day["split"]
    assert {first["id"], second["id"]} <= ids_now
    assert second["id"] not in ids_before
    whole = next(f for f in before["features"] if f["id"] == first["id"])
    assert whole["properties"]["usable_area_m2"] == pytest.approx(
        day["split_room"]["usable_area_m2"]
    )


def test_the_tiles_layer_shows_the_split(day: dict, manager: TestClient) -> None:
    room = day["split_room"]
    west, south, east, north = shape(room["geometry"]).bounds
    params = {"bbox": f"{west},{south},{east},{north}", "floor_id": room["floor_id"]}
    now = manager.get("/api/v1/layers/rooms/features", params=params).json()
    before = manager.get(
        "/api/v1/layers/rooms/features", params=params | {"as_of": YESTERDAY}
    ).json()
    second = day["split"][1]["id"]
    assert second in {f["id"] for f in now["features"]}
    assert second not in {f["id"] for f in before["features"]}
    x, y = _tile(west, south)
    tile_now = manager.get(f"/tiles/rooms/18/{x}/{y}.mvt", params={"floor_id": room["floor_id"]})
    tile_before = manager.get(
        f"/tiles/rooms/18/{x}/{y}.mvt", params={"floor_id": room["floor_id"], "as_of": YESTERDAY}
    )
    assert tile_now.status_code == tile_before.status_code == 200
    assert tile_now.headers["ETag"] != tile_before.headers["ETag"]


def _tile(lon: float, lat: float, z: int = 18) -> tuple[int, int]:
    import math

    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_dashboard_follows(day: dict, manager: TestClient) -> None:
    now = manager.get("/api/v1/dashboard").json()["totals"]
    before = manager.get("/api/v1/dashboard", params={"as_of": YESTERDAY}).json()["totals"]
    assert now["bodies"] == before["bodies"] + 1
    assert now["rooms"] == before["rooms"] + 1
    assert now["vacant_rooms"] < before["vacant_rooms"] + 1


def test_histories_name_each_change_and_its_user(day: dict, manager: TestClient) -> None:
    office = manager.get(f"/api/v1/rooms/{day['offices'][0]}/history").json()["items"]
    assert [(i["action"], i["who"]) for i in office[:2]] == [
        ("staff.move", MANAGER),
        ("reallocation", MANAGER),
    ]
    assert office[1]["document_no"] == "机管调〔2026〕8号"
    mover = manager.get(f"/api/v1/staff/{day['mover'].staff_id}/history").json()["items"]
    assert [i["action"] for i in mover[:2]] == ["staff.move", "staff.move"]
    leaver = manager.get(f"/api/v1/staff/{day['leaver'].staff_id}/history").json()["items"]
    ended = [i for i in leaver if i["action"] == "staff.end"]
    assert {i["table"] for i in ended} == {"staff", "room_occupancy"}  # left, and stay ended
    assert leaver[0]["action"] == "staff.end" and leaver[0]["document_no"] == "人〔2026〕1号"
    assert any(i["changes"].get("left_on", {}).get("after") == TODAY.isoformat() for i in leaver)
    building = manager.get(f"/api/v1/buildings/{day['split_room']['building_id']}/history").json()[
        "items"
    ]
    assert {"room.split"} <= {i["action"] for i in building}
    assert all(i["who"] == MANAGER for i in building if i["action"] == "room.split")
    body = manager.get(f"/api/v1/organisations/{day['body']['id']}/history").json()["items"]
    assert body[-1]["action"] == "organisation.add"
    assert body[-1]["document_no"] == "编办〔2026〕3号"
