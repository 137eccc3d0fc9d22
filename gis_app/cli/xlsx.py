"""`gis-app import-xlsx KIND FILE`: import a filled-in spreadsheet template (bodies, staff,
who sits where) through the editing rules in one transaction, written as `--as` (or the OS
user); any problem and nothing is written (exit 3)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from gis_app.cli.common import (
    AsJson,
    DryRun,
    Lang,
    actor,
    exit_after_import,
    guard,
    print_json,
)
from gis_app.config import get_settings
from gis_app.db.edit import EditContext
from gis_app.db.engine import make_engine, resolve_database_url
from gis_app.i18n import t
from gis_app.ingest.report import ImportRefused, ImportReport
from gis_app.ingest.zipguard import ZipLimits
from gis_app.xlsx.apply import XlsxImport, import_xlsx
from gis_app.xlsx.templates import KINDS


def _print(report: ImportReport, lang: str, limit: int) -> None:
    for problem in report.problems[:limit]:
        typer.echo(f"  {problem.describe(lang)}")
    if len(report.problems) > limit:
        typer.echo(f"  … +{len(report.problems) - limit}")
    values = {"kind": t(f"xlsx.kind.{report.layer}", lang), "read": report.read}
    values |= {"valid": report.valid, "rejected": report.rejected, "written": report.written}
    typer.echo(t("xlsx.cli.summary", lang, **values))
    if report.dry_run:
        typer.echo(t("xlsx.cli.dry_run", lang))
    elif report.problems:
        typer.echo(t("xlsx.cli.refused", lang))


def import_xlsx_command(
    kind: Annotated[str, typer.Argument(help=" | ".join(KINDS))],
    path: Annotated[Path, typer.Argument(help="A filled-in template (.xlsx)")],
    dry_run: DryRun = False,
    effective_date: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Takes effect on (default today)"),
    ] = None,
    document_no: Annotated[str | None, typer.Option(help="文号 of the decision")] = None,
    note: Annotated[str | None, typer.Option(help="Free note")] = None,
    as_json: AsJson = False,
    lang: Lang = "zh-CN",
    show: Annotated[int, typer.Option(help="Most problems printed")] = 200,
) -> None:
    """Import a filled-in template of KIND in one transaction; any problem and nothing is
    written. Templates: GET /api/v1/imports/xlsx/templates/KIND."""
    settings = get_settings()

    def job() -> XlsxImport:
        if kind not in KINDS:
            raise ImportRefused(field="kind", reason="xlsx.reason.kind", kind=kind)
        context = EditContext(
            action=f"xlsx.{kind}",
            **({"effective_date": effective_date.date()} if effective_date else {}),
            document_no=document_no,
            note=note,
        )
        return XlsxImport(kind, context, dry_run=dry_run, lang=lang)

    prepared = guard(job, as_json=as_json, lang=lang)
    engine = make_engine(
        guard(lambda: resolve_database_url(settings), as_json=as_json, lang=lang),
        actor(settings),
    )

    def run() -> ImportReport:
        with Session(engine) as session:
            return import_xlsx(
                session, kind, path, prepared, name=path.name, zip_limits=ZipLimits.of(settings)
            )

    try:
        report = guard(run, as_json=as_json, lang=lang)
    finally:
        engine.dispose()
    if as_json:
        print_json(report.as_dict(lang))
    else:
        _print(report, lang, show)
    exit_after_import(bool(report.problems), False, report.valid)
