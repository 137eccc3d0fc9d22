"""`/metrics`: the process's series in Prometheus text format, for the operator's scraper.

Who may read it is `Settings.metrics_access`: an admin (`admin`), or also a caller on this
machine with no credentials (`admin_or_loopback`, the default: a Prometheus beside the app
needs no token); `off` hides it (404). A request that came through a proxy (it carries
`Forwarded` or `X-Forwarded-For`) is never taken for a local one, even from 127.0.0.1.

The series are those of this process: `gis-app serve` runs one. Several worker processes
would each answer with their own counts (see README, Monitoring).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from gis_app.accounts.rights import Right
from gis_app.errors import NotFound
from gis_app.http.auth import current_caller, needs
from gis_app.http.openapi import answers

PROXY_HEADERS = ("forwarded", "x-forwarded-for")


def from_loopback(request: Request) -> bool:
    """The connection comes from this machine and no proxy says it forwards someone."""
    host = request.client.host if request.client else ""
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
    return local and not any(name in request.headers for name in PROXY_HEADERS)


def metrics_reader() -> Any:
    """A route dependency: `needs(Right.ADMIN)`, waived for a local caller when the setting
    allows it; it carries `.right` as `needs` does (the authorisation matrix reads it)."""
    admin = needs(Right.ADMIN).dependency

    async def reader(request: Request) -> None:
        access = request.app.state.settings.metrics_access
        if access == "off":
            raise NotFound(resource="path", id="/metrics")
        if access == "admin_or_loopback" and from_loopback(request):
            return
        await admin(await current_caller(request))

    reader.right = Right.ADMIN  # type: ignore[attr-defined]
    return Depends(reader)


router = APIRouter(tags=["operations"], dependencies=[metrics_reader()])


@router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses=answers(
        CONTENT_TYPE_LATEST,
        s404={"description": "关闭（GIS_METRICS_ACCESS=off） / Switched off"},
    ),
    summary="运行指标 / Metrics (Prometheus)",
)
def metrics() -> Response:
    """Request counts and latency by route template, method and status class; requests in
    flight; the database pool; tiles served; import rows and failures; the process. Admin,
    or a local scraper when `GIS_METRICS_ACCESS=admin_or_loopback`."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
