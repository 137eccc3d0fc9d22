"""The error answers of the OpenAPI document, declared once for every operation.

FastAPI documents its own validation error (a `detail` list) on each operation; the app
sends `gis_app.schemas.errors.ErrorBody` (a `detail` object) for every 4xx and 5xx. Here
each operation gets that one schema under each status it can answer, chosen by the rules
in `ERROR_STATUSES`; a status that applies to more operations (401 and 403 of signed-in
routes, say) is one more line there. A status a route declares itself (an import's 422
with its report) is left as the route wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from gis_app.schemas.errors import ErrorBody

Operation = dict[str, Any]
REF = "#/components/schemas/{model}"
FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
WRITES = {"post", "put", "patch", "delete"}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation of the document, as the rules see it."""

    path: str
    method: str
    operation: Operation


Applies = Callable[[Endpoint], bool]


def _takes_input(endpoint: Endpoint) -> bool:
    return bool(endpoint.operation.get("parameters") or endpoint.operation.get("requestBody"))


def _has_body_or_is_ogc(endpoint: Endpoint) -> bool:
    return "requestBody" in endpoint.operation or endpoint.path.startswith("/ogc")


def _writes(endpoint: Endpoint) -> bool:
    return endpoint.method in WRITES


def _ogc_writes(endpoint: Endpoint) -> bool:
    return endpoint.path.startswith("/ogc") and _writes(endpoint)


def _changes_stored(endpoint: Endpoint) -> bool:
    """Replacing, updating or deleting an OGC feature: If-Match is required (Part 4)."""
    return _ogc_writes(endpoint) and endpoint.method != "post"


def _uploads(endpoint: Endpoint) -> bool:
    body = endpoint.operation.get("requestBody", {})
    return "multipart/form-data" in body.get("content", {})


def _takes_if_match(endpoint: Endpoint) -> bool:
    """An OGC replace, update or delete, or an operation declaring an If-Match header."""
    return _changes_stored(endpoint) or any(
        p.get("in") == "header" and str(p.get("name", "")).lower() == "if-match"
        for p in endpoint.operation.get("parameters", [])
    )


def _always(_: Endpoint) -> bool:
    return True


RIGHTS_KEY = "x-gis-rights"
"""Where an operation lists the rights it needs (`gis_app.app.declare_rights` puts them)."""


def _signed_in(endpoint: Endpoint) -> bool:
    return any(r != "public" for r in endpoint.operation.get(RIGHTS_KEY, ["read"]))


SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "API token (gis-app token create)",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "gis_session",
        "description": "Browser session after /login; writes send X-CSRF-Token",
    },
    "basic": {"type": "http", "scheme": "basic", "description": "User and password, on /ogc only"},
}


def add_security(document: dict[str, Any]) -> None:
    """Declare the schemes and, per operation, which may be used (none for public ones)."""
    document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not _signed_in(Endpoint(path, method, operation)):
                operation["security"] = []
                continue
            schemes = ["bearer", "session"] + (["basic"] if path.startswith("/ogc") else [])
            operation["security"] = [{name: []} for name in schemes]


@dataclass(frozen=True, slots=True)
class ErrorStatus:
    """An error status, what it means, and which operations can answer it."""

    status: int
    description: str
    applies: Applies


ERROR_STATUSES: tuple[ErrorStatus, ...] = (
    ErrorStatus(
        400,
        "请求无法读取或不符合 OGC 标准 / Unreadable request (OGC: bad parameter)",
        _has_body_or_is_ogc,
    ),
    ErrorStatus(401, "未登录或凭据无效 / Not signed in, or bad credentials", _signed_in),
    ErrorStatus(
        403,
        "无权执行（指明所需权限，或缺少 CSRF 令牌） / Not allowed: names the right needed",
        _signed_in,
    ),
    ErrorStatus(404, "所指对象不存在 / What the request names does not exist", _takes_input),
    ErrorStatus(405, "该集合只读，不接受此方法 / The collection is read only", _ogc_writes),
    ErrorStatus(409, "与已有数据冲突 / Conflicts with existing data", _writes),
    ErrorStatus(
        412,
        "If-Match 与当前版本不符（ETag 头给出当前版本） / Stale If-Match: ETag has the current",
        _takes_if_match,
    ),
    ErrorStatus(413, "上传文件过大 / Upload or its unpacked contents too large", _uploads),
    ErrorStatus(422, "参数无效（指明字段） / Invalid parameter, naming the field", _takes_input),
    ErrorStatus(428, "缺少 If-Match 头 / If-Match required", _takes_if_match),
    ErrorStatus(503, "数据库或打印服务暂不可用 / Database or printer unavailable", _always),
)
"""Lowest status first; a new rule is one line here."""


def add_error_responses(document: dict[str, Any], statuses: tuple[ErrorStatus, ...]) -> None:
    """Declare `ErrorBody` under each applicable status of every operation of `document`
    (an OpenAPI dict, changed in place), in place of FastAPI's validation error."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(ref_template=REF)
    schemas.update(body.pop("$defs", {}))
    schemas[ErrorBody.__name__] = body
    content = {"application/json": {"schema": {"$ref": REF.format(model=ErrorBody.__name__)}}}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for rule in statuses:
                if not rule.applies(Endpoint(path, method, operation)):
                    continue
                declared = responses.get(str(rule.status))
                if declared is None or _is_fastapi_validation(declared):
                    responses[str(rule.status)] = {
                        "description": rule.description,
                        "content": content,
                    }
    for name in FASTAPI_VALIDATION:  # the list first: it holds the only use of the item
        if f'"{REF.format(model=name)}"' not in json.dumps(document):
            schemas.pop(name, None)


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref") == REF.format(model=FASTAPI_VALIDATION[0])


def document_errors(app: FastAPI, statuses: tuple[ErrorStatus, ...] = ERROR_STATUSES) -> None:
    """Make `app.openapi()` declare the app's error answers (built once, then cached as
    FastAPI caches its document)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            add_error_responses(document, statuses)
            add_security(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


HTML_MEDIA_TYPE = "text/html"
PNG_MEDIA_TYPE = "image/png"
GEOJSON_MEDIA_TYPE = "application/geo+json"


def answers(*media_types: str, status: int = 200, **more: dict[str, Any]) -> dict[int | str, Any]:
    """`responses=` of a route that answers in other formats than JSON: each media type
    (parameters such as charset dropped) under `status`, beside the JSON that FastAPI
    documents itself; `more` adds statuses by number, e.g. `answers(PNG, s304={...})`."""
    out: dict[int | str, Any] = {
        status: {"content": {media.split(";")[0].strip(): {} for media in media_types}}
    }
    out.update({int(key.removeprefix("s")): value for key, value in more.items()})
    return out
