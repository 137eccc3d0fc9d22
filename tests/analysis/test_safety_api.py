"""GET /api/v1/analysis/safety, /buildings/{id}/relocation and the safety findings of
/data-quality over the hand-built world after the changes of test_safety.py (Z grade D with
c1 in 201 and 202, 16 m²; Y grade C with a3 and b2 in 101, 30 m²; Z's appraisal overdue)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient

from gis_app.config import Settings
from gis_app.layers.grid import tile_at
from tests.analysis.conftest import build_office_world
from tests.analysis.test_safety import CHANGES
from tests.auth import app_client

AS_OF = {"as_of": "2026-11-28"}


@pytest.fixture(scope="module")
def safety_url(new_database: Callable[..., str]) -> str:
    return build_office_world(new_database(), tuple(CHANGES))


@pytest.fixture(scope="module")
def client(safety_url: str) -> Iterator[TestClient]:
    with app_client(Settings(database_url=safety_url)) as test_client:
        yield test_client


def test_safety_report_worst_first(client: TestClient) -> None:
    body = client.get("/api/v1/analysis/safety", params=AS_OF).json()
    assert [(i["code"], i["severity"], i["people"], i["area_m2"]) for i in body["items"]] == [
        ("Z", "error", 1, 16.0),
        ("Y", "warning", 2, 30.0),
    ]
    z, y = body["items"]
    assert z["action"] == "停止使用、立即搬迁；重新鉴定"
    assert y["action"] == "限制使用、安排加固或搬迁"
    assert z["relocation_url"] == "/api/v1/analysis/buildings/3/relocation"
    assert z["explanation"].startswith("Z楼 为 D 级危房（整幢危险），仍有 1 人在 2 间房（16.0 m²）")
    assert "安全鉴定日期 2021-11-27，已超过 5 年" in z["explanation"]


def test_safety_report_as_csv_and_xlsx(client: TestClient) -> None:
    response = client.get("/api/v1/analysis/safety", params={**AS_OF, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, z = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:4] == ["建筑ID", "编码", "名称", "安全等级"]
    assert (z["严重程度"], z["在岗人数"], z["面积（m²）"]) == ("严重", "1", "16.0")
    assert z["使用单位"] == "杭州市丙中心（1 人）"
    assert z["鉴定逾期"] == "是"
    xlsx = client.get("/api/v1/analysis/safety", params={**AS_OF, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_settable_appraisal_period(client: TestClient) -> None:
    params = {**AS_OF, "check": "appraisal_overdue"}
    five = client.get("/api/v1/analysis/data-quality", params=params).json()
    six = client.get("/api/v1/analysis/data-quality", params={**params, "appraisal_years": 6})
    assert [i["building_id"] for i in five["items"]] == [3]
    assert six.json()["items"] == []
    bad = client.get("/api/v1/analysis/data-quality", params={**params, "appraisal_years": 0})
    assert bad.status_code == 422 and "appraisal_years" in bad.text


def test_the_finding_links_to_its_relocation(client: TestClient) -> None:
    body = client.get(
        "/api/v1/analysis/data-quality",
        params={**AS_OF, "check": "occupied_dangerous_building"},
        headers={"Accept-Language": "en"},
    ).json()
    [y, z] = body["items"]
    assert z["details"]["relocation_url"] == "/api/v1/analysis/buildings/3/relocation"
    assert z["explanation"].endswith("stop using it and move them now")
    assert y["explanation"].endswith("restrict its use, strengthen it or move them")


def test_relocation_of_a_d_building(client: TestClient) -> None:
    body = client.get("/api/v1/analysis/buildings/3/relocation", params=AS_OF).json()
    assert (body["safety_grade"], body["severity"], body["action"]) == (
        "D",
        "error",
        "停止使用、立即搬迁",
    )
    [c] = body["bodies"]
    assert (c["name"], c["people"], c["offices"], c["area_m2"]) == ("杭州市丙中心", 1, 2, 16)
    [first] = c["candidates"]
    assert c["by_floor"] == []  # taken whole: no floor by floor
    # 304 (17 m²) + 308 (12 m²) on X 3F: 29 m², 13 over the 16 asked, ≈ 674 m away
    assert (first["unit_id"], first["picked_area_m2"], first["surplus_m2"]) == (10, 29.0, 13.0)
    assert first["explanation"].startswith("第 1 位（跨系统调剂）：X楼 3F")
    assert "距离 674 m" in first["explanation"]


def test_relocation_when_nothing_fits_or_nobody_is_in_danger(client: TestClient) -> None:
    y = client.get("/api/v1/analysis/buildings/2/relocation", params=AS_OF).json()
    # each body in 101 needs 30 m²; the pool holds 29 m² at most
    # (and each on one floor: nothing to ask floor by floor)
    assert [(b["organisation_id"], b["candidates"], b["by_floor"]) for b in y["bodies"]] == [
        (1, [], []),
        (2, [], []),
    ]
    x = client.get("/api/v1/analysis/buildings/1/relocation", params=AS_OF).json()
    assert (x["safety_grade"], x["bodies"], x["action"]) == ("A", [], None)


def test_relocation_refuses_bad_input(client: TestClient) -> None:
    missing = client.get("/api/v1/analysis/buildings/99/relocation", params=AS_OF)
    assert missing.status_code == 404
    far = client.get("/api/v1/analysis/buildings/3/relocation", params={"max_distance_m": 0})
    assert far.status_code == 422 and "max_distance_m" in far.text


def test_a_scoped_user_sees_the_buildings_of_its_bodies(safety_url: str) -> None:
    # officer of A (subtree A, B): 101 in Y is B's, so Y is seen; Z holds no room of A or B
    with app_client(Settings(database_url=safety_url), "unit_officer", "A") as officer:
        y = officer.get("/api/v1/analysis/buildings/2/relocation", params=AS_OF)
        z = officer.get("/api/v1/analysis/buildings/3/relocation", params=AS_OF)
        report = officer.get("/api/v1/analysis/safety", params=AS_OF).json()
    assert y.status_code == 200 and len(y.json()["bodies"]) == 2
    assert z.status_code == 404
    assert [i["code"] for i in report["items"]] == ["Y"]


def test_the_safety_layer_draws_c_d_and_overdue_buildings(client: TestClient) -> None:
    # the box of the campus (120.10-120.11, 30.25-30.26): X (grade A, appraised in time) is
    # not drawn; Z is D (and overdue), Y is C
    body = client.get(
        "/api/v1/layers/buildings_safety/features",
        params={**AS_OF, "bbox": "120.1,30.25,120.11,30.26"},
    ).json()
    drawn = {f["id"]: f["properties"] for f in body["features"]}
    assert sorted(drawn) == [2, 3]
    assert {k: drawn[3][k] for k in ("safety_class", "people", "area_m2", "bodies")} == {
        "safety_class": "D",
        "people": 1,
        "area_m2": 16.0,
        "bodies": "杭州市丙中心",
    }
    assert drawn[3]["appraisal_overdue"] is True and drawn[3]["safety_appraised_on"] == "2021-11-27"
    # a3 (A) and b2 (B) one each: A (id 1) first
    assert (drawn[2]["safety_class"], drawn[2]["bodies"]) == ("C", "杭州市甲局、西湖区乙局")


def test_the_safety_layer_legend(client: TestClient) -> None:
    legend = client.get("/api/v1/layers/buildings_safety").json()["legend"]
    assert [(e["value"], e["color"]) for e in legend["entries"]] == [
        ("D", "#d7191c"),
        ("C", "#ffb000"),
        ("overdue", "#9e9ac8"),
    ]
    assert legend["entries"][0]["label"] == "D 级整幢危房：停止使用、立即搬迁"


def test_the_safety_layer_as_a_vector_tile(client: TestClient) -> None:
    z = 14
    x, y = tile_at(120.1055, 30.2515, z)  # Y's centre; the z14 tile is 0.022° wide
    response = client.get(f"/tiles/buildings_safety/{z}/{x}/{y}.mvt", params=AS_OF)
    layer = mapbox_vector_tile.decode(response.content)["buildings_safety"]
    classes = {f["id"]: f["properties"]["safety_class"] for f in layer["features"]}
    assert classes[2] == "C" and 1 not in classes


def test_the_dashboard_safety_block(client: TestClient) -> None:
    safety = client.get("/api/v1/dashboard", params=AS_OF).json()["safety"]
    # X is A, Y is C, Z is D
    assert safety["grades"] == {"A": 1, "C": 1, "D": 1}
    # c1 in Z (16 m²), a3 and b2 in Y (30 m²): 3 people, 46 m², each person and room once
    assert safety["occupied"] == {
        "buildings": 2,
        "d_buildings": 1,
        "c_buildings": 1,
        "people": 3,
        "area_m2": 46.0,
    }
    assert (safety["overdue"], safety["appraisal_years"]) == (1, 5)
    assert [(r["code"], r["severity"], r["map_url"]) for r in safety["buildings"]] == [
        ("Z", "error", "/map?building=3"),
        ("Y", "warning", "/map?building=2"),
    ]
    assert safety["buildings"][1]["action"] == "限制使用、安排加固或搬迁"
    report = client.get(safety["report_url"])
    assert report.status_code == 200 and report.content[:2] == b"PK"
    assert "as_of=2026-11-28" in safety["report_url"]
    overdue = client.get(safety["overdue_report_url"].replace("xlsx", "csv"))
    rows = list(csv.reader(io.StringIO(overdue.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["appraisal_overdue"]


def test_the_dashboard_takes_the_appraisal_period(client: TestClient) -> None:
    six = client.get("/api/v1/dashboard", params={**AS_OF, "appraisal_years": 6}).json()
    assert (six["safety"]["overdue"], six["safety"]["appraisal_years"]) == (0, 6)
    bad = client.get("/api/v1/dashboard", params={**AS_OF, "appraisal_years": 101})
    assert bad.status_code == 422 and "appraisal_years" in bad.text
