"""The app's own login role: a member of `gis_web` (migration 0005) that owns nothing, is
not a superuser and cannot bypass row-level security. The owner (migrations, the CLI)
makes it when the app starts; its password is kept in a file only the service can read,
so the secret is in neither the code nor the logs.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from gis_app.config import Settings
from gis_app.db.engine import libpq_url

WEB_ROLE = "gis_web"
CREATE_WEB_ROLE = (
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gis_web') THEN "
    "CREATE ROLE gis_web NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS; "
    "END IF; END $$"
)
"""The group role (cluster-wide, so in no dump): made by migration 0005 and by a restore."""


class RoleError(RuntimeError):
    """The database is not ready for the app's role (not migrated, no right to make it)."""


def _password(path: Path) -> str:
    """The login role's password, made once (0600) and read by every worker after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="utf-8").strip()


def ensure_login_role(owner_url: str, settings: Settings) -> str:
    """Make or refresh the login role and give back the app's URL (the owner's, with the
    login role's name and password). `GIS_APP_DATABASE_URL` set: used as it is."""
    if settings.app_database_url:
        return settings.app_database_url
    name = settings.app_db_role
    password = _password(settings.secret_dir / "db-login-password")
    with psycopg.connect(libpq_url(owner_url), autocommit=True) as conn:
        if (
            conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (WEB_ROLE,)).fetchone()
            is None
        ):
            raise RoleError(
                f"role {WEB_ROLE} is missing: migrate the database (gis-app db upgrade)"
            )
        conn.execute("SELECT pg_advisory_lock(hashtext('gis_app.login_role'))")
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sql.SQL(
                "{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION "
                "INHERIT PASSWORD {}"
            ).format(sql.SQL(verb), sql.Identifier(name), sql.Literal(password))
        )
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(WEB_ROLE), sql.Identifier(name))
        )
        conn.execute("SELECT pg_advisory_unlock(hashtext('gis_app.login_role'))")
    url = make_url(owner_url).set(username=name, password=password)
    return url.render_as_string(hide_password=False)
