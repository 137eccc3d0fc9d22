"""Health: is the database there, with PostGIS, at the schema revision the code expects."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from gis_app.accounts.rights import Right
from gis_app.db.engine import postgis_version
from gis_app.db.migrate import current_revision, head_revision
from gis_app.http.auth import needs
from gis_app.http.session import EngineDep
from gis_app.schemas.health import Health

router = APIRouter(prefix="/api", tags=["health"], dependencies=[needs(Right.PUBLIC)])
log = logging.getLogger(__name__)


@router.get("/health", operation_id="health", response_model=Health, summary="Health / 健康检查")
def health(engine: EngineDep) -> Health | JSONResponse:
    """200 when the database answers and the schema is at head; 503 otherwise."""
    head = head_revision()
    try:
        postgis = postgis_version(engine)
        revision = current_revision(engine)
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        body = Health(status="error", database="unreachable", schema_head=head)
        return JSONResponse(body.model_dump(), status_code=503)
    up_to_date = revision == head
    return Health(
        status="ok" if up_to_date else "degraded",
        database="ok",
        postgis_version=postgis,
        schema_revision=revision,
        schema_head=head,
        schema_up_to_date=up_to_date,
    )
