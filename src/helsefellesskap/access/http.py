"""The HTTP edge of access control: who is calling (``CurrentPrincipal``: a bearer token, or the web session
cookie), the clock, where the call comes from; web login and logout; the login rate limit; and the handler that
audits refused accesses to person data after the request's own transaction has rolled back."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from helsefellesskap.access import audit as audit_log
from helsefellesskap.access.model import Principal
from helsefellesskap.access.service import AccessDenied
from helsefellesskap.access.tokens import issue_session, read_session, validate_bearer
from helsefellesskap.access.users import authenticate
from helsefellesskap.db import Database
from helsefellesskap.deps import get_app_settings, get_database
from helsefellesskap.errors import DomainError, NotFound, Unauthenticated
from helsefellesskap.problems import problem
from helsefellesskap.settings import Settings

SESSION_COOKIE = "helsefellesskap_session"
_bearer = HTTPBearer(auto_error=False, bearerFormat="JWT",
                     description="A bearer token from the configured OIDC issuer (HelseID) or, in development, "
                                 "from POST /api/v1/auth/token or `helsefellesskap dev token --user NAME`.")


def current_time(request: Request) -> datetime:
    """The request's clock: ``app.state.clock`` when a test or simulation sets one, else the UTC wall clock."""
    clock: Callable[[], datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock else datetime.now(UTC)


def request_source(request: Request) -> str:
    """Where a request comes from, for the audit log: the client address (as uvicorn sees it behind a proxy)."""
    host = request.client.host if request.client else "unknown"
    return f"http {host}"


def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    settings = get_app_settings(request)
    if credentials is not None:
        return validate_bearer(credentials.credentials, settings)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return read_session(cookie, settings)
    raise Unauthenticated("Authentication required: send a bearer token (Authorization: Bearer <token>).")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Now = Annotated[datetime, Depends(current_time)]
Source = Annotated[str, Depends(request_source)]


class TooManyAttempts(DomainError):
    status = 429
    code = "too-many-requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class LoginThrottle:
    """Failed logins per (username, client address) in a sliding window; blocked keys get 429 until it passes.
    In memory, per process: several processes each count their own (put a limit in the proxy as well)."""

    MAX_KEYS = 100_000

    def __init__(self, max_failures: int, window: timedelta) -> None:
        self.max_failures, self.window = max_failures, window
        self._failures: OrderedDict[tuple[str, str], deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, key: tuple[str, str], now: datetime, limit: int | None = None) -> int | None:
        with self._lock:
            failures = self._recent(key, now)
            if len(failures) < (limit or self.max_failures):
                return None
            return max(1, int((failures[0] + self.window - now).total_seconds()) + 1)

    def failed(self, key: tuple[str, str], now: datetime) -> None:
        with self._lock:
            failures = self._recent(key, now)
            failures.append(now)
            self._failures[key] = failures
            self._failures.move_to_end(key)
            while len(self._failures) > self.MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)


# One client address may fail this many times more often than one username before it is blocked for all names.
ADDRESS_LIMIT_FACTOR = 10


def login_throttle(request: Request) -> LoginThrottle:
    state = request.app.state
    throttle: LoginThrottle | None = getattr(state, "login_throttle", None)
    if throttle is None:
        settings = get_app_settings(request)
        throttle = LoginThrottle(settings.login_max_failures, timedelta(seconds=settings.login_window_seconds))
        state.login_throttle = throttle
    return throttle


def check_credentials(request: Request, username: str, password: str) -> Principal:
    """Authenticate a username and password of the development provider, rate-limited per username and client."""
    settings, database = get_app_settings(request), get_database(request)
    if not settings.dev_identity_provider:
        raise NotFound("Password sign-in is served only by the development identity provider, which is disabled.")
    throttle, now = login_throttle(request), current_time(request)
    address = request.client.host if request.client else "unknown"
    key, address_key = (username.strip().lower(), address), ("", address)
    # Per username and address; and per address across usernames (password spraying), with a wider limit.
    wait = throttle.retry_after(key, now) or throttle.retry_after(
        address_key, now, throttle.max_failures * ADDRESS_LIMIT_FACTOR)
    if wait is not None:
        raise TooManyAttempts(f"Too many failed sign-in attempts; try again in {wait} seconds.", wait)
    with database.unit_of_work() as session:
        principal = authenticate(session, username, password)
    if principal is None:
        throttle.failed(key, now)
        throttle.failed(address_key, now)
        raise Unauthenticated("Wrong username or password.")
    throttle.succeeded(key)
    return principal


def login(request: Request, response: Response, username: str, password: str) -> Principal:
    """Web sign-in: check the credentials (rate-limited) and set the signed, HttpOnly session cookie."""
    principal = check_credentials(request, username, password)
    settings = get_app_settings(request)
    response.set_cookie(
        SESSION_COOKIE, issue_session(principal, settings, current_time(request)),
        max_age=settings.session_lifetime_minutes * 60, httponly=True, samesite="lax",
        secure=settings.session_cookie_secure, path="/",
    )
    return principal


def logout(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def record_refusal(database: Database, denied: AccessDenied) -> None:
    """Audit a refused access to person data in a transaction of its own (the request's has rolled back).
    The API does this for every AccessDenied; a page that catches Forbidden to render its own 403 calls it."""
    with database.unit_of_work() as session:
        audit_log.append(session, denied.record)


DEV_SECRET_KEY = Settings.model_fields["secret_key"].default
MIN_SECRET_KEY_LENGTH = 32


def check_production_settings(settings: Settings) -> None:
    """Without the development provider this is production: refuse to start on the development secret or a short
    one (it signs the web sessions)."""
    if settings.dev_identity_provider:
        return
    if settings.secret_key == DEV_SECRET_KEY or len(settings.secret_key.encode()) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(f"Set HELSEFELLESSKAP_SECRET_KEY to a random secret of at least {MIN_SECRET_KEY_LENGTH} "
                           "bytes: the development identity provider is off, so this is a production setup.")


def install_access_handlers(app: FastAPI) -> None:
    """Refused accesses to person data are audited too (snooping attempts show in compliance queries);
    a blocked login answers 429 with Retry-After. Checks the secrets of a production setup first."""
    check_production_settings(app.state.settings)

    @app.exception_handler(AccessDenied)
    async def _denied(request: Request, exc: AccessDenied) -> JSONResponse:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(record_refusal, get_database(request), exc)
        return problem(exc.status, exc.detail, code=exc.code, instance=request.url.path)

    @app.exception_handler(TooManyAttempts)
    async def _throttled(request: Request, exc: TooManyAttempts) -> JSONResponse:
        return problem(429, exc.detail, code=exc.code, instance=request.url.path,
                       headers={"Retry-After": str(exc.retry_after)})
