"""The authorisation matrix: every route of every router × anonymous and each role, one
request each, generated from the route list so that a route added without a rule, or with
a path parameter this file has no value for, fails here.

The expectation comes from the rights the route declares (`needs(Right.X)`) and the role
table (`ROLE_RIGHTS`): no credentials → 401 with a challenge (API, OGC, tiles) or the
sign-in page (pages); signed in without the right → 403 naming it; with it → neither (the
request may still be a 404 or a 422: the sample values are cheap, not always valid). No
answer is a 500, and nothing is written on any refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.params import Form
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from gis_app.accounts.rights import ROLE_RIGHTS, Right
from gis_app.app import ROUTERS
from gis_app.http.auth import route_rights

API_PREFIXES = ("/api/", "/ogc", "/tiles/", "/metrics")
"""Paths whose callers are programs: 401 with WWW-Authenticate; elsewhere a browser's GET
is sent to the sign-in page."""

CALLERS: dict[str, tuple[str, str | None] | None] = {
    "anonymous": None,
    "admin": ("admin", None),
    "office_manager": ("office_manager", None),
    "unit_officer": ("unit_officer", "A"),
    "viewer": ("viewer", "A"),
    "auditor": ("auditor", None),
}
"""Who asks: no credentials, or (role, body the scope is rooted at: A, or None for all)."""

WRITE_RIGHTS = frozenset({Right.EDIT, Right.IMPORT, Right.ADMIN})
UNSAFE_BUT_READ_ONLY = frozenset(
    {
        ("POST", "/login"),
        ("POST", "/logout"),
        ("POST", "/api/v1/me/password"),
        ("POST", "/api/v1/me/tokens"),
        ("DELETE", "/api/v1/me/tokens/{token_id}"),
        ("POST", "/api/v1/analysis/idle-space-match"),
        ("POST", "/api/v1/land/search"),
        ("POST", "/api/v1/land/site-selection"),
        ("POST", "/api/v1/land/presets/{preset_id}/run"),
        ("POST", "/api/v1/imdf/validate"),
    }
)
"""Routes that are not GET but change nothing of the data (one's own account and session,
searches and analyses that never commit, a file check): they need no write right. Any
other POST/PUT/PATCH/DELETE must ask for edit, import or admin."""

NO_SUCH_ID = 2_000_000_000
"""An id nothing has: routes that delete by id are asked for this one."""


@dataclass(frozen=True)
class Call:
    """One route as the matrix calls it."""

    method: str
    path: str
    url: str
    params: dict[str, Any]
    json: Any
    rights: frozenset[Right]

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


@pytest.fixture(scope="module")
def samples(access_engine: Engine, bodies: dict, shared_place: dict) -> dict[str, dict[str, Any]]:
    """Values for path and query parameters, by name: things body A can see (its floor and a
    room of it in the shared building), so every caller's answer says what its role may do.
    Analyses are asked at building level: rooms (their default) are refused to roles that do
    not manage bodies, a rule of the handler that test_leaks checks."""
    with access_engine.connect() as conn:
        floor_id, room_id = conn.execute(
            text(
                "SELECT f.id, min(r.id) FROM floor f JOIN room r ON r.floor_id = f.id"
                " WHERE f.building_id = :b AND r.organisation_id = :a GROUP BY f.id"
                " ORDER BY f.id LIMIT 1"
            ),
            {"b": bodies["shared_building"], "a": bodies["A"]["id"]},
        ).one()
    x, y = shared_place["tile"]
    path = {
        "token_id": NO_SUCH_ID,
        "building_id": bodies["shared_building"],
        "body_id": bodies["A"]["id"],
        "preset_id": NO_SUCH_ID,
        "code": "dem",
        "kind": "staff",
        "floor_id": floor_id,
        "ordinal": 0,
        "layer": "rooms",
        "layer_id": "rooms",
        "collection_id": "rooms",
        "feature_id": room_id,
        "room_id": room_id,
        "staff_id": NO_SUCH_ID,
        "organisation_id": NO_SUCH_ID,
        "change_id": NO_SUCH_ID,
        "z": 18,
        "x": x,
        "y": y,
    }
    query = {
        "q": "办公",
        "layers": "buildings",
        "bbox": shared_place["bbox"],
        "building": shared_place["code"],
        "limit": 1,
        "top": 1,
        "level": "building",
        "floor_id": floor_id,
    }
    return {"path": path, "query": query}


def _routes() -> list[tuple[str, APIRoute]]:
    found = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute), f"{route!r} of {router!r} is not an API route"
            found.extend((method, route) for method in sorted(route.methods))
    return found


def _params(dependant: Any, kind: str) -> dict[str, Any]:
    """The route's `kind` parameters (path_params, query_params, body_params) by name, its
    dependencies' included."""
    found = {p.name: p for p in getattr(dependant, kind)}
    for sub in dependant.dependencies:
        found |= _params(sub, kind)
    return found


