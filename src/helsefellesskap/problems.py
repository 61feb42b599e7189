"""RFC 9457 problem details: every error the API returns, in one shape, and never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helsefellesskap.errors import DomainError

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://helsefellesskap.no/problems/"
log = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
}


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (code or str(status)),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        out.append({"pointer": "/" + "/".join(loc[1:] if loc and loc[0] == "body" else loc),
                    "detail": str(err.get("msg", "invalid"))})
    return out


FORM_MEDIA = ("application/x-www-form-urlencoded", "multipart/form-data")


def _expects_form(request: Request) -> bool:
    body_field = getattr(request.scope.get("route"), "body_field", None)
    return body_field is not None and isinstance(body_field.field_info, params.Form)


def _expected_media(request: Request) -> str:
    return " or ".join(FORM_MEDIA) if _expects_form(request) else "application/json"


def _unsupported_media_type(request: Request, exc: RequestValidationError) -> bool:
    """A body the route cannot read because of its content type (415, not 422): FastAPI hands a JSON route the
    raw bytes of any non-JSON body, and a form route an empty form for any non-form body."""
    if _expects_form(request):
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        return bool(media) and media not in FORM_MEDIA
    body = getattr(exc, "body", None)
    return isinstance(body, bytes | bytearray) and len(body) > 0


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem(exc.status, exc.detail, code=exc.code, instance=request.url.path,
                       errors=exc.errors or None, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if _unsupported_media_type(request, exc):
            return problem(415, f"This operation accepts {_expected_media(request)} bodies only.",
                           code="unsupported-media-type", instance=request.url.path)
        errors = _validation_errors(exc)
        malformed = any(e.get("type") == "json_invalid" for e in exc.errors())
        status = 400 if malformed else 422
        detail = "The request body is not valid JSON." if malformed else "The request does not validate."
        return problem(status, detail, code="malformed-json" if malformed else "invalid-input",
                       instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
        return problem(exc.status_code, detail, instance=request.url.path,
                       headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "An internal error occurred; it has been logged.", instance=request.url.path)


class BodyLimit:
    """Reject request bodies larger than ``max_bytes`` with 413 problem+json before any handler reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"The request body exceeds {self.max_bytes} bytes.", code="body-too-large")
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
