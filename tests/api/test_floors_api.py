"""Floors and rooms for the floor-plan viewer, checked by hand against the demo district's
planted cases: the over-standard rooms come back red with their excess (recorded area minus
the summed limits of the people in them), the person with two offices is a problem on both
floors naming the other room, the planted vacant floor is vacant; unknown ids are 404s that
name them; a floor without rooms is an empty collection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db.engine import make_engine
from tests.auth import app_client

TODAY = "2026-11-28"
"""Occupancies in the demo run to today; a fixed date keeps the figures still."""


@pytest.fixture(scope="module")
def demo(sample_db: dict) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"]))
    with app_client(app) as test_client:
        yield test_client


def _one(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).one()


def _building_id(engine: Engine, code: str) -> int:
    return _one(engine, "SELECT id FROM building WHERE code = :c", c=code)[0]


def _room_floor(engine: Engine, room_id: int) -> tuple[int, int, int]:
    """(floor id, building id, ordinal) of a room."""
    return tuple(
        _one(
            engine,
            "SELECT f.id, f.building_id, f.ordinal FROM room r JOIN floor f ON f.id = r.floor_id "
            "WHERE r.id = :r",
            r=room_id,
        )
    )


def _rooms(client: TestClient, floor_id: int, lang: str = "zh-CN") -> dict:
    response = client.get(
        f"/api/v1/floors/{floor_id}/rooms",
        params={"as_of": TODAY},
        headers={"Accept-Language": lang},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    return response.json()


def _feature(collection: dict, room_id: int) -> dict:
    (feature,) = [f for f in collection["features"] if f["id"] == room_id]
    return feature["properties"]


def _planted_over_standard(manifest: dict) -> list[dict]:
    return manifest["leaders_over_standard"] + manifest["shared_rooms_over_standard"]


def test_a_buildings_floors_lowest_first_with_their_figures(
    demo: TestClient, sample_engine: Engine, manifest: dict
) -> None:
    (second,) = manifest["multiple_offices"]
    building_id = _building_id(sample_engine, second["building"])
    body = demo.get(f"/api/v1/buildings/{building_id}/floors", params={"as_of": TODAY}).json()
    assert body["building"]["code"] == second["building"]
    floors = body["items"]
    assert [f["ordinal"] for f in floors] == sorted(f["ordinal"] for f in floors)
    assert [f["label"] for f in floors] == [f"{n}F" for n in range(1, len(floors) + 1)]
    with sample_engine.connect() as conn:
        counts = conn.execute(
            text(
                "SELECT f.ordinal, count(r.id) FROM floor f JOIN room r ON r.floor_id = f.id "
                "WHERE f.building_id = :b GROUP BY f.ordinal"
            ),
            {"b": building_id},
        )
        rooms = dict(counts.all())
    assert {f["ordinal"]: f["room_count"] for f in floors} == rooms
    by_ordinal = {f["ordinal"]: f for f in floors}
    over = [c for c in _planted_over_standard(manifest) if c["building"] == second["building"]]
    over_ordinals = [_room_floor(sample_engine, c["room_id"])[2] for c in over]
    for ordinal, floor in by_ordinal.items():
        assert floor["over_standard_rooms"] == over_ordinals.count(ordinal)
    office_ordinals = {_room_floor(sample_engine, r)[2] for r in second["room_ids"]}
    assert {o for o, f in by_ordinal.items() if f["data_quality_problems"]} == office_ordinals
    assert all(0 <= f["vacancy_rate"] <= 1 for f in floors)


def test_the_planted_vacant_floor_is_idle_and_its_rooms_vacant(
    demo: TestClient, sample_engine: Engine, manifest: dict
) -> None:
    planted = manifest["vacant_floors"][0]
    building_id = _building_id(sample_engine, planted["building"])
    floors = demo.get(f"/api/v1/buildings/{building_id}/floors", params={"as_of": TODAY}).json()
    (floor,) = [f for f in floors["items"] if f["id"] == planted["floor_id"]]
    assert floor["vacancy_rate"] == 1.0
    assert floor["fully_idle"] is True
    assert floor["vacant_area_m2"] == floor["allocatable_area_m2"] > 0
    rooms = _rooms(demo, planted["floor_id"])
    for feature in rooms["features"]:
        p = feature["properties"]
        # toilets and boiled-water rooms are building common space, never vacant
        common = p.get("subtype") in ("toilet", "pantry")
        expected = (
            "vacant" if p["category"] in ("office", "service") and not common else p["category"]
        )
        assert p["status_class"] == expected, p["number"]
    assert rooms["summary"]["vacant"]["area_m2"] == pytest.approx(floor["vacant_area_m2"])


@pytest.mark.parametrize("case", range(3))
def test_a_planted_over_standard_room_is_red_with_its_excess(
    demo: TestClient, sample_engine: Engine, manifest: dict, case: int
) -> None:
    planted = _planted_over_standard(manifest)[case]
    floor_id, _, _ = _room_floor(sample_engine, planted["room_id"])
    room = _feature(_rooms(demo, floor_id), planted["room_id"])
    assert room["status_class"] == "over_standard"
    assert room["over_standard"] is True
    assert room["limit_m2"] == planted["limit_sum_m2"]
    assert room["usable_area_m2"] == pytest.approx(planted["recorded_m2"])
    assert room["excess_m2"] == pytest.approx(planted["recorded_m2"] - planted["limit_sum_m2"])
    ranks: dict[str, int] = {}
    for person in planted["occupants"]:
        ranks[person["rank"]] = ranks.get(person["rank"], 0) + 1
    assert {o["rank"]: o["count"] for o in room["occupants"]} == ranks
    assert room["occupant_count"] == len(planted["occupants"])
    assert room["organisation_name"]
    assert "超标" in room["explanation"]


def test_two_shared_staff_offices_read_by_hand(
    demo: TestClient, sample_engine: Engine, manifest: dict
) -> None:
    """HZ-B000017's shared office: two municipal staff (9 m² each, 18 m²) in 30.29 m²."""
    (shared,) = manifest["shared_rooms_over_standard"]
    floor_id, _, _ = _room_floor(sample_engine, shared["room_id"])
    room = _feature(_rooms(demo, floor_id), shared["room_id"])
    assert room["occupants"] == [
        {"rank": "municipal_staff", "label": "局（处）级以下", "count": 2, "limit_m2": 9.0}
    ]
    assert round(room["excess_m2"], 1) == 12.3
    assert room["limit_m2"] == 18


