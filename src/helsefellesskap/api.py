"""The FastAPI application factory: mounts each capability's router, problem+json for every error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from helsefellesskap import __version__
from helsefellesskap.access import api as access_api
from helsefellesskap.access.http import install_access_handlers
from helsefellesskap.db import Database
from helsefellesskap.indicators import api as indicators_api
from helsefellesskap.nul_guard import NulGuard
from helsefellesskap.problems import BodyLimit, install_problem_handlers
from helsefellesskap.registry import api as registry_api
from helsefellesskap.settings import Settings, get_settings
from helsefellesskap.transitions import api as transitions_api
from helsefellesskap.web.cross_site import CrossSiteGuard
from helsefellesskap.web.errors import refuse_nul
from helsefellesskap.web.views import CONTENT_SECURITY_POLICY, mount_web

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


async def _security_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.headers.get("content-type", "").startswith("text/html") and request.url.path != "/docs":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    owns_database = database is None
    database = database or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_database:
            database.dispose()

    app = FastAPI(
        title="helsefellesskap",
        version=__version__,
        description="Care transitions, shared care plans and indicators for a Norwegian helsefellesskap.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    install_problem_handlers(app)
    install_access_handlers(app)
    # The first added is the innermost: the guards' refusals get the security headers, and BodyLimit bounds the
    # bodies NulGuard reads.
    app.add_middleware(CrossSiteGuard)
    app.add_middleware(NulGuard, refuse=refuse_nul)
    app.add_middleware(BaseHTTPMiddleware, dispatch=_security_headers)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)

    @app.get("/health", tags=["operations"], summary="Liveness and database check")
    def health() -> dict[str, str]:
        from sqlalchemy import text

        with database.reading() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    for router in (registry_api.router, access_api.router, transitions_api.router, indicators_api.router):
        app.include_router(router)
    mount_web(app)
    return app
