"""GIS clients that sign in the way their users set them up: GDAL with a user name and
password (`GDAL_HTTP_USERPWD`, sent as HTTP Basic) and OWSLib with
`owslib.util.Authentication`. Without credentials GDAL is refused with 401; a body's asset
officer signed in by Basic reads only rooms of buildings its body holds or uses. (A bearer
token through `GDAL_HTTP_HEADERS` is test_clients.py.)"""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.accounts.users import add_user
from sample_geodata.accounts import SHARED_BODIES
from tests.auth import TEST_PASSWORD
from tests.ogc.test_clients import OGRINFO, needs_gdal

SCOPED_BUILDINGS = text(
    "SELECT b.id FROM building b, (SELECT gis_org_subtree(o.id) AS ids FROM organisation o"
    " WHERE o.code = :code) s WHERE b.title_holder_id = ANY (s.ids)"
    " OR EXISTS (SELECT 1 FROM floor f JOIN room r ON r.floor_id = f.id"
    "  WHERE f.building_id = b.id AND r.organisation_id = ANY (s.ids))"
)
"""The buildings a unit_officer of body `code` may see: held or used by its subtree."""


@pytest.fixture(scope="module")
def officer(sample_engine) -> dict:
    """A unit_officer of body A (of the access tests) with a password, and its buildings."""
    login = f"gis-client-{uuid.uuid4().hex[:6]}"
    with Session(sample_engine) as session, session.begin():
        code = session.scalars(SHARED_BODIES).first()
        add_user(session, login, "unit_officer", org_code=code, password=TEST_PASSWORD)
        buildings = set(session.scalars(SCOPED_BUILDINGS, {"code": code}))
    assert buildings
    return {"login": login, "buildings": buildings}


def _ogrinfo(url: str, userpwd: str | None) -> subprocess.CompletedProcess:
    """`ogrinfo` on the OGC API, with `GDAL_HTTP_USERPWD` when given and no other
    credentials (none inherited from the environment either)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GDAL_HTTP_HEADERS", "GDAL_HTTP_USERPWD", "GDAL_HTTP_AUTH")
    }
    if userpwd is not None:
        env["GDAL_HTTP_USERPWD"] = userpwd
    return subprocess.run(
        (OGRINFO, "-ro", "-q", f"OAPIF:{url}/ogc"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


@needs_gdal
def test_ogrinfo_signs_in_with_a_user_name_and_password(live_url, officer):
    listed = _ogrinfo(live_url, f"{officer['login']}:{TEST_PASSWORD}")
    assert listed.returncode == 0, listed.stderr
    assert "ERROR" not in listed.stderr
    assert "rooms (title: 房间) (Polygon)" in listed.stdout
    assert listed.stdout.count(" (title: ") == 10


@needs_gdal
def test_ogrinfo_without_credentials_is_refused_with_401(live_url, officer):
    refused = _ogrinfo(live_url, None)
    assert refused.returncode != 0
    assert "401" in refused.stderr, refused.stderr
    assert " (title: " not in refused.stdout
    wrong = _ogrinfo(live_url, f"{officer['login']}:not the password")
    assert wrong.returncode != 0
    assert "401" in wrong.stderr, wrong.stderr


def test_owslib_reads_items_with_a_user_name_and_password(live_url, officer):
    from owslib.ogcapi.features import Features
    from owslib.util import Authentication

    auth = Authentication(officer["login"], TEST_PASSWORD)
    service = Features(f"{live_url}/ogc", auth=auth)
    ids = [c["id"] for c in service.collections()["collections"]]
    assert "rooms" in ids
    page = service.collection_items("rooms", limit=200, level="0")
    assert page["features"]
    seen = {f["properties"]["building_id"] for f in page["features"]}
    assert seen <= officer["buildings"], seen - officer["buildings"]
    wrong = Features(f"{live_url}/ogc", auth=Authentication(officer["login"], "wrong"))
    with pytest.raises(RuntimeError, match="NotSignedIn"):
        wrong.collection_items("rooms", limit=1)