def test_every_room_of_the_floor_once_in_lon_lat(
    demo: TestClient, sample_engine: Engine, manifest: dict
) -> None:
    floor_id, building_id, ordinal = _room_floor(
        sample_engine, manifest["leaders_over_standard"][0]["room_id"]
    )
    rooms = _rooms(demo, floor_id)
    count = _one(sample_engine, "SELECT count(*) FROM room WHERE floor_id = :f", f=floor_id)[0]
    assert rooms["numberMatched"] == rooms["numberReturned"] == len(rooms["features"]) == count
    assert rooms["floor"]["building_id"] == building_id
    assert rooms["floor"]["label"] == f"{ordinal + 1}F"
    assert rooms["floor"]["outline"]["type"] == "Polygon"
    for feature in rooms["features"]:
        p = feature["properties"]
        assert feature["geometry"]["type"] == "Polygon"
        lon, lat = feature["geometry"]["coordinates"][0][0]
        assert 120.0 < lon < 120.3 and 30.1 < lat < 30.4
        assert 120.0 < p["label_point"][0] < 120.3 and 30.1 < p["label_point"][1] < 30.4
        assert p["status_class"] in rooms["summary"]
    assert sum(s["rooms"] for s in rooms["summary"].values()) == count


def test_a_second_office_is_a_problem_on_both_floors_naming_the_other(
    demo: TestClient, sample_engine: Engine, manifest: dict
) -> None:
    (second,) = manifest["multiple_offices"]
    first_room, other_room = second["room_ids"]
    floor_id, _, _ = _room_floor(sample_engine, first_room)
    other_floor, _, other_ordinal = _room_floor(sample_engine, other_room)
    other_number = _one(sample_engine, "SELECT number FROM room WHERE id = :r", r=other_room)[0]
    (problem,) = _feature(_rooms(demo, floor_id), first_room)["problems"]
    assert problem["check"] == "staff_in_two_offices"
    assert problem["other_rooms"] == [
        {
            "room_id": other_room,
            "number": other_number,
            "ordinal": other_ordinal,
            "label": f"{other_ordinal + 1}F",
        }
    ]
    (back,) = _feature(_rooms(demo, other_floor), other_room)["problems"]
    assert [r["room_id"] for r in back["other_rooms"]] == [first_room]


def test_area_mismatches_are_problems_with_both_areas(
    demo: TestClient, sample_engine: Engine, manifest: dict
) -> None:
    for planted in manifest["area_mismatch_rooms"]:
        floor_id, _, _ = _room_floor(sample_engine, planted["room_id"])
        (problem,) = _feature(_rooms(demo, floor_id), planted["room_id"])["problems"]
        assert problem["check"] == "area_mismatch"
        assert f"{planted['recorded_m2']:.1f}" in problem["explanation"]


