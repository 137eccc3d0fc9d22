"""What every `gis-app` command shares: the error guard, the bilingual line, one transaction
as the audit user, and the flags the import commands have in common."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import psycopg
import typer
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

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
AllowBallpark = Annotated[
    bool,
    typer.Option(
        help="Accept a CRS PROJ can take to CGCS2000 only without a datum shift "
        "(ballpark: may be off by hundreds of metres); the report says so."
    ),
]
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


def transformation_line(summary: dict[str, Any], lang: str) -> str:
    """How the coordinates reached CGCS2000 (`Transformation.summary()`), in `lang`; a
    ballpark transformation says what it means."""
    accuracy = summary["accuracy_m"]
    line = t(
        "cli.transformation",
        lang,
        crs=summary["crs"],
        operation=summary["operation"],
        accuracy=t("cli.accuracy_unknown", lang) if accuracy is None else f"{accuracy:g} m",
    )
    return line + (f"\n{t('cli.ballpark_used', lang)}" if summary["ballpark"] else "")


def say(key: str, **values: object) -> None:
    """One line in Chinese, then English."""
    typer.echo(f"{t(key, 'zh-CN', **values)} / {t(key, 'en', **values)}")


def in_transaction(action: Callable[[Connection], T], settings: Settings | None = None) -> T:
    """`action` on a connection to the app's database in one transaction, committed when it
    returns and rolled back when it raises, written as the configured audit user; a known
    failure prints one line and exits (`guard`)."""
    settings = settings or get_settings()
    engine = make_engine(guard(lambda: resolve_database_url(settings)), settings.audit_user)

    def run() -> T:
        with engine.begin() as conn:
            return action(conn)

    try:
        return guard(run)
    finally:
        engine.dispose()
