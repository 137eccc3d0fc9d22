"""What every `gis-app` command shares: the error guard, the bilingual line, one transaction
as the audit user, and the flags the import commands have in common."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Annotated, TypeVar

import psycopg
import typer
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gis_app.config import Settings, get_settings
from gis_app.db.cluster import ClusterError
from gis_app.db.engine import make_engine, resolve_database_url
from gis_app.errors import GisAppError
from gis_app.i18n import t

T = TypeVar("T")

EXIT_PROBLEMS = 3
"""Exit status when problems kept an import (or would keep it, in a dry run) from writing."""

AnyArea = Annotated[bool, typer.Option(help="Accept data outside the service area (China).")]
SkipInvalid = Annotated[bool, typer.Option(help="Write the valid features, report the others.")]
DryRun = Annotated[bool, typer.Option(help="Check and report; write nothing.")]
"""Typer names these flags after the parameter (`any_area` is `--any-area/--no-any-area`)."""
AsJson = Annotated[bool, typer.Option("--json", help="The whole report as JSON.")]
Lang = Annotated[str, typer.Option(help="Language of the report: zh-CN | en")]


class NotReady(RuntimeError):
    """A step that needs an earlier one (e.g. loading data before migrating)."""


def guard(action: Callable[[], T]) -> T:
    """Run `action`; a known failure prints one clear line and exits (1 for the system, 2 for
    what the user gave), so no command shows a traceback for an expected failure."""
    try:
        return action()
    except (ClusterError, NotReady, SQLAlchemyError, psycopg.Error, OSError) as exc:
        typer.echo(t("cli.failed", reason=str(exc).strip()[-3000:]), err=True)
        raise typer.Exit(1) from None
    except GisAppError as exc:
        typer.echo(f"{exc.message('zh-CN')} / {exc.message('en')}", err=True)
        raise typer.Exit(2) from None


def say(key: str, **values: object) -> None:
    """One line in Chinese, then English."""
    typer.echo(f"{t(key, 'zh-CN', **values)} / {t(key, 'en', **values)}")


def actor(settings: Settings) -> str:
    """Who the command writes as in the audit log: `--as` (GIS_AUDIT_USER) if given, else
    the operating-system user running it."""
    if "audit_user" in settings.model_fields_set:
        return settings.audit_user
    return f"{getpass.getuser()}@cli"


def in_transaction(action: Callable[[Connection], T], settings: Settings | None = None) -> T:
    """`action` on a connection to the app's database in one transaction, committed when it
    returns and rolled back when it raises, written as `actor`; a known failure prints one
    line and exits (`guard`)."""
    settings = settings or get_settings()
    engine = make_engine(guard(lambda: resolve_database_url(settings)), actor(settings))

    def run() -> T:
        with engine.begin() as conn:
            return action(conn)

    try:
        return guard(run)
    finally:
        engine.dispose()


def in_session(action: Callable[[Session], T], settings: Settings | None = None) -> T:
    """As `in_transaction`, with an ORM session."""
    return in_transaction(lambda conn: action(Session(bind=conn)), settings)
