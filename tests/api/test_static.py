"""The vendored map assets are served by the app itself: no page needs a CDN."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gis_app.maps.assets import VENDOR_DIR


def test_vendored_leaflet_is_served(client: TestClient) -> None:
    response = client.get("/static/vendor/leaflet/leaflet.js")
    assert response.status_code == 200
    assert response.content == (VENDOR_DIR / "leaflet" / "leaflet.js").read_bytes()
    assert client.get("/static/vendor/no-such-file.js").status_code == 404
