"""Printed PDFs of a floor plan and a map view over the demo district, read back with pypdf:
one page of the paper asked for, and the title, legend, scale (bar and ratio), north arrow,
dates and standard present as text. Each PDF is also drawn to PNG (pdftoppm, when the
machine has it) in the test artifacts to be looked at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.config import Settings
from gis_app.maps.export import CHROMIUM
from tests.artifacts import ARTIFACTS
from tests.auth import app_client

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")

MM_TO_PT = 72 / 25.4
A4_LANDSCAPE_PT = (297 * MM_TO_PT, 210 * MM_TO_PT)  # 841.9 × 595.3
A3_PORTRAIT_PT = (297 * MM_TO_PT, 420 * MM_TO_PT)  # 841.9 × 1190.6
BBOX = "120.10,30.22,120.20,30.30"


@pytest.fixture(scope="module")
def client(sample_db: dict) -> Iterator[TestClient]:
    settings = Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"])
    with app_client(settings) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def floor(sample_engine) -> dict:
    """The first building's second floor (ordinal 1), as the database has it."""
    with Session(sample_engine) as session:
        row = session.execute(
            text(
                "SELECT b.id, b.name, f.name AS floor, count(r.id) AS rooms "
                "FROM building b JOIN floor f ON f.building_id = b.id AND f.ordinal = 1 "
                "JOIN room r ON r.floor_id = f.id GROUP BY b.id, f.name ORDER BY b.id LIMIT 1"
            )
        ).one()
    return dict(row._mapping)


def _pdf(client: TestClient, path: str, stem: str, **params: object) -> tuple[PdfReader, str]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{stem}.pdf").write_bytes(response.content)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", f"{stem}.pdf", stem],
            cwd=ARTIFACTS,
            check=True,
        )
    reader = PdfReader(io.BytesIO(response.content))
    words = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    return reader, words


def _size(reader: PdfReader) -> tuple[float, float]:
    box = reader.pages[0].mediabox
    return float(box.width), float(box.height)


def test_floor_plan_a4_landscape(client: TestClient, floor: dict) -> None:
    reader, words = _pdf(
        client,
        "/print/floor-plan",
        "print_floor_a4",
        building=floor["id"],
        level=1,
        as_of="2026-11-28",
    )
    assert len(reader.pages) == 1
    assert _size(reader) == pytest.approx(A4_LANDSCAPE_PT, abs=1)
    title = re.sub(r"\s+", "", f"{floor['name']}{floor['floor']}楼层平面图")
    assert title in words
    assert "图例" in words and "空置" in words and "在用办公室" in words  # legend
    assert re.search(r"比例尺1:[\d,]+", words)  # the ratio
    assert re.search(r"\d+m", words)  # Leaflet's scale bar, in metres
    assert "北" in words  # the north arrow's letter
    assert f"打印日期：{date.today().isoformat()}" in words
    assert "数据日期：2026-11-28" in words
    assert "党政机关办公用房建设标准（2014）" in words
    assert f"房间{floor['rooms']}间" in words


def test_floor_plan_a3_portrait(client: TestClient, floor: dict) -> None:
    reader, words = _pdf(
        client,
        "/print/floor-plan",
        "print_floor_a3",
        building=floor["id"],
        level=1,
        paper="A3",
        orientation="portrait",
    )
    assert len(reader.pages) == 1
    assert _size(reader) == pytest.approx(A3_PORTRAIT_PT, abs=1)
    assert "数据日期" not in words  # no as_of asked: the figures are today's
    assert "图例" in words and "比例尺1:" in words


def test_map_view(client: TestClient) -> None:
    reader, words = _pdf(
        client,
        "/print/map",
        "print_map_a4",
        bbox=BBOX,
        layers="parcels_landuse,buildings_vacancy",
        title="西湖",
    )
    assert len(reader.pages) == 1
    assert _size(reader) == pytest.approx(A4_LANDSCAPE_PT, abs=1)
    assert "地图视图：西湖" in words
    assert "图例" in words and "建筑空置率" in words
    assert re.search(r"比例尺1:[\d,]+", words) and re.search(r"\d+(k?m)", words)
    assert "党政机关办公用房建设标准（2014）" in words


def test_print_view_is_html(client: TestClient, floor: dict) -> None:
    response = client.get(
        "/print/floor-plan", params={"building": floor["id"], "level": 1, "format": "html"}
    )
    assert response.status_code == 200
    assert "@page { size: 297mm 210mm; margin: 0; }" in response.text
    assert 'id="print-legend"' in response.text and 'id="print-north"' in response.text


@pytest.mark.parametrize(
    ("path", "params", "status", "field"),
    [
        ("/print/floor-plan", {"building": 1, "level": 99}, 404, "floor"),
        ("/print/floor-plan", {"building": 999999}, 404, "building"),
        ("/print/floor-plan", {"building": 1, "paper": "B5"}, 422, "paper"),
        ("/print/floor-plan", {"building": 1, "orientation": "up"}, 422, "orientation"),
        ("/print/map", {}, 422, "bbox"),
        ("/print/map", {"bbox": BBOX, "layers": "nope"}, 404, "nope"),
    ],
)
def test_bad_input(client: TestClient, path: str, params: dict, status: int, field: str) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    assert field in response.text