def _call(method: str, route: APIRoute, samples: dict) -> Call:
    rights = frozenset(route_rights(route.dependant))
    assert rights, f"{method} {route.path} declares no right: add needs(Right.…)"
    values = {}
    for param in _params(route.dependant, "path_params").values():
        assert param.name in samples["path"], (
            f"{method} {route.path}: no sample value for path parameter {param.name!r};"
            " add one to `samples` in tests/access/test_matrix.py"
        )
        values[param.name] = samples["path"][param.name]
    params = {}
    for param in _params(route.dependant, "query_params").values():
        if param.name in samples["query"]:
            params[param.name] = samples["query"][param.name]
        else:
            assert not param.field_info.is_required(), (
                f"{method} {route.path}: no sample value for required query parameter"
                f" {param.name!r}; add one to `samples` in tests/access/test_matrix.py"
            )
    body_params = _params(route.dependant, "body_params").values()
    form = any(isinstance(p.field_info, Form) for p in body_params)
    body = {} if body_params and not form else None
    return Call(method, route.path, route.path.format(**values), params, body, rights)


@pytest.fixture(scope="module")
def calls(samples) -> list[Call]:
    return [_call(method, route, samples) for method, route in _routes()]


def test_every_route_of_the_openapi_is_in_the_matrix(access_app):
    app = access_app[0]
    listed = {(m, r.path) for m, r in _routes()}
    documented = {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert documented, "the OpenAPI lists no operation"
    assert documented - listed == set(), "routes outside gis_app.app.ROUTERS"


def test_writes_ask_for_a_write_right(calls):
    read_only = [
        call.name
        for call in calls
        if call.method not in ("GET", "HEAD", "OPTIONS")
        and (call.method, call.path) not in UNSAFE_BUT_READ_ONLY
        and not call.rights & WRITE_RIGHTS
    ]
    assert read_only == [], "writes that need no edit, import or admin right"


def _expected(call: Call, role: str | None) -> tuple[str, frozenset[Right]]:
    """('allowed' | 'unauthenticated' | 'forbidden', the rights missing)."""
    needed = call.rights - {Right.PUBLIC}
    if not needed:
        return "allowed", frozenset()
    if role is None:
        return "unauthenticated", needed
    missing = needed - ROLE_RIGHTS[role]
    return ("forbidden", missing) if missing else ("allowed", frozenset())


def _snapshot(engine: Engine) -> dict[str, int]:
    """Row counts of every table of the schema, and the audit log's last id."""
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'spatial_ref_sys' ORDER BY tablename"
            )
        ).scalars()
        counts = {
            t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()  # noqa: S608 (catalog names)
            for t in tables
        }
        counts["audit_log max(id)"] = conn.execute(
            text("SELECT coalesce(max(id), 0) FROM audit_log")
        ).scalar_one()
    return counts


def _send(client, call: Call, headers: dict[str, str]):
    return client.request(
        call.method,
        call.url,
        params=call.params,
        json=call.json,
        headers=headers,
        follow_redirects=False,
    )


def test_the_matrix(calls, access_app, as_role, bodies, access_engine, record_property):
    client = TestClient(access_app[0], raise_server_exceptions=False)
    headers = {
        name: {} if who is None else as_role(who[0], who[1] and bodies[who[1]]["code"])
        for name, who in CALLERS.items()
    }
    cells = [(call, name) for call in calls for name in CALLERS]
    roles = {name: None if who is None else who[0] for name, who in CALLERS.items()}
    refused = [(c, n) for c, n in cells if _expected(c, roles[n])[0] != "allowed"]
    allowed = [(c, n) for c, n in cells if _expected(c, roles[n])[0] == "allowed"]
    wrong: list[str] = []

    before = _snapshot(access_engine)
    for call, name in refused:
        kind, missing = _expected(call, roles[name])
        answer = _send(client, call, headers[name])
        got = f"{call.name} as {name}: {answer.status_code} {answer.text[:200]}"
        if kind == "unauthenticated" and call.path.startswith(API_PREFIXES):
            if answer.status_code != 401 or "Bearer" not in answer.headers.get(
                "www-authenticate", ""
            ):
                wrong.append(f"{got} (expected 401 with WWW-Authenticate)")
        elif kind == "unauthenticated":
            location = answer.headers.get("location", "")
            if call.method != "GET":
                if answer.status_code != 401:
                    wrong.append(f"{got} (expected 401)")
            elif answer.status_code != 303 or not location.startswith("/login?next="):
                wrong.append(f"{got} (expected 303 to /login)")
        elif answer.status_code != 403 or answer.json()["detail"].get("right") not in {
            r.value for r in missing
        }:
            wrong.append(f"{got} (expected 403 naming {sorted(r.value for r in missing)})")
    after = _snapshot(access_engine)

    for call, name in allowed:
        answer = _send(client, call, headers[name])
        if answer.status_code in (401, 403) or answer.status_code >= 500:
            wrong.append(f"{call.name} as {name}: {answer.status_code} {answer.text[:200]}")

    size = f"{len(calls)} routes × {len(CALLERS)} callers = {len(cells)} requests"
    record_property("matrix", size)
    print(f"\nauthorisation matrix: {size}, {len(refused)} refused")  # noqa: T201 (for the note)
    assert wrong == []
    changed = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
    assert changed == {}, "refused requests wrote"
    assert len(refused) > len(calls), "the matrix refuses almost nothing: is it calling?"
