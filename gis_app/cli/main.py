"""`gis-app`: run the private database, migrate, load the sample district, serve."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from sqlalchemy import text
from sqlalchemy.orm import Session
from tqdm import tqdm

from gis_app.cli import backup, dxf, imdf, imports, users, xlsx
from gis_app.cli.common import (
    AllowBallpark,
    AnyArea,
    DryRun,
    NotReady,
    T,
    actor,
    guard,
    in_session,
    say,
    transformation_line,
)
from gis_app.config import Settings, get_settings
from gis_app.db import migrate
from gis_app.db.cluster import PrivateCluster
from gis_app.db.engine import libpq_url, make_engine, private_cluster, resolve_database_url
from gis_app.i18n import t

app = typer.Typer(help="以图管房 GIS: government office space and land.", no_args_is_help=True)
db_app = typer.Typer(help="Private PostgreSQL+PostGIS cluster and schema migrations.")
sample_app = typer.Typer(help="The sample district.")
raster_app = typer.Typer(help="GeoTIFF rasters (DEM, flood depth, …) and parcel statistics.")
app.add_typer(db_app, name="db")
app.add_typer(sample_app, name="sample")
app.add_typer(raster_app, name="raster")
app.add_typer(imdf.imdf_app, name="imdf")
app.add_typer(dxf.dxf_app, name="dxf")
app.add_typer(users.user_app, name="user")
app.add_typer(users.token_app, name="token")
db_app.command("backup")(backup.db_backup)
db_app.command("restore")(backup.db_restore)
app.command("import")(imports.import_command)
app.command("import-xlsx")(xlsx.import_xlsx_command)


@app.callback()
def _everyone(
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Name written to the audit log (default: the OS user)."),
    ] = None,
) -> None:
    """Options of every command."""
    if as_user:
        os.environ["GIS_AUDIT_USER"] = as_user
        get_settings.cache_clear()


def _managed_cluster(settings: Settings) -> PrivateCluster | None:
    """The private cluster, or None (and a word saying so) when DATABASE_URL is set."""
    if settings.database_url:
        say("cli.db_external")
        return None
    return guard(lambda: private_cluster(settings))


@db_app.command("start")
def db_start() -> None:
    """Start (creating on first use) the private cluster and its database."""
    settings = get_settings()
    cluster = _managed_cluster(settings)
    if cluster is None:
        return
    status = guard(cluster.start)
    guard(lambda: cluster.ensure_database(settings.db_name))
    say("cli.db_started", root=cluster.root, port=status.port)


@db_app.command("stop")
def db_stop() -> None:
    """Stop the private cluster."""
    cluster = _managed_cluster(get_settings())
    if cluster is None:
        return
    stopped = guard(cluster.stop)
    say("cli.db_stopped" if stopped else "cli.db_not_running")


@db_app.command("status")
def db_status() -> None:
    """Say whether the private cluster runs; exit 3 when it does not (as pg_ctl does)."""
    cluster = _managed_cluster(get_settings())
    if cluster is None:
        return
    status = guard(cluster.status)
    if not status.running:
        say("cli.db_not_running")
        raise typer.Exit(3)
    say("cli.db_started", root=cluster.root, port=status.port)
    typer.echo(f"socket: {status.socket_dir}  pid: {status.pid}")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the schema up (to head by default)."""
    url = guard(lambda: resolve_database_url(get_settings()))
    guard(lambda: migrate.upgrade(url, revision))
    say("cli.upgraded", revision=revision)


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()] = "-1") -> None:
    """Migrate the schema down (one step by default; `base` removes everything)."""
    url = guard(lambda: resolve_database_url(get_settings()))
    guard(lambda: migrate.downgrade(url, revision))
    say("cli.downgraded", revision=revision)


def _load_sample(settings: Settings, scale: float | None, seed: int | None, progress: bool) -> None:
    from sample_geodata import DEFAULT_SEED
    from sample_geodata.load import load_sample

    url = resolve_database_url(settings)
    engine = make_engine(url)
    revision = migrate.current_revision(engine)
    engine.dispose()
    if revision != migrate.head_revision():
        raise NotReady(t("cli.schema_behind", revision=revision or "-"))
    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute("SELECT set_config('gis_app.user', %s, false)", (actor(settings),))
        result = load_sample(
            conn,
            settings.sample_dir,
            scale=scale,
            seed=DEFAULT_SEED if seed is None else seed,
            progress=progress,
        )
    if result.get("skipped"):
        say("cli.sample_present")
    else:
        for table, count in result["counts"].items():
            typer.echo(f"  {table:<16} {count:>10,}")
        say("cli.sample_loaded", seconds=result["seconds"])
    if scale is None:
        _register_sample_rasters(settings)
        _demo_accounts(settings)


def _demo_accounts(settings: Settings) -> None:
    """On the demo district with no users yet: the demo accounts, their passwords printed
    once and kept in secret_dir/demo-accounts.txt (0600)."""
    from sample_geodata.accounts import create_demo_accounts

    out_file = settings.secret_dir / "demo-accounts.txt"

    def run(session: Session) -> list:
        if session.scalar(text("SELECT count(*) FROM app_user")):
            return []
        return create_demo_accounts(session, out_file)

    made = in_session(run, settings)
    if made:
        say("cli.demo_accounts", path=out_file)
        for account in made:
            typer.echo(f"  {account.login:<16} {account.role:<15} {account.password}")


