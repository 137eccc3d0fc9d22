"""GET /api/v1/registers/{buildings,rooms,bodies} on the hand-built office world: every figure
worked out by hand from the table in tests/analysis/conftest.py, filters, sort, paging, the
XLSX of the filtered register, a unit officer's scope, and bad input refused naming the field.

Building X (floor 10): allocatable rooms (office and service, the rest room r6 and the
equipment room r8 left out) r1 40 + r2 20 + r3 20 + r4 17 + r5 28 + r7 50 + r9 12 + r10 15
+ r12 16 = 218 m²; vacant r4 17 + r9 12 = 29 m² (r10 is under renovation; r9's occupant left
in 2024) → 29 / 218 = 0.1330. Y: r11 30 of 30 m² vacant → 1. Z: r13, r14 occupied → 0.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from gis_app.config import Settings
from tests.auth import app_client

API = "/api/v1/registers"


@pytest.fixture(scope="module")
def client(office_world_url: str) -> Iterator[TestClient]:
    with app_client(Settings(database_url=office_world_url)) as test_client:
        yield test_client


def _get(client: TestClient, kind: str, **params: object) -> dict:
    response = client.get(f"{API}/{kind}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_buildings_figures_by_hand(client: TestClient) -> None:
    answer = _get(client, "buildings")
    assert answer["total"] == 3
    rows = {r["code"]: r for r in answer["items"]}
    x = rows["X"]
    assert x["rooms"] == 11
    assert x["usable_area_m2"] == 236.0  # 218 allocatable + r6 8 + r8 10
    assert x["allocatable_area_m2"] == 218.0
    assert x["vacant_area_m2"] == 29.0
    assert x["vacant_rooms"] == 2
    assert x["vacancy_rate"] == 0.133  # 29 / 218 = 0.13303 → 0.1330
    assert x["bodies"] == 2  # A and B
    assert rows["Y"]["vacancy_rate"] == 1.0
    assert rows["Z"]["vacancy_rate"] == 0.0
    assert [c["label"] for c in answer["columns"]][:3] == ["建筑ID", "编码", "名称"]


def test_sort_and_paging(client: TestClient) -> None:
    ordered = _get(client, "buildings", sort="vacancy_rate", order="desc")
    assert [r["code"] for r in ordered["items"]] == ["Y", "X", "Z"]  # 1, 0.133, 0
    second = _get(client, "buildings", sort="vacancy_rate", order="desc", limit=2, offset=2)
    assert (second["total"], [r["code"] for r in second["items"]]) == (3, ["Z"])
    beyond = _get(client, "buildings", limit=2, offset=10)
    assert (beyond["total"], beyond["items"]) == (3, [])
    by_name = _get(client, "rooms", floor_id=10, sort="usable_area_m2", order="asc", limit=3)
    assert [r["usable_area_m2"] for r in by_name["items"]] == [8.0, 10.0, 12.0]  # r6, r8, r9


def test_filters(client: TestClient) -> None:
    assert [r["code"] for r in _get(client, "buildings", safety_grade="c")["items"]] == ["Y"]
    assert _get(client, "buildings", vacancy_min=10)["total"] == 2  # X 13.3 %, Y 100 %
    assert _get(client, "buildings", vacancy_max=50)["total"] == 2  # X, Z 0 %
    both = _get(client, "buildings", vacancy_min=10, vacancy_max=50)
    assert [r["code"] for r in both["items"]] == ["X"]
    assert _get(client, "buildings", body_id=2)["total"] == 1  # B's rooms r5, r6 are in X
    assert _get(client, "rooms", floor_id=10)["total"] == 11
    vacant = _get(client, "rooms", vacant="true")
    assert sorted(r["room_number"] for r in vacant["items"]) == ["101", "304", "308"]
    assert _get(client, "rooms", status="renovation")["items"][0]["room_number"] == "309"
    assert _get(client, "rooms", category="equipment")["total"] == 1  # r8


def test_bodies_by_hand(client: TestClient) -> None:
    rows = {r["code"]: r for r in _get(client, "bodies")["items"]}
    assert set(rows) == {"A", "B", "C"}
    a = rows["A"]
    assert (a["rooms"], a["staff_count"], a["authorised_staff"]) == (6, 4, 10)
    assert a["office_area_m2"] == 96.0  # r1 40 + r2 20 + r3 20 + r12 16
    assert a["unoccupied_area_m2"] == 16.0  # r12: A's, in use in the ledger, nobody in it
    assert a["vacancy_rate"] == 0.1667  # 16 / 96
    assert rows["B"]["parent_name"] == "杭州市甲局"
    assert rows["C"]["rooms"] == 0  # c1 sits in r13, r14, which no body holds
    assert _get(client, "bodies", body_id=1)["total"] == 2  # A and B under it
    graded = _get(client, "bodies", safety_grade="A")
    assert sorted(r["code"] for r in graded["items"]) == ["A", "B"]  # rooms in X (grade A)


def test_xlsx_is_the_filtered_register(client: TestClient) -> None:
    response = client.get(f"{API}/buildings", params={"vacancy_min": 10, "sort": "code"})
    assert response.status_code == 200
    response = client.get(
        f"{API}/buildings", params={"vacancy_min": 10, "sort": "code", "format": "xlsx"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "建筑台账"
    assert "筛选：最低=10" in sheet["A2"].value
    headers = [c.value for c in sheet[4]]
    assert headers[:3] == ["建筑ID", "编码", "名称"]
    assert "空置率（%）" in headers and "建筑面积（m²）" in headers
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert [row[1] for row in body] == ["X", "Y"]
    assert body[0][headers.index("空置率（%）")] == pytest.approx(13.3)  # 0.1330 × 100
    english = client.get(
        f"{API}/rooms", params={"format": "xlsx"}, headers={"Accept-Language": "en"}
    )
    sheet = load_workbook(io.BytesIO(english.content)).active
    assert sheet["A1"].value == "Register of rooms"
    assert sheet.max_row == 4 + 14  # title, subtitle, blank, header, 14 rooms


def test_a_unit_officer_sees_their_own(office_world_url: str) -> None:
    settings = Settings(database_url=office_world_url)
    with app_client(settings, "unit_officer", "B") as officer:
        buildings = officer.get(f"{API}/buildings").json()
        bodies = officer.get(f"{API}/bodies").json()
    assert [r["code"] for r in buildings["items"]] == ["X"]
    assert [r["code"] for r in bodies["items"]] == ["B"]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"safety_grade": "E"}, 422, "safety_grade"),
        ({"sort": "geom"}, 422, "sort"),
        ({"sort": "1; DROP TABLE room"}, 422, "sort"),
        ({"vacancy_min": 60, "vacancy_max": 10}, 422, "vacancy_min"),
        ({"vacancy_min": 101}, 422, "vacancy_min"),
        ({"status": "gone"}, 422, "status"),
        ({"format": "pdf"}, 422, "format"),
    ],
)
def test_bad_input_names_the_field(
    client: TestClient, params: dict, status: int, field: str
) -> None:
    response = client.get(f"{API}/buildings", params=params)
    assert response.status_code == status, response.text
    assert field in response.text


def test_unknown_ids_and_kinds(client: TestClient) -> None:
    assert client.get(f"{API}/rooms", params={"floor_id": 999}).status_code == 404
    assert client.get(f"{API}/bodies", params={"body_id": 999}).status_code == 404
    assert client.get(f"{API}/parcels").status_code == 422
