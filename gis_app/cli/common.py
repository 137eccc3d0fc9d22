"""What every `gis-app` command shares: the error guard, the bilingual line, one transaction
as the audit user, the flags the import commands have in common and their exit status.

Exit status: 0 done, 1 the system failed (database, files), 2 what the user gave was
refused, 3 problems kept an import from writing (or would, in a dry run) or a validation
found problems. With `--json` a refusal or failure is printed as JSON on stdout, in the
shape the API answers errors with: `{"detail": {"code": …, "message": …, "field": …}}`."""

from __future__ import annotations

import getpass
import json
import math
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import psycopg
import typer
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gis_app.config import Settings, get_settings
from gis_app.db.cluster import ClusterError
from gis_app.db.engine import make_engine, resolve_database_url
from gis_app.errors import GisAppError
from gis_app.i18n import DEFAULT_LANGUAGE, t

T = TypeVar("T")

EXIT_FAILED = 1
EXIT_REFUSED = 2
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


def print_json(data: object) -> None:
    """A report or an error as indented UTF-8 JSON on stdout."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1))


def _plain(value: object) -> bool:
    return isinstance(value, str | int) or (isinstance(value, float) and math.isfinite(value))


def error_detail(exc: GisAppError, lang: str) -> dict[str, Any]:
    """A refusal as the API's error body: code (the error's class), message, context."""
    context = {k: v for k, v in exc.context.items() if _plain(v)}
    return {"detail": {"code": type(exc).__name__, "message": exc.message(lang), **context}}


def guard(action: Callable[[], T], *, as_json: bool = False, lang: str = DEFAULT_LANGUAGE) -> T:
    """Run `action`; a known failure prints one clear line on stderr (Chinese, then English;
    with `as_json` the API's error body in `lang` on stdout) and exits (1 for the system,
    2 for what the user gave), so no command shows a traceback for an expected failure."""
    try:
        return action()
    except (ClusterError, NotReady, SQLAlchemyError, psycopg.Error, OSError) as exc:
        reason = str(exc).strip()[-3000:]
        if as_json:
            print_json(
                {"detail": {"code": "Failed", "message": t("cli.failed", lang, reason=reason)}}
            )
        else:
            typer.echo(t("cli.failed", reason=reason), err=True)
        raise typer.Exit(EXIT_FAILED) from None
    except GisAppError as exc:
        if as_json:
            print_json(error_detail(exc, lang))
        else:
            typer.echo(f"{exc.message('zh-CN')} / {exc.message('en')}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None


def exit_after_import(problems: bool, skip_invalid: bool, writable: int) -> None:
    """Every import command's exit: 3 when problems kept the import from writing (or would,
    in a dry run) — any problem without `--skip-invalid`, with it only when nothing was
    left to write; else the command ends normally (0)."""
    if problems and (not skip_invalid or not writable):
        raise typer.Exit(EXIT_PROBLEMS)


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


def say(key: str, *, to_stderr: bool = False, **values: object) -> None:
    """One line in Chinese, then English (on stderr when stdout carries the result)."""
    typer.echo(f"{t(key, 'zh-CN', **values)} / {t(key, 'en', **values)}", err=to_stderr)


def actor(settings: Settings) -> str:
    """Who the command writes as in the audit log: `--as` (GIS_AUDIT_USER) if given, else
    the operating-system user running it."""
    if "audit_user" in settings.model_fields_set:
        return settings.audit_user
    return f"{getpass.getuser()}@cli"


def in_transaction(
    action: Callable[[Connection], T],
    settings: Settings | None = None,
    *,
    as_json: bool = False,
    lang: str = DEFAULT_LANGUAGE,
) -> T:
    """`action` on a connection to the app's database in one transaction, committed when it
    returns and rolled back when it raises, written as `actor`; a known failure prints one
    line (or JSON) and exits (`guard`)."""
    settings = settings or get_settings()
    engine = make_engine(
        guard(lambda: resolve_database_url(settings), as_json=as_json, lang=lang),
        actor(settings),
    )

    def run() -> T:
        with engine.begin() as conn:
            return action(conn)

    try:
        return guard(run, as_json=as_json, lang=lang)
    finally:
        engine.dispose()


def in_session(action: Callable[[Session], T], settings: Settings | None = None) -> T:
    """As `in_transaction`, with an ORM session."""
    return in_transaction(lambda conn: action(Session(bind=conn)), settings)
