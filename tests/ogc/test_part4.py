"""OGC API Features Part 4 as QGIS uses it: OPTIONS, POST, GET with ETag, PATCH and PUT
with If-Match, DELETE; in CRS84 and in EPSG:4490's own lat/lon order. Preconditions (428,
412, concurrent changes), refusals (400, 403, 404, 422) write nothing; the audit log names
the user and the action.

The district is a demo database of this module's own, so the writes touch no other test's
data; the clients are signed-in users going through row-level security."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db.engine import make_engine
from tests.auth import auth_headers

GEOJSON = "application/geo+json"
LATLON = "http://www.opengis.net/def/crs/EPSG/0/4490"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture(scope="module")
def part4_db(
    demo_database: Callable[[Path], tuple[str, dict]], tmp_path_factory: pytest.TempPathFactory
) -> str:
    url, _ = demo_database(tmp_path_factory.mktemp("part4"))
    return url


@pytest.fixture(scope="module")
def owner(part4_db: str) -> Iterator[Engine]:
    """The owner's engine: sees everything, for checking what was stored."""
    eng = make_engine(part4_db)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def app(part4_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    settings = Settings(database_url=part4_db, raster_dir=tmp_path_factory.mktemp("rasters"))
    application = create_app(settings)
    with TestClient(application):
        yield application


@pytest.fixture(scope="module")
def bodies(owner: Engine) -> dict[str, dict]:
    """Two bodies with rooms (A, B): code, id, and a room of each."""
    with owner.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.code, o.id, min(r.id) FROM room r JOIN organisation o"
                " ON o.id = r.organisation_id GROUP BY o.code, o.id ORDER BY count(*) DESC LIMIT 2"
            )
        ).all()
    return {
        name: {"code": c, "id": i, "room": r} for name, (c, i, r) in zip("AB", rows, strict=False)
    }


def _client(app: FastAPI, url: str, role: str, org: str | None = None) -> TestClient:
    return TestClient(app, headers=auth_headers(url, role, org))


@pytest.fixture(scope="module")
def admin(app: FastAPI, part4_db: str) -> TestClient:
    return _client(app, part4_db, "admin")


@pytest.fixture(scope="module")
def square(owner: Engine) -> tuple[float, float]:
    """The south-west corner of an empty spot east of the district's buildings."""
    with owner.connect() as conn:
        east, south = conn.execute(
            text("SELECT ST_XMax(ST_Extent(geom)), ST_YMin(ST_Extent(geom)) FROM building")
        ).one()
    return round(east + 0.01, 6), round(south, 6)


def _ring(x: float, y: float, size: float) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def _counts(owner: Engine) -> dict[str, int]:
    with owner.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608 (fixed names)
            for t in ("building", "floor", "room", "audit_log")
        }


def _feature(geometry: dict | None, **properties: object) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _post(client: TestClient, collection: str, body: dict, crs: str | None = None):
    headers = {"Content-Type": GEOJSON}
    if crs:
        headers["Content-Crs"] = f"<{crs}>"
    return client.post(f"/ogc/collections/{collection}/items", json=body, headers=headers)


@pytest.fixture(scope="module")
def floor(admin: TestClient, square: tuple[float, float]) -> dict:
    """A building and one floor of it, POSTed as an admin: where the rooms go."""
    x, y = square
    polygon = {"type": "Polygon", "coordinates": [_ring(x, y, 0.0005)]}
    answer = _post(
        admin,
        "buildings",
        _feature(polygon, code="P4-TEST", name="第四部分测试楼", floors_above=3),
    )
    assert answer.status_code == 201, answer.text
    building = answer.json()
    assert building["properties"]["floors_below"] == 0  # the import's default
    assert answer.headers["Location"].endswith(f"/ogc/collections/buildings/items/{building['id']}")
    answer = _post(admin, "floors", _feature(polygon, building_id=building["id"], ordinal=0))
    assert answer.status_code == 201, answer.text
    assert answer.json()["properties"]["name"] == "1F"
    return {"building": building, "id": answer.json()["id"], "corner": (x, y)}


def test_options_lists_what_the_caller_may_do(app: FastAPI, part4_db: str, bodies) -> None:
    editor = _client(app, part4_db, "unit_officer", bodies["A"]["code"])
    viewer = _client(app, part4_db, "viewer", bodies["A"]["code"])
    for client, writes in ((editor, True), (viewer, False)):
        answer = client.options("/ogc/collections/rooms/items")
        assert answer.status_code == 204
        allow = {m.strip() for m in answer.headers["Allow"].split(",")}
        assert {"GET", "HEAD", "OPTIONS"} <= allow
        assert ("POST" in allow) is writes
        answer = client.options(f"/ogc/collections/rooms/items/{bodies['A']['room']}")
        allow = {m.strip() for m in answer.headers["Allow"].split(",")}
        assert ({"PUT", "PATCH", "DELETE"} <= allow) is writes
    analysis = editor.options("/ogc/collections/building_vacancy/items")
    assert "POST" not in analysis.headers["Allow"]
    roads = editor.options("/ogc/collections/roads/items")  # the city's data: `import` right
    assert "POST" not in roads.headers["Allow"]
    assert TestClient(app).options("/ogc/collections/rooms/items").status_code == 401


