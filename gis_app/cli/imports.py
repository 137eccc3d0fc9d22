"""`gis-app import TARGET PATH`: check a file and write it into buildings, floors, rooms,
parcels or a reference layer in one transaction, with a progress bar and the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from gis_app.cli.common import (
    AllowBallpark,
    AnyArea,
    AsJson,
    DryRun,
    Lang,
    SkipInvalid,
    exit_after_import,
    guard,
    in_transaction,
    print_json,
    transformation_line,
)
from gis_app.config import get_settings
from gis_app.i18n import t
from gis_app.ingest.importer import import_features
from gis_app.ingest.report import ImportRefused, ImportReport
from gis_app.ingest.targets import TARGETS
from gis_app.ingest.zipguard import ZipLimits


def _pairs(option: str, given: list[str] | None) -> dict[str, str]:
    """`name=value` items as a mapping; refused naming the option when one has no `=`."""
    out: dict[str, str] = {}
    for item in given or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ImportRefused(
                field=option, reason="ingest.cli.bad_pair", option=option, value=item
            )
        out[name.strip()] = value.strip()
    return out


class _Bars:
    """One tqdm bar per stage (reading, checking, writing), on stderr."""

    def __init__(self, lang: str) -> None:
        self.lang, self.bars, self.done = lang, {}, {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        bar = self.bars.get(stage)
        if bar is None:
            desc = t(f"ingest.cli.stage.{stage}", self.lang)
            bar = self.bars[stage] = tqdm(total=total or None, desc=desc, unit=" features")
            self.done[stage] = 0
        if total and bar.total != total:
            bar.total = total
        bar.update(done - self.done[stage])
        self.done[stage] = done

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _print(report: ImportReport, lang: str, limit: int) -> None:
    for problem in report.problems[:limit]:
        typer.echo(f"  {problem.describe(lang)}")
    if len(report.problems) > limit:
        typer.echo(f"  … +{len(report.problems) - limit}")
    for note in report.warnings[:20]:
        typer.echo(f"  {note.describe(lang)}")
    if report.transformation is not None:
        typer.echo(transformation_line(report.transformation, lang))
    if report.warnings:
        typer.echo(t("ingest.cli.warnings", lang, count=len(report.warnings)))
    values = {"target": report.layer, "read": report.read, "valid": report.valid}
    values |= {"rejected": report.rejected, "written": report.written}
    typer.echo(t("ingest.cli.summary", lang, **values))
    if report.dry_run:
        typer.echo(t("ingest.cli.dry_run", lang))
    elif report.problems and not report.written:
        typer.echo(t("ingest.cli.refused", lang))


def import_command(
    target: Annotated[str, typer.Argument(help=" | ".join(TARGETS))],
    path: Annotated[Path, typer.Argument(help="GeoJSON, GeoPackage, zipped Shapefile or CSV")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="target=source: which file field fills a target field"),
    ] = None,
    default: Annotated[
        list[str] | None, typer.Option(help="field=value for features that leave it empty")
    ] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of the coordinates, e.g. EPSG:4549")] = None,
    layer: Annotated[str | None, typer.Option(help="Layer to read (files of several)")] = None,
    encoding: Annotated[str | None, typer.Option(help="Attribute encoding, e.g. GBK")] = None,
    gcj02: Annotated[bool, typer.Option(help="Coordinates are GCJ-02: convert them")] = False,
    any_area: AnyArea = False,
    allow_ballpark: AllowBallpark = False,
    skip_invalid: SkipInvalid = False,
    dry_run: DryRun = False,
    report_json: Annotated[
        Path | None, typer.Option("--report", help="Also write the full report as JSON")
    ] = None,
    as_json: AsJson = False,
    lang: Lang = "zh-CN",
    show: Annotated[int, typer.Option(help="Most problems printed")] = 200,
) -> None:
    """Import a file into TARGET in one transaction; any problem and nothing is written."""
    mapping, defaults = guard(
        lambda: (_pairs("--map", map_), _pairs("--default", default)), as_json=as_json, lang=lang
    )
    settings = get_settings()
    bars = _Bars(lang)
    try:
        report = in_transaction(
            lambda conn: import_features(
                conn,
                target,
                path,
                layer_name=layer,
                mapping=mapping,
                defaults=defaults,
                source_crs=crs,
                encoding=encoding,
                gcj02=gcj02,
                area=None if any_area else settings.service_area,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                progress=bars,
                zip_limits=ZipLimits.of(settings),
                allow_ballpark=allow_ballpark,
            ),
            settings,
            as_json=as_json,
            lang=lang,
        )
    finally:
        bars.close()
    if as_json:
        print_json(report.as_dict(lang))
    else:
        _print(report, lang, show)
    if report_json is not None:
        report_json.write_text(json.dumps(report.as_dict(lang), ensure_ascii=False, indent=1))
    exit_after_import(bool(report.problems), skip_invalid, report.valid)
