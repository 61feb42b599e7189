"""Web pages that belong to no one capability: static assets, the language switch, the offline API docs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from helsefellesskap.web.i18n import LOCALES

STATIC = Path(__file__).parent / "static"
SWAGGER = "/static/vendor/swagger-ui-5.35.0"
# Pages may load only their own assets; no frames, no foreign form targets.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)

router = APIRouter(include_in_schema=False)


@router.post("/language")
def choose_language(request: Request, lang: Annotated[str, Form()]) -> RedirectResponse:
    back = request.headers.get("referer") or "/"
    if not back.startswith(str(request.base_url)):
        back = "/"
    response = RedirectResponse(back, status_code=303)
    if lang in LOCALES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


@router.get("/docs")
def api_docs() -> HTMLResponse:
    """Swagger UI served from the package (the default one loads from a CDN, which hospital networks block)."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="helsefellesskap API",
        swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER}/swagger-ui.css",
        swagger_favicon_url="data:,",
    )


def mount_web(app: FastAPI) -> None:
    from helsefellesskap.web import pages
    from helsefellesskap.web.errors import install_page_error_handlers
    from helsefellesskap.web.session import SignInRequired

    install_page_error_handlers(app)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(router)
    app.include_router(pages.router)
    from helsefellesskap.web import alerts, boards, timeline

    app.include_router(boards.router)
    app.include_router(timeline.router)
    app.include_router(alerts.router)
    from helsefellesskap.web import audit_page, dashboard, gp_list, ledger

    app.include_router(dashboard.router)
    app.include_router(ledger.router)
    app.include_router(audit_page.router)
    app.include_router(gp_list.router)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.headers.get("hx-request") == "true":
            # an htmx update (a board's refresh after the session ended): the whole page goes to sign-in,
            # instead of the sign-in page being swapped into the board
            return Response(status_code=204, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)
