"""Over-standard and vacancy reports as CSV and XLSX with Chinese headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from gis_app.config import Settings
from tests.auth import app_client

AS_OF = {"as_of": "2026-11-28"}


@pytest.fixture(scope="module")
def client(office_world_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=office_world_url, page_size_default=1)
    with app_client(settings) as test_client:
        yield test_client


def test_over_standard_rooms_as_csv(client: TestClient) -> None:
    response = client.get("/api/v1/analysis/over-standard", params={**AS_OF, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="over-standard_room_2026-11-28.csv"' in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["房间ID", "建筑", "楼层", "房间号"]
    assert "超标面积（m²）" in header and "使用人职级及标准" in header
    # every row, not one page (the page size here is 1)
    assert [r[0] for r in body] == ["1", "5", "2", "3"]
    first = dict(zip(header, body[0], strict=True))
    assert first["超标面积（m²）"] == "16.0" and first["是否超标"] == "是"
    assert first["使用人职级及标准"] == "正局（处）级（24.0 m²）"


def test_vacancy_by_building_as_xlsx(client: TestClient) -> None:
    response = client.get("/api/v1/analysis/vacancy", params={**AS_OF, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "办公用房空置情况（按建筑）"
    assert sheet["A2"].value == "标准：CN-2014；容差：0 m²；统计日期：2026-11-28"
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["建筑ID", "编码", "名称"]
    rows = [
        dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=5)
    ]
    assert [(r["编码"], r["空置率（%）"], r["整体闲置"]) for r in rows] == [
        ("Y", 100.0, "是"),
        ("X", pytest.approx(13.3), "否"),
        ("Z", 0.0, "否"),
    ]


def test_english_headers_on_request(client: TestClient) -> None:
    response = client.get(
        "/api/v1/analysis/over-standard",
        params={**AS_OF, "format": "csv", "level": "body", "only_over": "false"},
        headers={"Accept-Language": "en"},
    )
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:3] == ["Body ID", "Code", "Name"]


@pytest.mark.parametrize(
    ("path", "level"),
    [("/api/v1/analysis/over-standard", level) for level in ("room", "building", "campus", "body")]
    + [
        ("/api/v1/analysis/vacancy", level)
        for level in ("room", "idle_space", "floor", "building", "campus", "body")
    ]
    + [("/api/v1/analysis/data-quality", None), ("/api/v1/analysis/safety", None)],
)
def test_every_report_downloads_in_both_formats(
    client: TestClient, path: str, level: str | None
) -> None:
    params = {**AS_OF, **({"level": level} if level else {})}
    for fmt in ("csv", "xlsx"):
        response = client.get(path, params={**params, "format": fmt})
        assert response.status_code == 200, (path, level, fmt)
        assert len(response.content) > 10
