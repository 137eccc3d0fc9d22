"""Staff and bodies over the API: the rank rules, departures and moves, a body added
inside a scoped manager's tree, and refusals that name the field and write nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.editing.owner_sql import first_row, rows


def _audit_count(owner: Engine) -> int:
    return first_row(owner, "SELECT count(*) AS n FROM audit_log").n


@pytest.fixture(scope="module")
def body(owner: Engine) -> Any:
    """A municipal body with a child and a person sitting alone in an office."""
    return first_row(
        owner,
        "SELECT o.id, o.code, o.level, s.id AS staff_id, c.room_id FROM organisation o "
        "JOIN staff s ON s.organisation_id = o.id JOIN room_occupancy c ON c.staff_id = s.id "
        "AND c.valid_to IS NULL WHERE o.level = 'municipal' ORDER BY s.id DESC LIMIT 1",
    )


@pytest.fixture(scope="module")
def scoped(client_as: Callable[..., TestClient], owner: Engine, body: Any) -> Iterator[TestClient]:
    with client_as("office_manager", body.code) as client:
        yield client


def test_rank_must_belong_to_the_body_s_level(admin: TestClient, owner: Engine, body) -> None:
    before = _audit_count(owner)
    wrong = admin.post(
        "/api/v1/staff",
        json={"organisation_id": body.id, "rank_code": "county_staff", "name": "王错"},
    )
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["detail"]["field"] == "rank_code"
    assert _audit_count(owner) == before
    # The demo's bodies are Hangzhou's, a sub-provincial city (rank_equivalence
    # sub_provincial_city): a department head there holds the provincial department rank
    # (30 m²), but a provincial head (54 m²) is refused all the same.
    head = {"organisation_id": body.id, "rank_code": "provincial_dept_head", "name": "赵正"}
    assert admin.post("/api/v1/staff", json=head).status_code == 201
    top = {"organisation_id": body.id, "rank_code": "provincial_head", "name": "钱高"}
    refused = admin.post("/api/v1/staff", json=top)
    assert refused.status_code == 422 and refused.json()["detail"]["field"] == "rank_code"
    # A municipal section-level dispatched body uses the county section figures instead of
    # its own level's: a bureau head is refused there, a section head accepted.
    wrong_level = admin.patch(
        f"/api/v1/organisations/{body.id}", json={"equivalence": "provincial_division_dispatched"}
    )
    assert wrong_level.status_code == 422
    assert wrong_level.json()["detail"]["field"] == "equivalence"
    unknown = admin.patch(f"/api/v1/organisations/{body.id}", json={"equivalence": "nope"})
    assert unknown.status_code == 422 and unknown.json()["detail"]["field"] == "equivalence"
    dispatched = admin.patch(
        f"/api/v1/organisations/{body.id}", json={"equivalence": "municipal_section_dispatched"}
    )
    assert dispatched.status_code == 200, dispatched.text
    assert dispatched.json()["equivalence"] == "municipal_section_dispatched"
    bureau = {"organisation_id": body.id, "rank_code": "municipal_bureau_head", "name": "孙局"}
    assert admin.post("/api/v1/staff", json=bureau).status_code == 422
    section = {"organisation_id": body.id, "rank_code": "county_section_head", "name": "李科"}
    assert admin.post("/api/v1/staff", json=section).status_code == 201
    cleared = admin.patch(f"/api/v1/organisations/{body.id}", json={"equivalence": None})
    assert cleared.status_code == 200 and cleared.json()["equivalence"] is None


def test_departure_ends_the_stay_and_refuses_a_later_move(admin: TestClient, body) -> None:
    person = admin.post(
        "/api/v1/staff",
        json={"organisation_id": body.id, "rank_code": "municipal_staff", "name": "钱来"},
    ).json()
    week_ago = (date.today() - timedelta(days=7)).isoformat()
    moved = admin.post(
        f"/api/v1/staff/{person['id']}/move",
        json={"room_id": body.room_id, "effective_date": week_ago},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["room"]["id"] == body.room_id
    too_early = (date.today() - timedelta(days=10)).isoformat()
    before_start = admin.post(
        f"/api/v1/staff/{person['id']}/end", json={"effective_date": too_early}
    )
    assert before_start.status_code == 422
    assert before_start.json()["detail"]["field"] == "effective_date"
    left = admin.post(f"/api/v1/staff/{person['id']}/end", json={})
    assert left.status_code == 200, left.text
    assert left.json()["left_on"] == date.today().isoformat()
    assert left.json()["room"] is None
    again = admin.post(f"/api/v1/staff/{person['id']}/move", json={"room_id": body.room_id})
    assert again.status_code == 422
    assert again.json()["detail"]["field"] == "staff_id"
    last_week = admin.get(
        f"/api/v1/floors/{_floor(admin, body.room_id)}/rooms", params={"as_of": week_ago}
    )
    assert last_week.status_code == 200


def _floor(client: TestClient, room_id: int) -> int:
    return client.get(f"/api/v1/rooms/{room_id}").json()["floor_id"]


def test_a_shared_office_takes_several_and_reports_over_standard(admin: TestClient, body) -> None:
    findings = []
    for name in ("孙一", "孙二", "孙三", "孙四", "孙五", "孙六"):
        person = admin.post(
            "/api/v1/staff",
            json={"organisation_id": body.id, "rank_code": "municipal_head", "name": name},
        ).json()
        moved = admin.post(f"/api/v1/staff/{person['id']}/move", json={"room_id": body.room_id})
        assert moved.status_code == 200, moved.text
        findings = moved.json()["findings"]
    room = admin.get(f"/api/v1/rooms/{body.room_id}").json()
    assert len(room["occupants"]) >= 6
    assert findings == [] or findings[0]["room_id"] == body.room_id


def test_scoped_manager_adds_a_child_body_and_cannot_reach_others(
    scoped: TestClient, admin: TestClient, owner: Engine, body
) -> None:
    child = scoped.post(
        "/api/v1/organisations",
        json={
            "code": "CHILD-1",
            "name": "下属中心",
            "parent_id": body.id,
            "level": body.level,
            "kind": "government",
        },
    )
    assert child.status_code == 201, child.text
    assert scoped.get(f"/api/v1/organisations/{child.json()['id']}/history").status_code == 200
    other = first_row(
        owner,
        "SELECT r.id FROM room r WHERE r.organisation_id IS NOT NULL AND NOT "
        "r.organisation_id = ANY (gis_org_subtree(:b)) ORDER BY r.id LIMIT 1",
        b=body.id,
    )
    etag = admin.get(f"/api/v1/rooms/{other.id}").headers["ETag"]
    before = _audit_count(owner)
    outside = scoped.patch(
        f"/api/v1/rooms/{other.id}", json={"status": "vacant"}, headers={"If-Match": etag}
    )
    assert outside.status_code == 404
    top = scoped.post(
        "/api/v1/organisations",
        json={"code": "TOP-X", "name": "越权单位", "level": "municipal", "kind": "government"},
    )
    assert top.status_code == 404
    assert _audit_count(owner) == before


def test_a_body_with_rooms_cannot_end(admin: TestClient, body) -> None:
    refused = admin.post(f"/api/v1/organisations/{body.id}/end", json={})
    assert refused.status_code == 422
    assert refused.json()["detail"]["field"] == "organisation_id"


def test_people_search_is_for_managers(admin: TestClient, viewer: TestClient) -> None:
    found = admin.get("/api/v1/staff", params={"q": "孙"})
    assert found.status_code == 200
    assert {p["name"] for p in found.json()["items"]} >= {"孙一", "孙二"}
    assert viewer.get("/api/v1/staff", params={"q": "孙"}).status_code == 403


def test_a_scoped_manager_sees_only_its_tree(scoped: TestClient, owner: Engine, body) -> None:
    other = first_row(
        owner,
        "SELECT r.id, o.staff_id FROM room r JOIN room_occupancy o ON o.room_id = r.id "
        "WHERE o.valid_to IS NULL AND NOT r.organisation_id = ANY (gis_org_subtree(:b)) "
        "ORDER BY r.id LIMIT 1",
        b=body.id,
    )
    assert scoped.get(f"/api/v1/rooms/{other.id}").status_code == 404
    assert scoped.get(f"/api/v1/rooms/{other.id}/history").status_code == 404
    assert scoped.get(f"/api/v1/staff/{other.staff_id}").status_code == 404
    assert scoped.get(f"/api/v1/staff/{other.staff_id}/history").status_code == 404
    found = scoped.get("/api/v1/staff", params={"limit": 200}).json()["items"]
    tree = {r.id for r in rows(owner, "SELECT unnest(gis_org_subtree(:b)) AS id", b=body.id)}
    assert found and {p["organisation_id"] for p in found} <= tree
