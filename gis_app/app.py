"""The application factory: settings in, FastAPI app out, engine opened in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gis_app import __version__
from gis_app.api import (
    analysis,
    buildings,
    dashboard,
    dxf,
    floors,
    health,
    imdf,
    imports,
    land,
    layers,
    maps,
    ogc,
    rasters,
    search,
    tiles,
)
from gis_app.config import PROJECT_ROOT, Settings, get_settings
from gis_app.db.engine import make_engine, postgis_version, resolve_database_url
from gis_app.errors import add_exception_handlers
from gis_app.http.json_body import JsonDepthLimit
from gis_app.http.openapi import document_errors
from gis_app.web import dashboard_page, floor_page, land_page, map_page

ROUTERS = (
    health.router,
    buildings.router,
    analysis.router,
    land.router,
    rasters.router,
    imports.router,
    land_page.router,
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
    imdf.router,
)
"""One router per resource; a new resource adds its line here."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database is reached when the app starts, not at import."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(resolve_database_url(settings), settings.audit_user)
        postgis_version(engine)
        app.state.engine = engine
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="以图管房 GIS — government office space and land",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    add_exception_handlers(app)
    app.add_middleware(JsonDepthLimit)
    for router in ROUTERS:
        app.include_router(router)
    document_errors(app)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "web"), name="static")
    return app
