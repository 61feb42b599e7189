"""Sign-in, sign-out, the role's start page, and the patient's "who has looked at my data"."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from helsefellesskap.access.compliance import access_log_of_patient
from helsefellesskap.access.http import TooManyAttempts, current_time, login, logout, record_refusal, request_source
from helsefellesskap.access.model import Principal
from helsefellesskap.access.service import AccessDenied
from helsefellesskap.access.users import list_users
from helsefellesskap.deps import get_app_settings, get_database
from helsefellesskap.errors import DomainError, Forbidden, NotFound, Unauthenticated
from helsefellesskap.registry.organisations import get_organisation
from helsefellesskap.web.audit_words import basis_labels, reason_words, resource_labels
from helsefellesskap.web.i18n import translations
from helsefellesskap.web.session import home_of, navigation, page_principal, require_principal
from helsefellesskap.web.templating import OSLO, locale_of, render

router = APIRouter(include_in_schema=False)


def _demo_users(request: Request) -> list[tuple[str, str]]:
    """Usernames and names to show on the sign-in page, only while the development provider is on."""
    if not get_app_settings(request).dev_identity_provider:
        return []
    with get_database(request).reading() as session:
        return [(p.username, p.display_name) for p in list_users(session) if p.username != "integrasjon"]


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return render(request, "login.html", principal=None, demo_users=_demo_users(request), error=None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, username: Annotated[str, Form()] = "",
                 password: Annotated[str, Form()] = "") -> Response:
    # The fields are checked here, not by the form parser (whose 422 is the API's problem+json, not a page).
    _ = translations(locale_of(request)).gettext
    response = RedirectResponse("/", status_code=303)
    if not username.strip() or not password:
        return render(request, "login.html", status_code=422, principal=None, demo_users=_demo_users(request),
                      error=_("Write your username and password."), username=username[:100])
    try:
        if len(username) > 100 or len(password) > 200:  # longer than any account's: no look-up
            raise Unauthenticated("Wrong username or password.")
        principal = login(request, response, username, password)
    except TooManyAttempts as exc:
        error, status = _("Too many failed attempts. Try again in {seconds} seconds.").format(
            seconds=exc.retry_after), 429
    except (Unauthenticated, NotFound):
        error, status = _("Wrong username or password."), 401
    else:
        response.headers["location"] = home_of(principal)
        return response
    return render(request, "login.html", status_code=status, principal=None,
                  demo_users=_demo_users(request), error=error, username=username[:100])


@router.post("/logout")
def logout_submit() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    logout(response)
    return response


@router.get("/")
def start(request: Request) -> RedirectResponse:
    principal = page_principal(request)
    return RedirectResponse(home_of(principal) if principal else "/login", status_code=303)


def _organisation_name(session: Session, address: str | None) -> str:
    if address is None:
        return ""
    try:
        return get_organisation(session, address).name
    except DomainError:
        return address


def forbidden_page(request: Request, principal: Principal, refusal: Forbidden | None = None) -> Response:
    """The 403 page. A refused access to person data is audited like the API's (in its own transaction, since
    the page's has rolled back): pass the caught exception as ``refusal``."""
    if isinstance(refusal, AccessDenied):
        record_refusal(get_database(request), refusal)
    _ = translations(locale_of(request)).gettext
    return render(request, "error.html", status_code=403, principal=principal,
                  navigation=navigation(request, principal), title=_("No access"),
                  message=_("You do not have access to this page."))


@router.get("/my/access-log", response_class=HTMLResponse)
def my_access_log(request: Request) -> Response:
    principal = require_principal(request)
    _ = translations(locale_of(request)).gettext
    resources, bases = resource_labels(_), basis_labels(_)
    try:
        with get_database(request).unit_of_work() as session:
            rows = access_log_of_patient(session, principal, now=current_time(request),
                                         source=request_source(request))
            names: dict[str, str] = {}

            def name_of(address: str | None) -> str:
                if address is None:
                    return ""
                if address not in names:
                    names[address] = _organisation_name(session, address)
                return names[address]

            entries = [{"at": row.at, "name": row.display_name, "organisation": name_of(row.organisation_address),
                        "action": row.action, "resource": resources.get(row.resource, row.resource),
                        "basis": row.basis_kind, "basis_label": bases.get(row.basis_kind or "", ""),
                        "reason": reason_words(row.reason, _, name_of)} for row in rows]
    except Forbidden as refusal:
        return forbidden_page(request, principal, refusal)
    return render(request, "my_access_log.html", principal=principal, navigation=navigation(request, principal),
                  entries=repeated_together(entries))


def repeated_together(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries (newest first) that repeat the one before — same person, organisation, what and why, the same Oslo
    day — as one line with the first and last time and how many times (``count``, ``first_at``). A board open all
    day re-reads, and logs, every patient on it every 30 seconds; the patient should see that as one line that
    says how often, not hundreds of identical ones. Nothing is left out: the count and the span are shown."""
    grouped: list[dict[str, Any]] = []
    for entry in entries:
        key = (entry["name"], entry["organisation"], entry["action"], entry["resource"], entry["basis"],
               entry["reason"], entry["at"].astimezone(OSLO).date())
        if grouped and grouped[-1]["key"] == key:
            grouped[-1]["count"] += 1
            grouped[-1]["first_at"] = entry["at"]
        else:
            grouped.append({**entry, "key": key, "count": 1, "first_at": entry["at"]})
    return grouped
