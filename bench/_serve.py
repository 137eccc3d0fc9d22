"""What the HTTP benches share: a server of this checkout (or another) on a free port, the
bench database's owner URL, a bench user and token, timed requests and percentiles."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import select
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import select as sql_select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from gis_app.accounts.users import add_user, create_token
from gis_app.config import PROJECT_ROOT, get_settings
from gis_app.db.engine import resolve_database_url
from gis_app.models import AppUser

Answer = tuple[float, int, bytes, dict[str, str]]
"""(ms, status, body, headers with lower-case names) of one request."""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)


def wait_ready(port: int, path: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on :{port} exited; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"server on :{port} not ready in 120 s; see {log}")


def owner_url(dbname: str) -> str:
    """URL of `dbname` as its owner (on the server the application uses)."""
    url = make_url(resolve_database_url(get_settings())).set(database=dbname)
    return url.render_as_string(hide_password=False)


def server_env(owner: str, *, as_owner: bool = False) -> dict[str, str]:
    """Environment of an app server over the bench database: as shipped (the app's login
    role, under row-level security), or `as_owner` (connected as the owner, no policy)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GIS_APP_DATABASE_URL")}
    env["DATABASE_URL"] = owner
    if as_owner:
        env["GIS_APP_DATABASE_URL"] = owner
    return env


def serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    """Start `gis_app serve` (one worker) on a free port; (process, port), not yet ready
    (see `wait_ready`)."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = start([sys.executable, "-m", "gis_app", "serve", "--port", str(port)], env, log)
    return proc, port


def ready(proc: subprocess.Popen, port: int, log: Path) -> None:
    wait_ready(port, "/ogc/conformance", proc, log)


def user_token(
    engine: Engine, login: str, role: str, org_code: str | None = None, note: str = "bench"
) -> str:
    """A fresh one-day token of `login` (made on first use, with a random password)."""
    with Session(engine) as session, session.begin():
        user = session.scalar(sql_select(AppUser).where(AppUser.login == login))
        if user is None:
            user = add_user(session, login, role, org_code=org_code, password=secrets.token_hex(16))
        return create_token(session, user, note, 1).secret


def request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    token: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request with a bearer token (and `body` as JSON), kept alive, uncompressed (a
    connection the server closed while idle, after 5 s, is opened again, untimed)."""
    sent = {"Accept-Encoding": "identity", "Authorization": f"Bearer {token}", **(headers or {})}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if conn.sock is not None and _closed_by_peer(conn.sock):
        conn.close()
    began = time.perf_counter()
    conn.request(method, path, body=payload, headers=sent)
    response = conn.getresponse()
    data = response.read()
    ms = (time.perf_counter() - began) * 1000
    return ms, response.status, data, {k.lower(): v for k, v in response.getheaders()}


def get(conn: http.client.HTTPConnection, path: str, token: str) -> Answer:
    return request(conn, "GET", path, token)


def _closed_by_peer(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
