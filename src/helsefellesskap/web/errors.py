"""Error pages of the web app: what a browser gets for an address that is no page, a method a page does not take,
input no page accepts (a NUL character) or an internal error — a page in the user's language, never the API's
problem+json or a traceback. The API's paths keep their problem+json (`problems.py`)."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from helsefellesskap.nul_guard import NUL_DETAIL
from helsefellesskap.problems import problem
from helsefellesskap.web.i18n import translations
from helsefellesskap.web.session import navigation, page_principal
from helsefellesskap.web.templating import locale_of, render

log = logging.getLogger(__name__)
# Paths that answer machines, not browsers: they keep problem+json.
MACHINE_PATHS = ("/api/", "/static/")
MACHINE_PAGES = ("/openapi.json", "/health")

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


async def _answer(handler: Handler, request: Request, exc: Exception) -> Response:
    response = handler(request, exc)
    return await response if inspect.isawaitable(response) else response


def is_page(path: str) -> bool:
    return not path.startswith(MACHINE_PATHS) and path not in MACHINE_PAGES


def error_page(request: Request, status: int) -> Response:
    """The page for ``status``, with the menu when someone is signed in."""
    _ = translations(locale_of(request)).gettext
    if status == 404:
        title, message = _("Page not found"), _("The page does not exist, or the link is out of date.")
    elif status == 422:
        title, message = _("Invalid input"), _("The request holds characters or values that no page accepts.")
    elif status == 403:  # what `cross_site.CrossSiteGuard` refuses; the pages' own refusals have their page
        title, message = _("No access"), _(
            "The request came from another website and was not accepted. Open the page here and try again.")
    elif status >= 500:
        title, message = _("Something went wrong"), _(
            "An internal error occurred and has been logged. Try again, or tell the administrator if it persists.")
    else:
        title, message = _("The request could not be handled"), _("Check the address and try again.")
    principal = page_principal(request)
    return render(request, "error.html", status_code=status, principal=principal,
                  navigation=navigation(request, principal) if principal else [], title=title, message=message)


async def refuse_nul(request: Request) -> Response:
    """`nul_guard.NulGuard`'s answer: a page for a page, problem+json for the API."""
    if is_page(request.url.path):
        return error_page(request, 422)
    return problem(422, NUL_DETAIL, code="invalid-input", instance=request.url.path)


def install_page_error_handlers(app: FastAPI) -> None:
    """Wrap the API's handlers of HTTP errors, request validation and unexpected errors: on a page's path the
    browser gets an error page instead."""
    http_handler: Handler = app.exception_handlers[StarletteHTTPException]
    validation_handler: Handler = app.exception_handlers[RequestValidationError]
    unexpected_handler: Handler = app.exception_handlers[Exception]

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_page(request.url.path):
            return await _answer(http_handler, request, exc)
        response = error_page(request, exc.status_code)
        response.headers.update(dict(exc.headers or {}))
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if not is_page(request.url.path):
            return await _answer(validation_handler, request, exc)
        return error_page(request, 422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        if not is_page(request.url.path):
            return await _answer(unexpected_handler, request, exc)
        log.exception("unhandled error on %s", request.url.path)
        try:
            return error_page(request, 500)
        except Exception:  # the page itself failed: the API's answer, still without a traceback
            return await _answer(unexpected_handler, request, exc)
