"""Real clients: GDAL's OAPIF driver (ogrinfo, ogr2ogr) and OWSLib read the OGC API; and the
collection tiles are the map's tiles, fresh after an edit."""

from __future__ import annotations

import math
import os
import shutil
import subprocess

import pyogrio
import pytest
from sqlalchemy import text

OGRINFO = shutil.which("ogrinfo")
OGR2OGR = shutil.which("ogr2ogr")
needs_gdal = pytest.mark.skipif(
    OGRINFO is None, reason="GDAL's command-line tools (gdal-bin) are missing"
)


def _run(*args: str, headers: dict[str, str]) -> subprocess.CompletedProcess:
    """A GDAL command sending `headers` (GDAL_HTTP_HEADERS, as a user would set it)."""
    env = {**os.environ, "GDAL_HTTP_HEADERS": "\r\n".join(f"{k}: {v}" for k, v in headers.items())}
    return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False, env=env)


@needs_gdal
def test_ogrinfo_lists_the_collections(live_url, live_headers):
    listed = _run(OGRINFO, "-ro", "-q", f"OAPIF:{live_url}/ogc", headers=live_headers)
    assert listed.returncode == 0, listed.stderr
    assert "ERROR" not in listed.stderr
    for name in ("buildings (title: 建筑) (Multi Polygon)", "rooms (title: 房间) (Polygon)"):
        assert name in listed.stdout
    assert listed.stdout.count(" (title: ") == 10


@needs_gdal
def test_ogr2ogr_copies_one_floor_with_a_server_side_cql_filter(
    live_url, live_headers, sample_engine, tmp_path
):
    out = tmp_path / "floor.gpkg"
    where = "ordinal = 2 AND building_code = 'HZ-B000001'"
    copied = _run(
        OGR2OGR,
        "--debug",
        "on",
        "-f",
        "GPKG",
        str(out),
        f"OAPIF:{live_url}/ogc",
        "rooms",
        "-where",
        where,
        "-oo",
        "PAGE_SIZE=500",
        headers=live_headers,
    )
    assert copied.returncode == 0, copied.stderr[-2000:]
    fetches = [
        line for line in copied.stderr.splitlines() if "Fetch(" in line and "filter=" in line
    ]
    assert fetches, "GDAL evaluated the filter itself instead of sending it"
    frame = pyogrio.read_dataframe(out)
    with sample_engine.connect() as conn:
        expected = set(
            conn.execute(
                text(
                    "SELECT r.number FROM room r JOIN floor f ON f.id = r.floor_id"
                    " JOIN building b ON b.id = f.building_id"
                    " WHERE f.ordinal = 2 AND b.code = 'HZ-B000001'"
                )
            ).scalars()
        )
    assert expected and set(frame["number"]) == expected
    assert len(frame) == len(expected)


def test_owslib_reads_items(live_url, live_headers):
    from owslib.ogcapi.features import Features

    service = Features(f"{live_url}/ogc", headers=live_headers)
    ids = [c["id"] for c in service.collections()["collections"]]
    assert "rooms" in ids and "parcels" in ids
    page = service.collection_items("rooms", limit=7, level="0")
    assert len(page["features"]) == 7
    assert {f["properties"]["floor_name"] for f in page["features"]} == {"1F"}
    parcels = service.collection_items("parcels", limit=3, status="idle")
    assert {f["properties"]["status"] for f in parcels["features"]} == {"idle"}


def test_collection_tile_is_fresh_after_an_edit(ogc, sample_engine):
    with sample_engine.connect() as conn:
        room_id, x, y = conn.execute(
            text(
                "SELECT r.id, ST_X(ST_Centroid(r.geom)), ST_Y(ST_Centroid(r.geom)) FROM room r"
                " JOIN floor f ON f.id = r.floor_id WHERE f.ordinal = 0 ORDER BY r.id LIMIT 1"
            )
        ).one()
        status = conn.execute(
            text("SELECT status FROM room WHERE id = :id"), {"id": room_id}
        ).scalar_one()
    z = 19
    column = int((x + 180) / 360 * 2**z)
    row = int((1 - math.asinh(math.tan(math.radians(y))) / math.pi) / 2 * 2**z)
    path = f"/collections/rooms/tiles/WebMercatorQuad/{z}/{column}/{row}"
    first = ogc.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "private, max-age=0, must-revalidate"
    again = ogc.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    other = "vacant" if status != "vacant" else "in_use"
    try:
        with sample_engine.begin() as conn:
            conn.execute(
                text("UPDATE room SET status = :s WHERE id = :id"), {"s": other, "id": room_id}
            )
        edited = ogc.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert edited.status_code == 200
        assert edited.headers["etag"] != first.headers["etag"]
    finally:
        with sample_engine.begin() as conn:
            conn.execute(
                text("UPDATE room SET status = :s WHERE id = :id"), {"s": status, "id": room_id}
            )
    assert ogc.get("/collections/floors/tiles/WebMercatorQuad/19/1/1").status_code == 404
