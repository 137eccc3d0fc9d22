"""Room edits over the API: version checks, allocation, drawing, reshaping, splitting and
merging, each one transaction by the caller and nothing written on a refusal."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import Engine

from tests.editing.owner_sql import first_row


def _empty_office(owner: Engine, offset: int = 0) -> Any:
    """An office nobody sits in, on a floor with other rooms."""
    return first_row(
        owner,
        "SELECT r.id, r.floor_id, r.number, r.organisation_id FROM room r "
        "WHERE r.category = 'office' AND r.organisation_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM room_occupancy o WHERE o.room_id = r.id) "
        "ORDER BY r.id OFFSET :offset LIMIT 1",
        offset=offset,
    )


def test_patch_needs_the_current_version(admin: TestClient, owner: Engine) -> None:
    room = _empty_office(owner)
    read = admin.get(f"/api/v1/rooms/{room.id}")
    assert read.status_code == 200, read.text
    etag = read.headers["ETag"]
    assert read.json()["etag"] == etag

    missing = admin.patch(f"/api/v1/rooms/{room.id}", json={"status": "renovation"})
    assert missing.status_code == 428, missing.text
    changed = admin.patch(
        f"/api/v1/rooms/{room.id}",
        json={"status": "renovation", "document_no": "机管〔2026〕12号", "note": "装修"},
        headers={"If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "renovation"
    assert changed.headers["ETag"] != etag

    stale = admin.patch(
        f"/api/v1/rooms/{room.id}", json={"status": "in_use"}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    detail = stale.json()["detail"]
    assert detail["current"]["status"] == "renovation"
    assert stale.headers["ETag"] == changed.headers["ETag"]
    assert (
        first_row(owner, "SELECT status FROM room WHERE id = :id", id=room.id).status
        == "renovation"
    )

    audit = first_row(
        owner,
        "SELECT who, action, document_no, note FROM audit_log WHERE table_name = 'room' "
        "AND row_key = :key ORDER BY id DESC LIMIT 1",
        key=str(room.id),
    )
    assert audit.who == "test-admin-all"
    assert (audit.action, audit.document_no, audit.note) == (
        "room.update",
        "机管〔2026〕12号",
        "装修",
    )


def test_bad_values_name_the_field_and_write_nothing(admin: TestClient, owner: Engine) -> None:
    room = _empty_office(owner, 1)
    etag = admin.get(f"/api/v1/rooms/{room.id}").headers["ETag"]
    for body, field in (
        ({"status": "broken"}, "status"),
        ({"effective_date": "2999-01-01", "status": "vacant"}, "effective_date"),
        ({"colour": "red"}, "colour"),
    ):
        answer = admin.patch(f"/api/v1/rooms/{room.id}", json=body, headers={"If-Match": etag})
        assert answer.status_code == 422, answer.text
        assert field in answer.text
    gone = admin.patch(
        f"/api/v1/rooms/{room.id}", json={"organisation_id": 999999}, headers={"If-Match": etag}
    )
    assert gone.status_code == 404
    assert admin.get(f"/api/v1/rooms/{room.id}").headers["ETag"] == etag


def test_allocate_release_and_history(admin: TestClient, owner: Engine) -> None:
    room = _empty_office(owner, 2)
    other = first_row(
        owner,
        "SELECT id FROM organisation WHERE id <> :id AND parent_id IS NOT NULL ORDER BY id LIMIT 1",
        id=room.organisation_id,
    )
    released = admin.post(
        "/api/v1/rooms/release", json={"room_ids": [room.id], "document_no": "调字1号"}
    )
    assert released.status_code == 200, released.text
    assert released.json()["rooms"][0]["organisation_id"] is None
    given = admin.post(
        "/api/v1/rooms/allocate", json={"room_ids": [room.id], "organisation_id": other.id}
    )
    assert given.status_code == 200, given.text
    assert given.json()["rooms"][0]["organisation_id"] == other.id
    items = admin.get(f"/api/v1/rooms/{room.id}/history").json()["items"]
    actions = [i["action"] for i in items]
    assert actions[:2] == ["room.allocate", "room.release"]
    assert items[0]["changes"]["organisation_id"] == {"before": None, "after": other.id}
    assert items[1]["document_no"] == "调字1号"
    assert all(i["who"] == "test-admin-all" for i in items[:2])


def test_draw_reshape_split_and_merge(admin: TestClient, owner: Engine) -> None:
    room = _empty_office(owner, 3)
    detail = admin.get(f"/api/v1/rooms/{room.id}").json()
    outline = shape(detail["geometry"])
    line = {
        "type": "LineString",
        "coordinates": [
            [outline.centroid.x, outline.bounds[1] - 0.0001],
            [outline.centroid.x, outline.bounds[3] + 0.0001],
        ],
    }
    split = admin.post(
        f"/api/v1/rooms/{room.id}/split",
        json={"line": line, "numbers": [detail["number"], detail["number"] + "B"]},
        headers={"If-Match": detail["etag"]},
    )
    assert split.status_code == 200, split.text
    first, second = split.json()["rooms"]
    assert first["id"] == room.id
    assert abs(first["usable_area_m2"] + second["usable_area_m2"] - detail["usable_area_m2"]) < 0.02
    local = first_row(
        owner,
        "SELECT ST_Area(a.local_geom) AS a, ST_Area(b.local_geom) AS b, "
        "ST_Area(geography(a.geom)) AS ga, ST_Area(geography(b.geom)) AS gb "
        "FROM room a, room b WHERE a.id = :a AND b.id = :b",
        a=first["id"],
        b=second["id"],
    )
    assert abs(local.a - local.ga) < 0.05 * local.ga
    assert abs(local.b - local.gb) < 0.05 * local.gb

    elsewhere = admin.post(
        f"/api/v1/floors/{room.floor_id}/rooms",
        json={
            "number": "X-0",
            "category": "office",
            "geometry": first["geometry"],
            "crs": "EPSG:3857",
        },
    )
    assert elsewhere.status_code == 400
    assert elsewhere.json()["detail"]["field"] == "crs"
    overlap = admin.post(
        f"/api/v1/floors/{room.floor_id}/rooms",
        json={"number": "X-1", "category": "office", "geometry": first["geometry"]},
    )
    assert overlap.status_code == 422
    assert "overlaps room" in overlap.text

    merged = admin.post("/api/v1/rooms/merge", json={"room_ids": [first["id"], second["id"]]})
    assert merged.status_code == 200, merged.text
    assert abs(merged.json()["usable_area_m2"] - detail["usable_area_m2"]) < 0.02
    assert first_row(owner, "SELECT 1 FROM room WHERE id = :id", id=second["id"]) is None
    # the part made and merged away today existed on no day; the room as it was before
    # the split is its past version, valid until today
    assert first_row(owner, "SELECT 1 FROM room_history WHERE id = :id", id=second["id"]) is None
    before = first_row(
        owner,
        "SELECT usable_area_m2, valid_to FROM room_history WHERE id = :id",
        id=room.id,
    )
    assert float(before.usable_area_m2) == detail["usable_area_m2"]


def test_viewer_cannot_write(viewer: TestClient, owner: Engine, root_code: str) -> None:
    room = first_row(
        owner,
        "SELECT r.id FROM room r WHERE r.organisation_id = ANY (gis_org_subtree("
        "(SELECT id FROM organisation WHERE code = :code))) ORDER BY r.id LIMIT 1",
        code=root_code,
    )
    read = viewer.get(f"/api/v1/rooms/{room.id}")
    assert read.status_code == 200
    answer = viewer.patch(
        f"/api/v1/rooms/{room.id}",
        json={"status": "vacant"},
        headers={"If-Match": read.headers["ETag"]},
    )
    assert answer.status_code == 403
