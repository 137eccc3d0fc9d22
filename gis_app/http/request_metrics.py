"""Every request counted, timed and logged once, by its route template.

The label and the log name the route as declared (`/api/v1/buildings/{building_id}`), never
the path asked for: a path holds ids, and a query string can hold names. Nothing about the
caller is kept — no user, no token, no address — so the series and the access log hold no
personal data and their number stays bounded by the routes.

Each answer carries `X-Request-ID`: the caller's own if it is a plain short token (a proxy's
id ties its log to ours), else a new one; the access log line carries the same id.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "(unmatched)"
"""The route label of a request no route took (a 404 of an unknown path)."""

access_log = logging.getLogger("gis_app.access")

REQUESTS = Counter("gis_http_requests", "Requests answered.", ["method", "route", "status"])
DURATION = Histogram(
    "gis_http_request_duration_seconds",
    "Time from the request's arrival to the end of its answer.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
IN_FLIGHT = Gauge("gis_http_requests_in_flight", "Requests being answered now.")


def route_template(scope: Scope) -> str:
    """The template of the route that took the request (a mount's prefix for static files)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def request_id(scope: Scope) -> str:
    """The caller's X-Request-ID when it is a plain token of at most 64 characters, else new."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if _SAFE_ID.fullmatch(given):
                return given
    return uuid.uuid4().hex


class RequestMetrics:
    """ASGI middleware: the request's id header, its series and its access log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        answer = {"status": 500, "bytes": 0}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers = [(k, v) for k, v in headers if k.lower() != b"x-request-id"]
                headers.append((REQUEST_ID_HEADER.lower().encode(), rid.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
            await send(message)

        began = time.perf_counter()
        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, sending)
        finally:
            IN_FLIGHT.dec()
            seconds = time.perf_counter() - began
            method = scope["method"] if scope["method"] in METHODS else "other"
            labels = (method, route_template(scope), status_class(answer["status"]))
            REQUESTS.labels(*labels).inc()
            DURATION.labels(*labels).observe(seconds)
            line = access_line(labels[1], method, answer, seconds, rid)
            access_log.info("%s", json.dumps(line), extra={"access": line})


def access_line(
    route: str, method: str, answer: dict[str, int], seconds: float, rid: str
) -> dict[str, Any]:
    """The fields of one access log line (nothing of the caller: see the module's note)."""
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": method,
        "route": route,
        "status": answer["status"],
        "duration_ms": round(seconds * 1000, 2),
        "bytes": answer["bytes"],
        "request_id": rid,
    }


def log_access_to_stderr() -> None:
    """Send the access log, one JSON object a line, to stderr (`gis-app serve`); a
    deployment's own logging configuration may route `gis_app.access` elsewhere instead."""
    if access_log.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
