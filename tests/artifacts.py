"""Pictures the tests save for people to look at (var/test-artifacts, gitignored)."""

from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "test-artifacts"


def save_map_screenshot(page: str, stem: str, width: int, height: int) -> Path:
    """Write `page` as `stem`.html and its screenshot as `stem`.png through system Chromium
    (which may reach nothing but 127.0.0.1); skips the test when there is no Chromium."""
    from gis_app.maps.export import CHROMIUM, screenshot

    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (scripts/ensure-system.sh installs it)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    html = ARTIFACTS / f"{stem}.html"
    html.write_text(page, encoding="utf-8")
    return screenshot(html, ARTIFACTS / f"{stem}.png", width, height)
