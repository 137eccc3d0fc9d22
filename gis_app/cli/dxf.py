"""`gis-app dxf import PLAN.dxf --floor-id N …`: rooms from a CAD floor plan in one
transaction, with the report (exit status as every import: `common.exit_after_import`; 2
when the drawing or an option is refused)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gis_app.cli.common import (
    AnyArea,
    AsJson,
    DryRun,
    Lang,
    SkipInvalid,
    exit_after_import,
    guard,
    in_transaction,
    print_json,
)
from gis_app.config import get_settings
from gis_app.i18n import t

if TYPE_CHECKING:
    from gis_app.dxf.report import DxfReport

dxf_app = typer.Typer(help="CAD floor plans (DXF): closed polylines become rooms.")
SHOWN = 50
"""Problems and notices printed as lines; --json gives them all."""


def _print(report: DxfReport, lang: str) -> None:
    figures = "".join(f", {k} {v}" for k, v in report.georeference.items() if k != "crs")
    typer.echo(
        t(
            "dxf.cli.georef",
            lang,
            method=report.crs_from,
            crs=report.crs,
            units=report.units,
            source=report.units_from,
            figures=figures,
        )
    )
    for layer, counts in report.layers.items():
        typer.echo(
            f"  {layer:<24} outlines {counts.outlines:>5}  open {counts.open:>4}  "
            f"valid {counts.valid:>5}  rejected {counts.rejected:>4}  holes {counts.holes:>4}  "
            f"labels {counts.labels:>5}"
        )
    for problem in report.problems[:SHOWN]:
        outline = report.rooms[problem.index]
        typer.echo(f"  ✗ {outline.layer} #{outline.handle}: {problem.describe(lang)}")
    for line in [n.describe(lang) for n in report.notices][:SHOWN]:
        typer.echo(f"  · {line}")
    values = {"read": report.read, "valid": report.valid, "rejected": report.rejected}
    typer.echo(t("dxf.cli.summary", lang, **values, written=report.written, floor=report.floor_id))
    if report.dry_run:
        typer.echo(t("dxf.cli.dry_run", lang))
    elif report.problems and not report.written:
        typer.echo(t("dxf.cli.nothing_written", lang))


@dxf_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="The .dxf drawing", dir_okay=False)],
    floor_id: Annotated[int | None, typer.Option(help="Floor to put the rooms on")] = None,
    building: Annotated[str | None, typer.Option(help="Building code (with --ordinal)")] = None,
    ordinal: Annotated[int | None, typer.Option(help="Floor ordinal: 0 = 1F, -1 = B1")] = None,
    layers: Annotated[
        list[str] | None, typer.Option(help="Room layers or patterns, e.g. 'ROOM*' (all)")
    ] = None,
    label_layers: Annotated[
        list[str] | None, typer.Option(help="Layers of the room texts (default: --layers)")
    ] = None,
    hole_layers: Annotated[
        list[str] | None, typer.Option(help="Layers of holes cut out of rooms, e.g. '*_HOLE'")
    ] = None,
    units: Annotated[str | None, typer.Option(help="mm | cm | m | … (default: $INSUNITS)")] = None,
    control: Annotated[
        list[str] | None, typer.Option(help="Control point 'x,y=lon,lat' (2 or more)")
    ] = None,
    origin: Annotated[str | None, typer.Option(help="lon,lat of drawing (0, 0)")] = None,
    rotation: Annotated[
        float, typer.Option(help="Degrees counter-clockwise of drawing +x from east")
    ] = 0.0,
    crs: Annotated[
        str | None, typer.Option(help="The drawing's projected CRS, e.g. EPSG:4549")
    ] = None,
    tolerance: Annotated[float, typer.Option(help="Largest control-point residual, m")] = 1.0,
    category: Annotated[str, typer.Option(help="Category of the new rooms")] = "office",
    layer_category: Annotated[
        list[str] | None, typer.Option(help="'PATTERN=category' for rooms on some layers")
    ] = None,
    status: Annotated[str, typer.Option(help="Status of the new rooms")] = "in_use",
    number_pattern: Annotated[
        str | None, typer.Option(help="Regular expression of a room-number text")
    ] = None,
    nested_rooms: Annotated[
        bool,
        typer.Option(help="Rings inside a room on its layer are rooms (cut out), not holes"),
    ] = False,
    any_area: AnyArea = False,
    skip_invalid: SkipInvalid = False,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    lang: Lang = "zh-CN",
) -> None:
    """Check every outline and write the rooms onto the floor in one transaction."""
    from gis_app.dxf.georef import parse_control  # ezdxf loads only for this command
    from gis_app.dxf.params import build_options
    from gis_app.dxf.rooms import import_dxf

    settings = get_settings()
    options = guard(
        lambda: build_options(
            layers=layers,
            label_layers=label_layers,
            hole_layers=hole_layers,
            units=units,
            control=tuple(parse_control(c) for c in control or ()),
            origin=origin,
            rotation_deg=rotation,
            crs=crs,
            tolerance_m=tolerance,
            category=category,
            layer_categories=layer_category,
            status=status,
            number_pattern=number_pattern,
            area=None if any_area else settings.service_area,
            skip_invalid=skip_invalid,
            nested_rooms=nested_rooms,
        ),
        as_json=as_json,
        lang=lang,
    )
    report: DxfReport = in_transaction(
        lambda conn: import_dxf(
            conn,
            path,
            floor_id=floor_id,
            building=building,
            ordinal=ordinal,
            options=options,
            dry_run=dry_run,
            name=path.name,
        ),
        settings,
        as_json=as_json,
        lang=lang,
    )
    if as_json:
        print_json(report.as_dict(lang))
    else:
        _print(report, lang)
    exit_after_import(bool(report.problems), skip_invalid, report.valid)
