"""`/metrics` and the access log, on an app over three hand-placed buildings: requests
counted by route template (never the path asked, an id or a user), the pool, tiles and
imports counted; only an admin or (when the setting allows) a local caller may scrape;
one JSON access log line per request with nothing of the caller in it.

The series live in the process's registry, which every app of the test session shares:
each test compares a scrape after its requests with one before them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db.engine import make_engine
from gis_app.layers.grid import tile_at
from tests.api.conftest import seed_buildings
from tests.auth import auth_headers
from tests.ingest.helpers import geojson, square

BUILDING_ROUTE = "/api/v1/buildings/{building_id}"
ADMIN_LOGIN = "test-admin-all"
"""The login `tests.auth` gives the admin user: it must show nowhere in a scrape or a log."""
LOCAL = ("127.0.0.1", 40000)


def admin_token(url: str) -> str:
    return auth_headers(url)["Authorization"].removeprefix("Bearer ")


@pytest.fixture(scope="module")
def url(new_database: Callable[[], str]) -> str:
    """Three buildings placed with their own ids (the id sequence moved past them)."""
    url = new_database()
    seed_buildings(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SELECT setval(pg_get_serial_sequence('building', 'id'), 100)"))
    engine.dispose()
    return url


def _client(url: str, *, client: tuple[str, int] = ("testclient", 50000), **settings) -> TestClient:
    return TestClient(create_app(Settings(database_url=url, **settings)), client=client)


@pytest.fixture(scope="module")
def remote(url: str) -> Iterator[TestClient]:
    """A client on another machine (TestClient's peer is `testclient`), no credentials."""
    with _client(url) as client:
        yield client


def scrape(client: TestClient, url: str) -> str:
    response = client.get("/metrics", headers=auth_headers(url))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def value(scraped: str, name: str, **labels: str) -> float:
    """The sample `name` with exactly `labels` in a scrape (0 when absent)."""
    for family in text_string_to_metric_families(scraped):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def p95(scraped: str, route: str, method: str = "GET", status: str = "2xx") -> float:
    """The 95th percentile's bucket bound of a route's durations (seconds)."""
    buckets = []
    for family in text_string_to_metric_families(scraped):
        for s in family.samples:
            if s.name == "gis_http_request_duration_seconds_bucket" and (
                s.labels.get("route"),
                s.labels.get("method"),
                s.labels.get("status"),
            ) == (route, method, status):
                buckets.append((float(s.labels["le"]), s.value))
    buckets.sort()
    total = buckets[-1][1]
    return next(bound for bound, count in buckets if count >= 0.95 * total)


def test_a_scrape_counts_requests_by_route_template_and_names_no_one(
    remote: TestClient, url: str
) -> None:
    admin = auth_headers(url)
    labels = {"method": "GET", "route": BUILDING_ROUTE}
    before = scrape(remote, url)
    for building_id in (1, 2, 3):
        assert remote.get(f"/api/v1/buildings/{building_id}", headers=admin).status_code == 200
    assert remote.get("/api/v1/buildings/987654", headers=admin).status_code == 404
    assert remote.get("/no/such/page/424242", headers=admin).status_code == 404
    after = scrape(remote, url)

    def grew(name: str, **more: str) -> float:
        return value(after, name, **more) - value(before, name, **more)

    assert grew("gis_http_requests_total", **labels, status="2xx") == 3
    assert grew("gis_http_requests_total", **labels, status="4xx") == 1
    assert grew("gis_http_request_duration_seconds_count", **labels, status="2xx") == 3
    assert grew("gis_http_requests_total", method="GET", route="(unmatched)", status="4xx") == 1
    assert p95(after, BUILDING_ROUTE) <= 30.0
    assert value(after, "gis_http_requests_in_flight") >= 1
    assert value(after, "gis_db_pool_size") >= 5
    assert value(after, "gis_db_pool_max_overflow") >= 10
    assert value(after, "gis_db_pool_checked_out") >= 0
    assert value(after, "process_cpu_seconds_total") > 0
    for personal in ("987654", "424242", "/buildings/1", ADMIN_LOGIN, admin_token(url)):
        assert personal not in after
    assert not re.search(r'route="[^"]*/\d+', after), "a concrete path as a route label"


def test_only_an_admin_may_scrape_from_elsewhere(remote: TestClient, url: str) -> None:
    anonymous = remote.get("/metrics")
    assert anonymous.status_code == 401 and "Bearer" in anonymous.headers["www-authenticate"]
    viewer = remote.get("/metrics", headers=auth_headers(url, "viewer", "ORG-1"))
    assert viewer.status_code == 403 and viewer.json()["detail"]["right"] == "admin"
    manager = remote.get("/metrics", headers=auth_headers(url, "office_manager"))
    assert manager.status_code == 403
    assert remote.get("/metrics", headers=auth_headers(url)).status_code == 200


def test_loopback_scrapes_unless_proxied_or_the_setting_says_admin(url: str) -> None:
    with _client(url, client=LOCAL) as local:
        assert local.get("/metrics").status_code == 200
        assert local.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 401
        assert local.get("/metrics", headers={"Forwarded": "for=10.1.2.3"}).status_code == 401
    with _client(url, client=LOCAL, metrics_access="admin") as admin_only:
        assert admin_only.get("/metrics").status_code == 401
        assert admin_only.get("/metrics", headers=auth_headers(url)).status_code == 200
    with _client(url, client=LOCAL, metrics_access="off") as off:
        assert off.get("/metrics", headers=auth_headers(url)).status_code == 404


def test_tiles_and_imports_are_counted(remote: TestClient, url: str, tmp_path: Path) -> None:
    admin = auth_headers(url)
    z, lon, lat = 16, 120.1005, 30.2505
    x, y = tile_at(lon, lat, z)
    path = geojson(
        tmp_path / "b.geojson", [({"code": "M-1", "name": "楼"}, square(121, 31, 0.001))]
    )
    before = scrape(remote, url)
    tile = remote.get(f"/tiles/buildings/{z}/{x}/{y}.mvt", headers=admin)
    assert tile.status_code == 200, tile.text
    again = remote.get(
        f"/tiles/buildings/{z}/{x}/{y}.mvt",
        headers={**admin, "If-None-Match": tile.headers["etag"]},
    )
    assert again.status_code == 304
    written = remote.post(
        "/api/v1/imports",
        files={"file": ("b.geojson", path.read_bytes())},
        data={"target": "building", "defaults": json.dumps({"floors_above": 2})},
        headers=admin,
    )
    assert written.status_code == 200 and written.json()["written"] == 1, written.text
    refused = remote.post(
        "/api/v1/imports",
        files={"file": ("b.geojson", b"{not json")},
        data={"target": "building"},
        headers=admin,
    )
    assert refused.status_code == 422
    after = scrape(remote, url)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("gis_tiles_served_total", layer="buildings", result="tile") == 1
    assert grew("gis_tiles_served_total", layer="buildings", result="not_modified") == 1
    assert grew("gis_tile_bytes_total", layer="buildings") == len(tile.content)
    assert grew("gis_import_rows_written_total", target="building") == 1
    assert grew("gis_import_failures_total", importer="features") == 1
    assert "b.geojson" not in after


def test_one_json_access_line_per_request_with_nothing_of_the_caller(
    remote: TestClient, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = admin_token(url)
    with caplog.at_level(logging.INFO, logger="gis_app.access"):
        given = remote.get(
            "/api/v1/buildings/2?q=王小明",
            headers={**auth_headers(url), "X-Request-ID": "proxy-id.42"},
        )
        made = remote.get("/api/v1/buildings/3", headers={"X-Request-ID": "no spaces, please"})
    assert given.headers["x-request-id"] == "proxy-id.42"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    lines = [r.getMessage() for r in caplog.records if r.name == "gis_app.access"]
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"time", "method", "route", "status", "duration_ms", "bytes", "request_id"}
    assert first["route"] == BUILDING_ROUTE and first["method"] == "GET"
    assert (first["status"], first["request_id"]) == (200, "proxy-id.42")
    assert first["bytes"] == len(given.content) and first["duration_ms"] > 0
    assert (second["status"], second["request_id"]) == (401, made.headers["x-request-id"])
    for personal in ("王小明", "q=", "/buildings/2", token, ADMIN_LOGIN, "testclient"):
        assert all(personal not in line for line in lines)
