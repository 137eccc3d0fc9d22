"""The one error body every 4xx and 5xx of the API sends (built in `gis_app.errors`), as
the OpenAPI documents declare it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """One rejected request field and why."""

    field: str = Field(description="The field as the request names it, e.g. scores[1].raster")
    reason: str


class ErrorDetail(BaseModel):
    """What went wrong: a stable code, a message in the reader's language (Accept-Language:
    Chinese by default, English), and the values that fill it in (`field`, `resource`, `id`,
    `reason`, `limit`, …), each a string or a number."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})
    code: str = Field(examples=["InvalidParameter", "NotFound", "ImportTooLarge"])
    message: str
    field: str | None = Field(default=None, description="The request field at fault")
    problems: list[Problem] | None = Field(
        default=None, description="Every rejected field, when the request was validated"
    )


class ErrorBody(BaseModel):
    """An error answer: `detail` is an object, never a list."""

    detail: ErrorDetail
