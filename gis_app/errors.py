"""Domain errors and their one mapping to HTTP answers.

Data functions raise these; routes never build HTTP errors by hand. Database errors
from our validation triggers (SQLSTATE 23514) name the record and reason themselves;
any other database text stays in the log, never in a response.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Sequence

import psycopg
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from starlette.exceptions import HTTPException

from gis_app.i18n import language_of, t

log = logging.getLogger(__name__)


class GisAppError(Exception):
    """Base of errors the API answers with a 4xx."""

    status_code = 400
    key = "error.invalid_parameter"

    def __init__(self, **context: object) -> None:
        super().__init__(context)
        self.context = context

    def message(self, lang: str) -> str:
        """Text in the caller's language."""
        values = dict(self.context)
        if "resource" in values:
            values["resource"] = t(f"resource.{values['resource']}", lang)
        if isinstance(values.get("reason"), str) and str(values["reason"]).startswith("reason."):
            values["reason"] = t(str(values["reason"]), lang, **values)
        return t(self.key, lang, **values)


class NotFound(GisAppError):
    """`resource` with `id` does not exist."""

    status_code = 404
    key = "error.not_found"


class InvalidParameter(GisAppError):
    """Request parameter `field` is unusable for `reason`."""

    status_code = 422
    key = "error.invalid_parameter"


class BadRequest(InvalidParameter):
    """As `InvalidParameter`, answered 400 where a standard asks for it (OGC API)."""

    status_code = 400


class Forbidden(GisAppError):
    """Signed in, but the role lacks `right` (or the CSRF token is missing), or the change
    is one only a whole-system role makes."""

    status_code = 403
    key = "error.forbidden"


class Conflict(GisAppError):
    """The request collides with what is stored (a code already taken), named by `field`
    and `reason`: 409, like a unique key the database itself refuses."""

    status_code = 409
    key = "error.conflict"


class Unavailable(GisAppError):
    """A service the request needs is busy or failed (the printer: Chromium), named by
    `reason`: 503, try again later."""

    status_code = 503
    key = "error.unavailable"


class RecordRejected(GisAppError):
    """A write that the data rules refuse; `reason` names the record."""

    status_code = 422
    key = "error.record_rejected"


class MethodNotAllowed(GisAppError):
    """The resource exists but takes no such request (a read-only collection's items):
    405 with the methods it does take in `Allow`."""

    status_code = 405
    key = "error.method_not_allowed"

    def __init__(self, allow: str, **context: object) -> None:
        super().__init__(**context)
        self.headers = {"Allow": allow}


class PreconditionRequired(GisAppError):
    """A change of a stored resource sent without `If-Match`: the client must say which
    version it changes, so that it never overwrites one it has not seen (428)."""

    status_code = 428
    key = "error.precondition_required"


class PreconditionFailed(GisAppError):
    """`If-Match` names a version that is no longer the stored one (412); the current
    `etag` goes back in the `ETag` header so the client can read it again."""

    status_code = 412
    key = "error.precondition_failed"

    def __init__(
        self, etag: str, current: dict[str, object] | None = None, **context: object
    ) -> None:
        super().__init__(etag=etag, **context)
        self.headers = {"ETag": etag}
        self.current = current
        """The resource as it now is, for a client to show (the editing API sends it)."""


