"""The application factory: settings in, FastAPI app out, engine opened in the lifespan
(connected as the app's own unprivileged login role, made from the owner's connection)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from gis_app import __version__
from gis_app.api import (
    account,
    analysis,
    audit,
    buildings,
    dashboard,
    dxf,
    floors,
    health,
    history,
    imdf,
    imports,
    land,
    layers,
    maps,
    metrics,
    ogc,
    ogc_edit,
    organisations,
    rasters,
    registers,
    rooms,
    search,
    staff,
    tiles,
    xlsx_imports,
)
from gis_app.config import PROJECT_ROOT, Settings, get_settings
from gis_app.db.engine import make_engine, postgis_version, resolve_database_url
from gis_app.db.pool_metrics import POOLS
from gis_app.db.roles import ensure_login_role
from gis_app.errors import add_exception_handlers
from gis_app.http.auth import route_rights
from gis_app.http.json_body import JsonDepthLimit
from gis_app.http.openapi import RIGHTS_KEY, document_errors
from gis_app.http.request_metrics import RequestMetrics
from gis_app.http.signin_redirect import add_signin_handler
from gis_app.web import (
    dashboard_page,
    floor_page,
    land_page,
    login_page,
    map_page,
    match_page,
    print_page,
    registers_page,
)

ROUTERS = (
    health.router,
    login_page.router,
    account.router,
    audit.router,
    buildings.router,
    analysis.router,
    land.router,
    rasters.router,
    imports.router,
    xlsx_imports.router,
    land_page.router,
    match_page.router,
    map_page.router,
    search.router,
    floors.router,
    dxf.router,
    floor_page.router,
    dashboard.router,
    dashboard_page.router,
    layers.router,
    tiles.router,
    maps.router,
    ogc.router,
    ogc_edit.router,
    imdf.router,
    rooms.router,
    staff.router,
    organisations.router,
    history.router,
    registers.router,
    registers_page.router,
    print_page.router,
    metrics.router,
)
"""One router per resource; a new resource adds its line here."""


def declare_rights(router: APIRouter) -> None:
    """Each operation of `router` lists the rights it needs in the OpenAPI document, from
    which its 401/403 answers and security are declared."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            rights = sorted(r.value for r in route_rights(route.dependant))
            route.openapi_extra = {**(route.openapi_extra or {}), RIGHTS_KEY: rights}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database is reached when the app starts, not at import."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app_url = ensure_login_role(resolve_database_url(settings), settings)
        engine = make_engine(app_url, settings.audit_user)
        postgis_version(engine)
        app.state.engine = engine
        POOLS.watch(engine)
        try:
            yield
        finally:
            POOLS.forget(engine)
            engine.dispose()

    app = FastAPI(
        title="以图管房 GIS — government office space and land",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    add_exception_handlers(app)
    add_signin_handler(app)
    app.add_middleware(JsonDepthLimit)
    app.add_middleware(RequestMetrics)
    for router in ROUTERS:
        declare_rights(router)
        app.include_router(router)
    document_errors(app)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "web"), name="static")
    return app
