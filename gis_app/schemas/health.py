"""Health answer."""

from __future__ import annotations

from pydantic import BaseModel


class Health(BaseModel):
    """Whether the database answers, with which PostGIS, at which schema revision."""

    status: str
    database: str
    postgis_version: str | None = None
    schema_revision: str | None = None
    schema_head: str | None = None
    schema_up_to_date: bool = False
