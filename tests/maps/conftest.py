"""Small map data: a grid of scored parcels (numeric ramp) and ranked sites (points)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gis_app.maps import Category, CategoryStyle, MapLayer, RampStyle
from gis_app.maps.export import CHROMIUM


def _square(x: float, y: float, size: float) -> dict[str, Any]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def parcels() -> dict[str, Any]:
    """3 x 4 parcels near Hangzhou scored 0..11; the last one has no score."""
    features = []
    for i in range(4):
        for j in range(3):
            score: float | None = float(i * 3 + j) if (i, j) != (3, 2) else None
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": f"P{i}{j}", "name": f"地块{i}-{j}", "score": score},
                    "geometry": _square(120.10 + i * 0.01, 30.22 + j * 0.01, 0.008),
                }
            )
    return {"type": "FeatureCollection", "features": features}


@pytest.fixture
def sites() -> dict[str, Any]:
    """Three ranked sites, two of them recommended."""
    rows = [(1, "yes", 120.114, 30.244), (2, "yes", 120.124, 30.234), (3, "no", 120.134, 30.224)]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"rank": rank, "advice": advice},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
            for rank, advice, lon, lat in rows
        ],
    }


@pytest.fixture
def layers(parcels: dict[str, Any], sites: dict[str, Any]) -> list[MapLayer]:
    """A ramp polygon layer under a category point layer, as a site selection shows them."""
    return [
        MapLayer(
            title="候选地块 Candidate parcels",
            data=parcels,
            style=RampStyle(
                property="score",
                vmin=0,
                vmax=10,
                colors=["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
            ),
            tooltip={"name": "名称 Name", "score": "得分 Score"},
            popup={"code": "编号 Code"},
            caption="得分 Score",
        ),
        MapLayer(
            title="推荐选址 Ranked sites",
            data=sites,
            style=CategoryStyle(
                property="advice",
                categories=[
                    Category(
                        value="yes",
                        color="#d7191c",
                        label_zh="推荐 Recommended",
                        label_en="Recommended",
                    ),
                    Category(
                        value="no",
                        color="#2b83ba",
                        label_zh="备选 Alternative",
                        label_en="Alternative",
                    ),
                ],
                radius=8,
                outline="#ffffff",
                weight=2,
                fill_opacity=0.9,
            ),
            tooltip={"rank": "排名 Rank"},
            caption="建议 Advice",
        ),
    ]


@pytest.fixture
def chromium() -> Path:
    """The system Chromium; CI installs it with scripts/ensure-system.sh."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/ensure-system.sh (apt chromium)")
    return CHROMIUM