def test_conformance_lists_part_4(admin: TestClient) -> None:
    classes = admin.get("/ogc/conformance").json()["conformsTo"]
    for name in ("create-replace-delete", "update", "features"):
        assert f"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/{name}" in classes


@pytest.mark.parametrize("crs", [None, LATLON], ids=["CRS84", "EPSG4490-latlon"])
def test_qgis_sequence(admin: TestClient, owner: Engine, floor: dict, crs: str | None) -> None:
    x, y = floor["corner"]
    ring = _ring(x + 0.0001, y + 0.0001, 0.0001)
    sent = [[lat, lon] for lon, lat in ring] if crs == LATLON else ring
    body = _feature(
        {"type": "Polygon", "coordinates": [sent]},
        floor_id=floor["id"],
        number="P4-101",
        category="office",
        status="vacant",
        building_code="P4-TEST",  # read only, sent back as QGIS does: must match
    )
    created = _post(admin, "rooms", body, crs)
    assert created.status_code == 201, created.text
    assert created.headers["Content-Crs"] == f"<{crs or CRS84}>"
    room_id = created.json()["id"]
    assert created.json()["properties"]["usable_area_m2"] > 50  # measured from the outline
    with owner.connect() as conn:
        same, local_srid, who, action = conn.execute(
            text(
                "SELECT ST_Equals(r.geom, ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490)),"
                " ST_SRID(r.local_geom), a.who, a.action FROM room r JOIN audit_log a"
                " ON a.table_name = 'room' AND a.operation = 'INSERT' AND a.after ->> 'id' = :key"
                " WHERE r.id = :id ORDER BY a.id DESC LIMIT 1"
            ),
            {
                "g": f'{{"type":"Polygon","coordinates":[{ring}]}}',
                "id": room_id,
                "key": str(room_id),
            },
        ).one()
    assert same, "the lat/lon body is stored at the same place as the lon/lat one"
    assert local_srid == 0
    assert (who, action) == ("test-admin-all", "ogc.create")

    path = f"/ogc/collections/rooms/items/{room_id}"
    got = admin.get(path)
    tag = got.headers["ETag"]
    assert tag.startswith('"') and tag == created.headers["ETag"]

    patched = admin.patch(
        path,
        json={"type": "Feature", "properties": {"name": "甲"}},
        headers={"If-Match": tag, "Content-Type": GEOJSON},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["properties"]["name"] == "甲"
    assert patched.json()["properties"]["category"] == "office"
    assert patched.headers["ETag"] != tag

    replaced = admin.put(
        path,
        json=_feature(
            body["geometry"],
            floor_id=floor["id"],
            number="P4-102",
            category="office",
            status="vacant",
        ),
        headers={"If-Match": patched.headers["ETag"], "Content-Type": GEOJSON}
        | ({"Content-Crs": f"<{crs}>"} if crs else {}),
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["properties"]["name"] is None  # not given: reset
    assert replaced.json()["properties"]["number"] == "P4-102"

    with owner.connect() as conn:
        audit = (
            conn.execute(
                text(
                    "SELECT action FROM audit_log WHERE table_name = 'room'"
                    " AND coalesce(after, before) ->> 'id' = :k ORDER BY id"
                ),
                {"k": str(room_id)},
            )
            .scalars()
            .all()
        )
    assert "ogc.update" in audit and "ogc.replace" in audit

    gone = admin.delete(path, headers={"If-Match": replaced.headers["ETag"]})
    assert gone.status_code == 204
    assert admin.get(path).status_code == 404


@pytest.fixture
def room(admin: TestClient, floor: dict) -> Iterator[dict]:
    """A room on the test floor (deleted afterwards, by the owner)."""
    x, y = floor["corner"]
    body = _feature(
        {"type": "Polygon", "coordinates": [_ring(x + 0.0003, y + 0.0003, 0.0001)]},
        floor_id=floor["id"],
        number="P4-201",
        category="office",
        status="vacant",
    )
    answer = _post(admin, "rooms", body)
    assert answer.status_code == 201, answer.text
    yield {"id": answer.json()["id"], "etag": answer.headers["ETag"], "body": body}
    admin.delete(f"/ogc/collections/rooms/items/{answer.json()['id']}", headers={"If-Match": "*"})


def _patch(client: TestClient, room_id: int, etag: str | None, **properties: object):
    headers = {"Content-Type": GEOJSON} | ({"If-Match": etag} if etag else {})
    return client.patch(
        f"/ogc/collections/rooms/items/{room_id}",
        json={"type": "Feature", "properties": properties},
        headers=headers,
    )


def test_preconditions(admin: TestClient, owner: Engine, room: dict) -> None:
    before = _counts(owner)
    missing = _patch(admin, room["id"], None, name="x")
    assert missing.status_code == 428
    assert admin.delete(f"/ogc/collections/rooms/items/{room['id']}").status_code == 428
    first = _patch(admin, room["id"], room["etag"], name="一")
    assert first.status_code == 200
    stale = _patch(admin, room["id"], room["etag"], name="二")
    assert stale.status_code == 412
    assert stale.headers["ETag"] == first.headers["ETag"]
    assert stale.json()["detail"]["code"] == "PreconditionFailed"
    assert (
        admin.get(f"/ogc/collections/rooms/items/{room['id']}").json()["properties"]["name"] == "一"
    )
    after = _counts(owner)
    assert after["audit_log"] == before["audit_log"] + 1  # the one change that went through


def test_two_concurrent_patches_one_wins(
    app: FastAPI, part4_db: str, owner: Engine, room: dict
) -> None:
    clients = [_client(app, part4_db, "admin") for _ in range(2)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def change(client: TestClient, name: str) -> None:
        barrier.wait()
        statuses.append(_patch(client, room["id"], room["etag"], name=name).status_code)

    threads = [
        threading.Thread(target=change, args=(c, n)) for c, n in zip(clients, "ab", strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [200, 412]


def test_refusals_write_nothing(
    app: FastAPI, part4_db: str, admin: TestClient, owner: Engine, room: dict, floor: dict, bodies
) -> None:
    before = _counts(owner)
    bad_crs = _post(admin, "rooms", room["body"], crs="http://www.opengis.net/def/crs/EPSG/0/2000")
    assert bad_crs.status_code == 400 and bad_crs.json()["detail"]["field"] == "Content-Crs"
    for properties, field in (
        ({"colour": "red"}, "colour"),
        ({"status": 5}, "status"),
        ({"status": "bogus"}, "status"),
        ({"usable_area_m2": "big"}, "usable_area_m2"),
        ({"building_code": "ELSEWHERE"}, "building_code"),
    ):
        answer = _patch(admin, room["id"], room["etag"], **properties)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"]["field"] == field
    missing = _post(admin, "rooms", _feature(room["body"]["geometry"], floor_id=floor["id"]))
    assert missing.status_code == 422 and missing.json()["detail"]["field"] == "number"
    x, y = floor["corner"]
    for geometry in (
        {"type": "Point", "coordinates": [x, y]},
        {
            "type": "Polygon",
            "coordinates": [[[x, y], [x + 1e-4, y + 1e-4], [x + 1e-4, y], [x, y + 1e-4], [x, y]]],
        },
        {"type": "Polygon", "coordinates": []},
    ):
        body = room["body"] | {"geometry": geometry}
        body["properties"] = body["properties"] | {"number": "P4-X"}
        answer = _post(admin, "rooms", body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"]["field"] == "geometry"
    outside = room["body"] | {
        "geometry": {"type": "Polygon", "coordinates": [_ring(x + 0.0004, y + 0.0004, 0.0003)]}
    }
    outside["properties"] = outside["properties"] | {"number": "P4-OUT"}
    answer = _post(admin, "rooms", outside)
    assert answer.status_code == 422 and "P4-OUT" in answer.json()["detail"]["message"]
    viewer = _client(app, part4_db, "viewer", bodies["A"]["code"])
    assert _post(viewer, "rooms", room["body"]).status_code == 403
    officer = _client(app, part4_db, "unit_officer", bodies["A"]["code"])
    other = officer.get(f"/ogc/collections/rooms/items/{bodies['B']['room']}")
    assert other.status_code == 404
    assert _patch(officer, bodies["B"]["room"], '"x"', name="x").status_code == 404
    assert (
        officer.delete(
            f"/ogc/collections/rooms/items/{bodies['B']['room']}", headers={"If-Match": "*"}
        ).status_code
        == 404
    )
    assert _post(officer, "roads", _feature(None)).status_code == 403
    assert _counts(owner) == before


def test_a_unit_officer_edits_its_own_room(
    app: FastAPI, part4_db: str, owner: Engine, bodies
) -> None:
    officer = _client(app, part4_db, "unit_officer", bodies["A"]["code"])
    path = f"/ogc/collections/rooms/items/{bodies['A']['room']}"
    tag = officer.get(path).headers["ETag"]
    answer = _patch(officer, bodies["A"]["room"], tag, subtype="P4")
    assert answer.status_code == 200, answer.text
    with owner.connect() as conn:
        who, action = conn.execute(
            text(
                "SELECT who, action FROM audit_log WHERE table_name = 'room'"
                " AND coalesce(after, before) ->> 'id' = :k"
                " ORDER BY id DESC LIMIT 1"
            ),
            {"k": str(bodies["A"]["room"])},
        ).one()
    assert who == f"test-unit_officer-{bodies['A']['code'].lower()}" and action == "ogc.update"