def test_by_level_is_the_same_floor_and_english_is_english(
    demo: TestClient, sample_engine: Engine, manifest: dict
) -> None:
    planted = manifest["leaders_over_standard"][0]
    floor_id, building_id, ordinal = _room_floor(sample_engine, planted["room_id"])
    by_level = demo.get(
        f"/api/v1/buildings/{building_id}/floors/{ordinal}/rooms",
        params={"as_of": TODAY},
        headers={"Accept-Language": "en"},
    ).json()
    assert by_level["floor"]["id"] == floor_id
    assert [f["id"] for f in by_level["features"]] == [
        f["id"] for f in _rooms(demo, floor_id)["features"]
    ]
    room = _feature(by_level, planted["room_id"])
    assert room["explanation"].startswith(f"room {room['number']}")
    assert room["occupants"][0]["label"].isascii()


@pytest.mark.parametrize(
    ("path", "resource", "missing"),
    [
        ("/api/v1/buildings/999999/floors", "building", 999999),
        ("/api/v1/buildings/999999/floors/0/rooms", "building", 999999),
        ("/api/v1/floors/999999/rooms", "floor", 999999),
    ],
)
def test_unknown_ids_are_404s_naming_them(
    demo: TestClient, path: str, resource: str, missing: int
) -> None:
    response = demo.get(path)
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail["resource"] == resource
    assert detail["id"] == missing
    assert str(missing) in detail["message"]


def test_an_unknown_level_is_a_404_naming_building_and_level(
    demo: TestClient, sample_engine: Engine, manifest: dict
) -> None:
    building_id = _building_id(sample_engine, manifest["multiple_offices"][0]["building"])
    response = demo.get(
        f"/api/v1/buildings/{building_id}/floors/-3/rooms", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert (detail["building_id"], detail["ordinal"], detail["level"]) == (building_id, -3, "B3")
    assert detail["message"] == f"building {building_id} has no level B3 (ordinal -3)"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/buildings/abc/floors", "building_id"),
        ("/api/v1/floors/0/rooms", "floor_id"),
        ("/api/v1/floors/99999999999/rooms", "floor_id"),
        ("/api/v1/buildings/1/floors/x/rooms", "ordinal"),
        ("/api/v1/buildings/1/floors?standard=CN-1999", "standard"),
        ("/api/v1/floors/1/rooms?as_of=yesterday", "as_of"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(demo: TestClient, path: str, field: str) -> None:
    response = demo.get(path)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == field


@pytest.fixture(scope="module")
def empty_floor(api_db_url: str) -> Iterator[int]:
    """A ground floor with no rooms in building 3 of the hand-placed database, removed after."""
    engine = make_engine(api_db_url)
    with engine.begin() as conn:
        floor_id = conn.execute(
            text(
                "INSERT INTO floor (building_id, ordinal, name, geom) "
                "SELECT id, 0, '1F', ST_GeometryN(geom, 1) FROM building WHERE id = 3 "
                "RETURNING id"
            )
        ).scalar_one()
    try:
        yield floor_id
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM floor WHERE id = :f"), {"f": floor_id})
        engine.dispose()


def test_a_floor_without_rooms_is_an_empty_collection(client: TestClient, empty_floor: int) -> None:
    floors = client.get("/api/v1/buildings/3/floors").json()["items"]
    assert floors == [
        {
            "id": empty_floor,
            "ordinal": 0,
            "label": "1F",
            "name": "1F",
            "room_count": 0,
            "usable_area_m2": 0.0,
            "allocatable_area_m2": 0.0,
            "vacant_area_m2": 0.0,
            "vacancy_rate": None,
            "fully_idle": False,
            "over_standard_rooms": 0,
            "data_quality_problems": 0,
        }
    ]
    rooms = client.get(f"/api/v1/floors/{empty_floor}/rooms").json()
    assert rooms["features"] == []
    assert rooms["numberMatched"] == 0
    assert rooms["floor"]["outline"]["type"] == "Polygon"
    assert all(s == {"rooms": 0, "area_m2": 0.0} for s in rooms["summary"].values())


def test_a_building_without_floors_has_an_empty_list(client: TestClient) -> None:
    response = client.get("/api/v1/buildings/1/floors")
    assert response.status_code == 200
    assert response.json()["items"] == []
