"""What a scoped user may write, and the edits a review found wrong: seeing a building is
not holding it; a scoped user's own body is set from above; a move closes stays in rooms
out of sight; a merge keeps stays that start on its day; undo is of a whole action (a
person's too); two drawings on one floor never both pass; bad coordinates are 422; who
sits where is not shown to viewers; a history follows the body the room went to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import Engine

from tests.editing.owner_sql import first_row


@pytest.fixture(scope="module")
def guest(owner: Engine) -> Any:
    """A body with rooms in a building another body holds, and that building and floor."""
    return first_row(
        owner,
        "SELECT o.id, o.code, b.id AS building_id, f.id AS floor_id, r.id AS room_id "
        "FROM room r JOIN floor f ON f.id = r.floor_id JOIN building b ON b.id = f.building_id "
        "JOIN organisation o ON o.id = r.organisation_id "
        "WHERE b.title_holder_id IS DISTINCT FROM o.id AND NOT b.title_holder_id = ANY "
        "(gis_org_subtree(o.id)) ORDER BY r.id LIMIT 1",
    )


@pytest.fixture(scope="module")
def guest_manager(client_as: Callable[..., TestClient], guest: Any) -> Iterator[TestClient]:
    with client_as("office_manager", guest.code) as client:
        yield client


@pytest.fixture(scope="module")
def guest_officer(client_as: Callable[..., TestClient], guest: Any) -> Iterator[TestClient]:
    with client_as("unit_officer", guest.code) as client:
        yield client


def test_seeing_a_building_is_not_holding_it(
    guest_manager: TestClient, guest_officer: TestClient, owner: Engine, guest: Any
) -> None:
    floor = guest_manager.get(f"/ogc/collections/floors/items/{guest.floor_id}")
    assert floor.status_code == 200
    etag = floor.headers["ETag"]
    rooms = first_row(
        owner, "SELECT count(*) AS n FROM room WHERE floor_id = :f", f=guest.floor_id
    ).n
    gone = guest_manager.delete(
        f"/ogc/collections/floors/items/{guest.floor_id}", headers={"If-Match": etag}
    )
    assert gone.status_code == 404, gone.text
    assert (
        first_row(owner, "SELECT count(*) AS n FROM room WHERE floor_id = :f", f=guest.floor_id).n
        == rooms
    )
    building = guest_manager.get(f"/ogc/collections/buildings/items/{guest.building_id}")
    taken = guest_manager.patch(
        f"/ogc/collections/buildings/items/{guest.building_id}",
        json={"type": "Feature", "properties": {"title_holder_id": guest.id}},
        headers={"If-Match": building.headers["ETag"], "Content-Type": "application/geo+json"},
    )
    assert taken.status_code == 404, taken.text
    officer = guest_officer.delete(
        f"/ogc/collections/floors/items/{guest.floor_id}", headers={"If-Match": etag}
    )
    assert officer.status_code == 403  # floors need the import right


def test_a_scoped_user_does_not_set_its_own_body(
    guest_manager: TestClient, admin: TestClient, guest: Any
) -> None:
    own = guest_manager.patch(f"/api/v1/organisations/{guest.id}", json={"authorised_staff": 999})
    assert own.status_code == 403
    loose = guest_manager.patch(f"/api/v1/organisations/{guest.id}", json={"parent_id": None})
    assert loose.status_code == 403
    child = guest_manager.post(
        "/api/v1/organisations",
        json={
            "code": f"{guest.code}-K",
            "name": "下属科",
            "parent_id": guest.id,
            "level": admin.get(f"/api/v1/organisations/{guest.id}/history").json()["items"][-1][
                "changes"
            ]["level"]["after"],
            "kind": "government",
        },
    )
    assert child.status_code == 201, child.text
    kid = child.json()["id"]
    renamed = guest_manager.patch(f"/api/v1/organisations/{kid}", json={"name": "下属一科"})
    assert renamed.status_code == 200
    flagged = guest_manager.patch(f"/api/v1/organisations/{kid}", json={"sub_provincial": True})
    assert flagged.status_code == 403
    escape = guest_manager.patch(f"/api/v1/organisations/{kid}", json={"parent_id": None})
    assert escape.status_code in (403, 404)
    cycle = admin.patch(f"/api/v1/organisations/{guest.id}", json={"parent_id": kid})
    assert cycle.status_code == 422 and cycle.json()["detail"]["field"] == "parent_id"


def test_a_body_can_move_under_another_parent(admin: TestClient, owner: Engine) -> None:
    body = first_row(
        owner,
        "SELECT o.id, o.parent_id, p.parent_id AS grandparent FROM organisation o "
        "JOIN organisation p ON p.id = o.parent_id WHERE p.parent_id IS NOT NULL "
        "ORDER BY o.id LIMIT 1",
    )
    moved = admin.patch(f"/api/v1/organisations/{body.id}", json={"parent_id": body.grandparent})
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent_id"] == body.grandparent
    back = admin.patch(f"/api/v1/organisations/{body.id}", json={"parent_id": body.parent_id})
    assert back.status_code == 200


def test_a_move_closes_a_stay_the_mover_cannot_see(
    admin: TestClient, guest_manager: TestClient, owner: Engine, guest: Any
) -> None:
    person = admin.post(
        "/api/v1/staff",
        json={"organisation_id": guest.id, "rank_code": _rank(owner, guest.id), "name": "周游"},
    ).json()
    elsewhere = first_row(
        owner,
        "SELECT r.id FROM room r WHERE r.category = 'office' AND r.organisation_id IS NOT NULL "
        "AND NOT r.organisation_id = ANY (gis_org_subtree(:g)) ORDER BY r.id LIMIT 1",
        g=guest.id,
    )
    week_ago = (date.today() - timedelta(days=7)).isoformat()
    assert (
        admin.post(
            f"/api/v1/staff/{person['id']}/move",
            json={"room_id": elsewhere.id, "effective_date": week_ago},
        ).status_code
        == 200
    )
    home = guest_manager.post(f"/api/v1/staff/{person['id']}/move", json={"room_id": guest.room_id})
    assert home.status_code == 200, home.text
    stays = first_row(
        owner,
        "SELECT count(*) AS n FROM room_occupancy WHERE staff_id = :s AND valid_to IS NULL",
        s=person["id"],
    )
    assert stays.n == 1


def _rank(owner: Engine, body_id: int) -> str:
    level = first_row(owner, "SELECT level FROM organisation WHERE id = :b", b=body_id).level
    return f"{level}_staff"


def test_undo_of_a_person_and_of_a_move(admin: TestClient, owner: Engine, guest: Any) -> None:
    person = admin.post(
        "/api/v1/staff",
        json={"organisation_id": guest.id, "rank_code": _rank(owner, guest.id), "name": "吴改"},
    ).json()
    assert admin.patch(f"/api/v1/staff/{person['id']}", json={"name": "吴更改"}).status_code == 200
    renamed = admin.get(f"/api/v1/staff/{person['id']}/history").json()["items"][0]
    undone = admin.post(f"/api/v1/history/{renamed['id']}/undo", json={})
    assert undone.status_code == 200, undone.text
    assert admin.get(f"/api/v1/staff/{person['id']}").json()["name"] == "吴改"
    assert (
        admin.post(
            f"/api/v1/staff/{person['id']}/move", json={"room_id": guest.room_id}
        ).status_code
        == 200
    )
    move = admin.get(f"/api/v1/staff/{person['id']}/history").json()["items"][0]
    assert move["action"] == "staff.move"
    whole = admin.post(f"/api/v1/history/{move['id']}/undo", json={})
    assert whole.status_code == 200, whole.text
    assert whole.json()["rows"] >= 1
    stays = first_row(
        owner, "SELECT count(*) AS n FROM room_occupancy WHERE staff_id = :s", s=person["id"]
    )
    assert stays.n == 0


def test_a_merge_keeps_a_stay_that_starts_on_its_day(admin: TestClient, owner: Engine) -> None:
    room = first_row(
        owner,
        "SELECT r.id, r.organisation_id FROM room r WHERE r.category = 'office' "
        "AND r.usable_area_m2 > 25 AND r.organisation_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM room_occupancy o WHERE o.room_id = r.id) ORDER BY r.id DESC LIMIT 1",
    )
    read = admin.get(f"/api/v1/rooms/{room.id}").json()
    west, south, east, north = shape(read["geometry"]).bounds
    line = {
        "type": "LineString",
        "coordinates": [[(west + east) / 2, south - 1e-4], [(west + east) / 2, north + 1e-4]],
    }
    first, second = admin.post(
        f"/api/v1/rooms/{room.id}/split", json={"line": line}, headers={"If-Match": read["etag"]}
    ).json()["rooms"]
    person = admin.post(
        "/api/v1/staff",
        json={
            "organisation_id": room.organisation_id,
            "rank_code": _rank(owner, room.organisation_id),
            "name": "郑合",
        },
    ).json()
    assert (
        admin.post(f"/api/v1/staff/{person['id']}/move", json={"room_id": second["id"]}).status_code
        == 200
    )
    merged = admin.post("/api/v1/rooms/merge", json={"room_ids": [first["id"], second["id"]]})
    assert merged.status_code == 200, merged.text
    stay = first_row(
        owner,
        "SELECT room_id FROM room_occupancy WHERE staff_id = :s AND valid_to IS NULL",
        s=person["id"],
    )
    assert stay is not None and stay.room_id == first["id"]


def test_two_drawings_on_one_floor_never_both_pass(
    client_as: Callable[..., TestClient], owner: Engine
) -> None:
    room = first_row(
        owner,
        "SELECT r.id, r.floor_id, ST_AsGeoJSON(r.geom) AS g FROM room r "
        "WHERE r.category = 'ancillary' ORDER BY r.id LIMIT 1",
    )
    import json

    outline = json.loads(room.g)
    with client_as() as remover:
        etag = remover.get(f"/ogc/collections/rooms/items/{room.id}").headers["ETag"]
        assert (
            remover.delete(
                f"/ogc/collections/rooms/items/{room.id}", headers={"If-Match": etag}
            ).status_code
            == 204
        )
    with client_as() as one, client_as() as two:

        def draw(pair: tuple[TestClient, str]) -> int:
            client, number = pair
            return client.post(
                f"/api/v1/floors/{room.floor_id}/rooms",
                json={"number": number, "category": "ancillary", "geometry": outline},
            ).status_code

        with ThreadPoolExecutor(2) as pool:
            codes = sorted(pool.map(draw, [(one, "并发A"), (two, "并发B")]))
    assert codes == [201, 422]


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": [[[120, 95], [120.1, 95], [120.1, 96], [120, 95]]]},
        {"type": "Polygon", "coordinates": [[[1e10, 0], [1e10 + 1, 0], [1e10, 1], [1e10, 0]]]},
    ],
)
def test_coordinates_out_of_range_are_422(admin: TestClient, owner: Engine, geometry) -> None:
    floor = first_row(owner, "SELECT id FROM floor ORDER BY id LIMIT 1")
    answer = admin.post(
        f"/api/v1/floors/{floor.id}/rooms",
        json={"number": "坏", "category": "office", "geometry": geometry},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"]["field"] == "geometry"


def test_a_far_split_line_is_422(admin: TestClient, owner: Engine) -> None:
    room = first_row(owner, "SELECT id FROM room WHERE category = 'service' ORDER BY id LIMIT 1")
    read = admin.get(f"/api/v1/rooms/{room.id}")
    answer = admin.post(
        f"/api/v1/rooms/{room.id}/split",
        json={"line": {"type": "LineString", "coordinates": [[-1e300, 0], [1e300, 1]]}},
        headers={"If-Match": read.headers["ETag"]},
    )
    assert answer.status_code == 422 and answer.json()["detail"]["field"] == "line"


def test_viewers_do_not_see_who_sits_where(
    viewer: TestClient, admin: TestClient, owner: Engine, root_code: str
) -> None:
    room = first_row(
        owner,
        "SELECT r.id FROM room r JOIN room_occupancy o ON o.room_id = r.id AND o.valid_to IS NULL "
        "WHERE r.organisation_id = ANY (gis_org_subtree((SELECT id FROM organisation "
        "WHERE code = :c))) ORDER BY r.id LIMIT 1",
        c=root_code,
    )
    seen = viewer.get(f"/api/v1/rooms/{room.id}").json()
    assert seen["occupants"] == [] and seen["occupant_count"] >= 1
    assert admin.get(f"/api/v1/rooms/{room.id}").json()["occupants"]


def test_a_history_follows_the_body_the_room_went_to(
    client_as: Callable[..., TestClient], admin: TestClient, owner: Engine, guest: Any
) -> None:
    other = first_row(
        owner,
        "SELECT id FROM organisation WHERE NOT id = ANY (gis_org_subtree(:g)) "
        "AND parent_id IS NOT NULL ORDER BY id LIMIT 1",
        g=guest.id,
    )
    room = first_row(
        owner,
        "SELECT r.id FROM room r WHERE r.organisation_id = :g AND r.category = 'service' "
        "ORDER BY r.id LIMIT 1",
        g=guest.id,
    ) or first_row(
        owner, "SELECT id FROM room WHERE organisation_id = :g ORDER BY id LIMIT 1", g=guest.id
    )
    with client_as("viewer", guest.code) as guest_viewer:
        assert guest_viewer.get(f"/api/v1/rooms/{room.id}/history").status_code == 200
        given = admin.post(
            "/api/v1/rooms/allocate", json={"room_ids": [room.id], "organisation_id": other.id}
        )
        assert given.status_code == 200
        read = admin.get(f"/api/v1/rooms/{room.id}").json()
        assert (
            admin.patch(
                f"/api/v1/rooms/{room.id}",
                json={"name": "机密室"},
                headers={"If-Match": read["etag"]},
            ).status_code
            == 200
        )
        assert guest_viewer.get(f"/api/v1/rooms/{room.id}").status_code == 404
        items = guest_viewer.get(f"/api/v1/rooms/{room.id}/history")
        texts = items.text if items.status_code == 200 else ""
        assert "机密室" not in texts


def test_a_reallocation_takes_idle_rooms_only(admin: TestClient, owner: Engine) -> None:
    held = first_row(
        owner,
        "SELECT r.id, r.organisation_id FROM room r WHERE r.organisation_id IS NOT NULL "
        "AND r.status = 'in_use' ORDER BY r.id LIMIT 1",
    )
    other = first_row(
        owner,
        "SELECT id FROM organisation WHERE id <> :o ORDER BY id LIMIT 1",
        o=held.organisation_id,
    )
    answer = admin.post(
        "/api/v1/reallocations",
        json={"organisation_id": other.id, "room_ids": [held.id], "request": {}, "candidate": {}},
    )
    assert answer.status_code == 409
    assert answer.json()["detail"]["field"] == "room_ids"