def _plain(value: object) -> str | int | float:
    """A value JSON can carry: a non-finite float (NaN from a user's origin, say) as text,
    so that answering an error never fails on the value it reports."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value  # type: ignore[return-value]


def error_body(code: str, message: str, **extra: object) -> dict[str, object]:
    """The one error body (`gis_app.schemas.errors.ErrorBody`)."""
    return {"detail": {"code": code, "message": message, **extra}}


def domain_answer(exc: GisAppError, lang: str) -> JSONResponse:
    """The answer to a domain error, for the handler and for middleware outside it."""
    context = {
        k: _plain(v)
        for k, v in exc.context.items()
        if isinstance(v, str | int | float) and not isinstance(v, bool)
    }
    if isinstance(exc, PreconditionFailed) and exc.current is not None:
        context["current"] = exc.current  # type: ignore[assignment]
    return JSONResponse(
        jsonable_encoder(error_body(type(exc).__name__, exc.message(lang), **context)),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GisAppError)
    return domain_answer(exc, language_of(request.headers))


def data_rule_refusal(exc: DBAPIError | psycopg.Error, lang: str) -> tuple[str, int, str] | None:
    """(code, status, message) of a write the data rules refuse: our triggers' own messages
    (SQLSTATE 23514 without a constraint), row-level security (404: out of the caller's
    scope), a constraint, a missing value, a unique key (409) or a malformed value; None
    for any other database error."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    diag = getattr(orig, "diag", None)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    constraint = getattr(diag, "constraint_name", None)
    rejected = "RecordRejected", 422
    if sqlstate == "23514" and constraint is None:
        reason = str(getattr(diag, "message_primary", "") or "")
        return *rejected, t("error.record_rejected", lang, reason=reason)
    if sqlstate == "42501" and "row-level security" in str(getattr(diag, "message_primary", "")):
        return "NotFound", 404, t("error.out_of_scope", lang)
    if sqlstate in ("23514", "23503", "23P01"):
        reason = t("reason.constraint", lang, constraint=constraint or "?")
        return *rejected, t("error.record_rejected", lang, reason=reason)
    if sqlstate == "23502":
        column = getattr(diag, "column_name", None) or "?"
        reason = t("reason.missing", lang, column=column)
        return *rejected, t("error.record_rejected", lang, reason=reason)
    if sqlstate == "23505":
        return "Conflict", 409, t("error.conflict", lang, reason=constraint or "?")
    if isinstance(exc, DataError | psycopg.DataError) or sqlstate.startswith("22"):
        return *rejected, t("error.record_rejected", lang, reason=t("reason.bad_value", lang))
    return None


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """Data-rule violations become 4xx; only our own trigger messages reach the client
    verbatim (they carry no constraint name and were written to name record and reason)."""
    assert isinstance(exc, DBAPIError | psycopg.Error)
    lang = language_of(request.headers)
    refusal = data_rule_refusal(exc, lang)
    if refusal is not None:
        code, status, message = refusal
        return JSONResponse(error_body(code, message), status)
    if isinstance(exc, OperationalError | psycopg.OperationalError):
        log.exception("database unavailable")
        return JSONResponse(error_body("Unavailable", t("error.database_unavailable", lang)), 503)
    return await _internal_error(request, exc)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = uuid.uuid4().hex[:12]
    log.error("unhandled error, request %s", request_id, exc_info=exc)
    return JSONResponse(
        error_body(
            "InternalError",
            t("error.internal", language_of(request.headers), request_id=request_id),
        ),
        500,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own answers (no such path, method not allowed, a body that is not
    readable JSON) in the one error shape."""
    assert isinstance(exc, HTTPException)
    lang = language_of(request.headers)
    key = {404: "error.no_such_path", 405: "error.method_not_allowed"}.get(
        exc.status_code, "error.unreadable_request"
    )
    return JSONResponse(
        error_body(HTTP_CODES.get(exc.status_code, "HTTPError"), t(key, lang)),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


HTTP_CODES = {400: "BadRequest", 404: "NotFound", 405: "MethodNotAllowed"}


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic location as a field name: ("scores", 1, "raster") → scores[1].raster."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _field(loc: tuple[int | str, ...]) -> str:
    """Body fields keep list positions (which criterion); a repeated query parameter's
    position says nothing the user wrote, so it is left out."""
    if loc[:1] == ("body",):
        return field_path(loc[1:])
    return field_path([p for p in loc[1:] if not isinstance(p, int)])


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = language_of(request.headers)
    problems = [
        {"field": _field(tuple(err.get("loc", ()))) or "body", "reason": err["msg"]}
        for err in exc.errors()
    ]
    first = problems[0] if problems else {"field": "?", "reason": "?"}
    return JSONResponse(
        error_body(
            "InvalidParameter",
            t("error.invalid_parameter", lang, **first),
            field=first["field"],
            problems=problems,
        ),
        status_code=422,
    )


def add_exception_handlers(app: FastAPI) -> None:
    """Register the one table of error → HTTP answers."""
    app.add_exception_handler(GisAppError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(psycopg.Error, _database_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
