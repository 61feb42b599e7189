"""Requests carrying a NUL character (U+0000) are refused at the edge, before any handler reads them.

No field of the platform has a use for it, and PostgreSQL cannot store it in a text column: an id, a name or a
search term with a NUL failed there with a database error (HTTP 500) where SQLite stored it. Refusing it up front
gives the same 422 on both databases, and nothing is written. A NUL can come in the path, the query string, a
form body (``%00``), a JSON body (the escape ``\\u0000``) or raw bytes; the CLI's message logs are checked by
`transitions.ingest` with `json_has_nul`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NUL_DETAIL = "The request contains a NUL character (U+0000), which no field accepts."
# A JSON escape of U+0000: `\u0000` preceded by an even number of backslashes (`\\u0000` is a backslash and text).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def json_has_nul(data: bytes) -> bool:
    """Whether JSON text holds U+0000 in a string (escaped, the only way valid JSON can) or as a raw byte."""
    return b"\x00" in data or (b"\\u0000" in data and _JSON_NUL.search(data) is not None)


def _form_has_nul(data: bytes) -> bool:
    return b"\x00" in data or b"%00" in data


def _target_has_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope.get("path", "") or b"\x00" in query or b"%00" in query


Refusal = Callable[[Request], Awaitable[Response]]


class NulGuard:
    """ASGI middleware: a request with a NUL anywhere gets ``refuse(request)`` (422) and never reaches the app.
    Bodies are read whole, so this sits inside `problems.BodyLimit`, which bounds them."""

    def __init__(self, app: ASGIApp, refuse: Refusal) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _target_has_nul(scope):
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        media = Request(scope).headers.get("content-type", "").split(";")[0].strip().lower()
        if body and (_form_has_nul(body) if media == "application/x-www-form-urlencoded" else json_has_nul(body)):
            await self._refuse(scope, send)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        request = Request(scope)
        response = await self.refuse(request)
        await response(scope, _replay([{"type": "http.request", "body": b"", "more_body": False}], _never), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


async def _never() -> Message:
    return {"type": "http.disconnect"}
