"""Undo writes the inverse of one change (itself audited); two edits of one room made
with the same version never both succeed."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text


def _room(owner: Engine, offset: int) -> Any:
    with owner.connect() as conn:
        return conn.execute(
            text(
                "SELECT id FROM room WHERE category = 'service' ORDER BY id DESC OFFSET :o LIMIT 1"
            ),
            {"o": offset},
        ).first()


def _last_change(client: TestClient, room_id: int) -> dict[str, Any]:
    return client.get(f"/api/v1/rooms/{room_id}/history").json()["items"][0]


def test_undo_an_update_and_refuse_a_stale_one(admin: TestClient, owner: Engine) -> None:
    room = _room(owner, 0)
    read = admin.get(f"/api/v1/rooms/{room.id}").json()
    changed = admin.patch(
        f"/api/v1/rooms/{room.id}",
        json={"name": "临时档案室", "subtype": "archive"},
        headers={"If-Match": read["etag"]},
    )
    assert changed.status_code == 200, changed.text
    change = _last_change(admin, room.id)
    undone = admin.post(f"/api/v1/history/{change['id']}/undo", json={"note": "录入有误"})
    assert undone.status_code == 200, undone.text
    after = admin.get(f"/api/v1/rooms/{room.id}").json()
    assert (after["name"], after["subtype"]) == (read["name"], read["subtype"])
    inverse = _last_change(admin, room.id)
    assert (inverse["action"], inverse["note"]) == ("history.undo", "录入有误")
    again = admin.post(f"/api/v1/history/{change['id']}/undo", json={})
    assert again.status_code == 409


def test_undo_a_new_room_and_a_reshape(admin: TestClient, owner: Engine) -> None:
    room = _room(owner, 1)
    read = admin.get(f"/api/v1/rooms/{room.id}").json()
    outline = read["geometry"]
    ring = outline["coordinates"][0]
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    smaller = {
        "type": "Polygon",
        "coordinates": [
            [
                [west, south],
                [(west + east) / 2, south],
                [(west + east) / 2, north],
                [west, north],
                [west, south],
            ]
        ],
    }
    shaped = admin.put(
        f"/api/v1/rooms/{room.id}/outline",
        json={"geometry": smaller},
        headers={"If-Match": read["etag"]},
    )
    assert shaped.status_code == 200, shaped.text
    assert shaped.json()["usable_area_m2"] < read["usable_area_m2"]
    change = _last_change(admin, room.id)
    assert change["changes"]["geom"] == {"before": "…", "after": "…"}
    assert admin.post(f"/api/v1/history/{change['id']}/undo", json={}).status_code == 200
    back = admin.get(f"/api/v1/rooms/{room.id}").json()
    assert back["usable_area_m2"] == read["usable_area_m2"]
    with owner.connect() as conn:
        same = conn.execute(
            text(
                "SELECT ST_HausdorffDistance(r.geom, ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490)) "
                "< 1e-7 "
                "FROM room r WHERE r.id = :id"
            ),
            {"g": json.dumps(outline), "id": room.id},
        ).scalar()
    assert same


def test_two_patches_with_one_version(client_as: Callable[..., TestClient], owner: Engine) -> None:
    room = _room(owner, 2)
    with client_as() as first, client_as() as second:
        etag = first.get(f"/api/v1/rooms/{room.id}").headers["ETag"]

        def patch(client_and_name: tuple[TestClient, str]) -> int:
            client, name = client_and_name
            return client.patch(
                f"/api/v1/rooms/{room.id}", json={"name": name}, headers={"If-Match": etag}
            ).status_code

        with ThreadPoolExecutor(2) as pool:
            codes = sorted(pool.map(patch, [(first, "甲"), (second, "乙")]))
    assert codes == [200, 412]
