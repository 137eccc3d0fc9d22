"""`gis-app imdf …`: validate an IMDF archive, import an indoor source, export buildings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gis_app.cli.common import (
    EXIT_PROBLEMS,
    AnyArea,
    AsJson,
    DryRun,
    Lang,
    SkipInvalid,
    exit_after_import,
    guard,
    in_transaction,
    print_json,
    say,
)
from gis_app.config import get_settings
from gis_app.i18n import t
from gis_app.ingest.zipguard import ZipLimits

if TYPE_CHECKING:
    from gis_app.imdf.problems import ImdfProblem

imdf_app = typer.Typer(help="IMDF indoor maps (OGC 20-094): validate, import, export.")
SHOWN = 50
"""Problems printed as lines; --json gives them all."""


def _print_problems(problems: list[ImdfProblem], lang: str) -> None:
    for problem in problems[:SHOWN]:
        typer.echo(f"  {problem.describe(lang)}")
    if len(problems) > SHOWN:
        typer.echo("  " + t("imdf.more_problems", lang, count=len(problems) - SHOWN))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "-"


@imdf_app.command("validate")
def validate_command(
    path: Annotated[Path, typer.Argument(help="IMDF zip, folder or single .geojson")],
    as_json: AsJson = False,
    lang: Lang = "zh-CN",
) -> None:
    """Check manifest, files, ids, references, ordinals, geometries and categories;
    exit 0 when valid, 3 when there are problems (as an import with problems)."""
    from gis_app.imdf.archive import read_archive  # the IMDF package loads only when used
    from gis_app.imdf.validate import validate

    limits = ZipLimits.of(get_settings())
    report = guard(
        lambda: validate(read_archive(path, zip_limits=limits)), as_json=as_json, lang=lang
    )
    if as_json:
        print_json(report.as_dict(lang))
    else:
        say("imdf.validated", source=report.source, files=_counts(report.files))
        say("imdf.problem_count", count=len(report.problems), codes=_counts(report.by_code()))
        _print_problems(report.problems, lang)
    raise typer.Exit(0 if report.ok else EXIT_PROBLEMS)


@imdf_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="IMDF zip/folder, IMDF-like or OSM indoor GeoJSON")],
    form: Annotated[str, typer.Option(help="auto | imdf | osm-indoor")] = "auto",
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    any_area: AnyArea = False,
    status: Annotated[str, typer.Option(help="Status of the new rooms")] = "in_use",
    as_json: AsJson = False,
    lang: Lang = "zh-CN",
) -> None:
    """Import buildings, floors and rooms in one transaction (nothing written when there
    are problems, unless --skip-invalid); exit status as every import."""
    from gis_app.imdf.importer import import_indoor

    limits = ZipLimits.of(get_settings())
    report = in_transaction(
        lambda conn: import_indoor(
            conn,
            path,
            form=form,  # type: ignore[arg-type]
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            check_area=not any_area,
            status=status,
            zip_limits=limits,
        ),
        as_json=as_json,
        lang=lang,
    )
    if as_json:
        print_json(report.as_dict(lang))
    else:
        say(
            "imdf.imported",
            source=report.source,
            form=report.form,
            read=sum(report.read.values()),
            rejected=report.rejected,
            ignored=sum(report.ignored.values()),
            rooms=report.planned["room"],
            written=report.written["room"],
        )
        say("imdf.problem_count", count=len(report.problems), codes=_counts(report.by_code()))
        _print_problems(report.problems, lang)
    exit_after_import(not report.ok, skip_invalid, report.planned["room"])


@imdf_app.command("export")
def export_command(
    building: Annotated[list[str], typer.Option(help="Building id or code (repeatable)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The .zip to write")],
) -> None:
    """Write the buildings with their floors and rooms as an IMDF archive."""
    from gis_app.imdf.export import export_imdf

    data = in_transaction(lambda conn: export_imdf(conn, building))
    output.write_bytes(data)
    say("imdf.exported", path=output, size=len(data))
