"""JSON request bodies are checked for nesting before FastAPI parses them: past
`jsontext.MAX_DEPTH` levels the answer is a 422 naming `body`, where the parser would
otherwise recurse until Python gives up."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gis_app.errors import InvalidParameter, domain_answer
from gis_app.i18n import pick_language
from gis_app.ingest.jsontext import MAX_DEPTH, depth

BODY_METHODS = {"POST", "PUT", "PATCH"}


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _parsed_as_json(scope: Scope) -> bool:
    """FastAPI reads a body as JSON when it says so, and when it says nothing."""
    kind = _header(scope, b"content-type").split(";")[0].strip().lower()
    return not kind or kind == "application/json" or kind.endswith("+json")


class JsonDepthLimit:
    """ASGI middleware: the body read whole (FastAPI reads it whole too), measured, and
    handed on unchanged or refused."""

    def __init__(self, app: ASGIApp, max_depth: int = MAX_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in BODY_METHODS
            or not _parsed_as_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        message: Message = {"type": "http.request", "more_body": True}
        while message["type"] == "http.request" and message.get("more_body", False):
            message = await receive()
            chunks.append(message.get("body", b""))
        body = b"".join(chunks)
        found = depth(body)
        if found > self.max_depth:
            refused = InvalidParameter(
                field="body", reason="reason.json_too_deep", depth=found, limit=self.max_depth
            )
            lang = pick_language(_header(scope, b"accept-language"))
            await domain_answer(refused, lang)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            if message["type"] != "http.request":  # the client left while sending
                return message
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