def _register_sample_rasters(settings: Settings) -> None:
    """The demo district's DEM (with its slope) and flood depth, for land search."""
    from sample_geodata.rasters import register_sample_rasters

    engine = make_engine(resolve_database_url(settings), actor(settings))
    with Session(engine) as session, session.begin():
        for code in register_sample_rasters(session, settings.sample_dir, settings.raster_dir):
            say("cli.raster_registered", code=code)
    engine.dispose()


@sample_app.command("load")
def sample_load(
    scale: Annotated[
        float | None,
        typer.Option(help="Province-size data: 1.0 = 100k buildings, 2M rooms, 200k parcels."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the fixed one).")] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Load the sample district once (a second run loads nothing)."""
    if scale is not None and scale <= 0:
        typer.echo(t("cli.failed", reason="--scale must be > 0"), err=True)
        raise typer.Exit(2)
    guard(lambda: _load_sample(get_settings(), scale, seed, progress))


@raster_app.command("register")
def raster_register(
    path: Annotated[
        Path, typer.Argument(help="GeoTIFF, or GeoPackage raster", exists=True, dir_okay=False)
    ],
    code: Annotated[str, typer.Option(help="Short code: lower-case letters, digits, _")],
    name_zh: Annotated[str, typer.Option(help="中文名称")],
    kind: Annotated[str, typer.Option(help="dem | slope | flood_depth | land_cover | other")],
    units: Annotated[str, typer.Option(help="Units of the cell values, e.g. m, degree")],
    name_en: Annotated[str | None, typer.Option(help="English name")] = None,
    band: Annotated[int, typer.Option(help="Band to use")] = 1,
    table: Annotated[
        str | None, typer.Option(help="Raster table of a GeoPackage (when it has several)")
    ] = None,
    crs: Annotated[
        str | None,
        typer.Option(help="CRS of the raster, wins over the file's (e.g. with +towgs84=…)"),
    ] = None,
    any_area: AnyArea = False,
    allow_ballpark: AllowBallpark = False,
    dry_run: DryRun = False,
) -> None:
    """Check, store and register a raster (a DEM also gets its slope); compute parcel stats.
    With --dry-run only check, and say what would be registered."""
    from gis_app.raster.registry import RasterMeaning, register_raster

    settings = get_settings()
    engine = make_engine(guard(lambda: resolve_database_url(settings)), actor(settings))
    meaning = RasterMeaning(code, name_zh, name_en, kind, units)
    with tqdm(unit=" parcels", desc=code, disable=dry_run) as bar, Session(engine) as session:
        done = guard(
            lambda: _in_transaction(
                session,
                lambda: register_raster(
                    session,
                    path,
                    meaning,
                    settings.raster_dir,
                    band=band,
                    progress=bar.update,
                    table=table,
                    crs=crs,
                    allow_ballpark=allow_ballpark,
                    area=None if any_area else settings.service_area,
                    dry_run=dry_run,
                ),
            )
        )
    engine.dispose()
    for lang in ("zh-CN", "en"):
        typer.echo(transformation_line(done.transformation, lang))
    if dry_run:
        bounds = ", ".join(f"{v:.6f}" for v in done.bounds)
        say("cli.raster_dry_run", codes=", ".join(done.codes), bounds=bounds)
        return
    for registered in done.codes:
        say("cli.raster_registered", code=registered)


@raster_app.command("stats")
def raster_stats(
    code: Annotated[list[str] | None, typer.Option(help="Only these rasters")] = None,
) -> None:
    """Compute the parcel statistics that are missing (new parcels, changed shapes)."""
    from gis_app.raster.parcel_stats import (
        pending_parcels,
        refresh_parcel_stats,
        refresh_pending,
    )

    settings = get_settings()
    engine = make_engine(guard(lambda: resolve_database_url(settings)), actor(settings))
    with Session(engine) as session:
        total = guard(lambda: pending_parcels(session))
        session.rollback()
        with tqdm(total=total, unit=" parcels") as bar:
            written = guard(
                lambda: _in_transaction(
                    session,
                    lambda: (
                        refresh_parcel_stats(
                            session, settings.raster_dir, code or None, progress=bar.update
                        )
                        + refresh_pending(session, settings.raster_dir)
                    ),
                )
            )
    engine.dispose()
    say("cli.raster_stats", count=written)


def _in_transaction(session: Session, action: Callable[[], T]) -> T:
    with session.begin():
        return action()


def _stop_on_signal(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _serve(settings: Settings, host: str, port: int) -> None:
    """Serve until Ctrl-C, SIGTERM or SIGHUP; each ends in a clean exit (status 0) so that
    the caller's clean-up runs (uvicorn re-raises the signal after its own shutdown)."""
    import uvicorn

    from gis_app.app import create_app
    from gis_app.http.request_metrics import log_access_to_stderr

    log_access_to_stderr()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    say("cli.serving", url=f"http://{host}:{port}")
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the API and pages."""
    settings = get_settings()
    _serve(settings, host or settings.host, port or settings.port)


@app.command("up")
def up(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Everything `make run` needs: database, schema, sample district once, then serve.

    A private cluster started here is stopped again when the server exits (Ctrl-C).
    """
    settings = get_settings()
    cluster = None if settings.database_url else guard(lambda: private_cluster(settings))
    started_here = cluster is not None and not guard(cluster.status).running
    try:
        url = guard(lambda: resolve_database_url(settings))
        guard(lambda: migrate.upgrade(url, "head"))
        guard(lambda: _load_sample(settings, None, None, True))
        _serve(settings, host or settings.host, port or settings.port)
    finally:
        if cluster is not None and started_here:
            guard(cluster.stop)
            say("cli.db_stopped")


def main() -> None:
    """Console-script entry point."""
    app(prog_name=Path(sys.argv[0]).name)
