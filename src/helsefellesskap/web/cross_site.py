"""Cross-site request forgery: a page's form post (answer a readiness notice, acknowledge an alert, sign in, …) is
refused when the browser says it comes from another site or origin.

`SameSite=Lax` keeps the session cookie off cross-*site* posts only: another origin of the same site (another
port on the same host, a sibling subdomain) still gets it sent. The browser's own `Sec-Fetch-Site` header names the
request's initiator, and the page's own forms and htmx calls say `same-origin` (a user's typed address or bookmark:
`none`); a browser without it sends `Origin`, which must then name this host. A client that sends neither (curl,
the tests' client, an integration) is no browser a page could be forged in, and passes. OWASP CSRF Prevention Cheat
Sheet, "Verifying origin with standard headers" and "Fetch Metadata headers"."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from helsefellesskap.web.errors import error_page, is_page

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


def is_cross_site(request: Request) -> bool:
    """Whether a browser made this request for a page of another origin."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site.lower() not in ALLOWED_FETCH_SITES
    origin = request.headers.get("origin")
    if origin is None:
        return False
    return origin == "null" or urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


class CrossSiteGuard:
    """ASGI middleware: a state-changing request to a page from another origin gets the 403 page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS and is_page(scope["path"]):
            request = Request(scope)
            if is_cross_site(request):
                await error_page(request, 403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
