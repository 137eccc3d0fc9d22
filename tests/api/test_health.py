"""GET /api/health."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gis_app.db.migrate import head_revision


def test_health_reports_postgis_and_schema_revision(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["postgis_version"].startswith("3.")
    assert body["schema_revision"] == head_revision() == body["schema_head"]
    assert body["schema_up_to_date"] is True
