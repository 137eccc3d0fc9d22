"""PostgreSQL's own client tools (pg_dump, pg_restore, pg_basebackup) of the server's major
version, run with the password in the environment rather than on the command line (where
`ps` would show it)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from gis_app.db.cluster import ClusterError
from gis_app.db.engine import libpq_url


def split_secret(url: str) -> tuple[str, dict[str, str]]:
    """`url` for libpq without its password, and the environment that carries it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return libpq_url(parsed.set(password=None).render_as_string(hide_password=False)), env


def server_major(url: str) -> int:
    """Major version of the server at `url` (15 for 15.4)."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return conn.info.server_version // 10000


def tool(name: str, major: int) -> Path:
    """`name` (pg_dump, …) of PostgreSQL `major`: a dump made or read by another major
    version is refused or subtly different, so no fallback to whatever is on PATH."""
    path = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if not path.exists():
        raise ClusterError(
            f"{name} of PostgreSQL {major} not found at {path} "
            f"(Debian: apt-get install postgresql-client-{major})"
        )
    return path


def run_tool(args: list[str], env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    """Run a client tool; its failure becomes a ClusterError with the tool's last words."""
    result = subprocess.run(args, input=stdin, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise ClusterError(
            f"{Path(args[0]).name} failed ({result.returncode}): "
            f"{(result.stderr or result.stdout).strip()[-2000:]}"
        )
    return result.stdout
