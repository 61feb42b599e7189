"""A person's timeline across hospital, municipality and GP: stays with their obligations, payment and alerts,
and every message, newest first. Read through `transitions.service` (authorized and audited); without a care
relation the page answers 403 without saying whether the person exists, and offers emergency access
("break the glass") to the roles that may use it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from helsefellesskap.access.emergency import open_emergency_access
from helsefellesskap.access.http import current_time, record_refusal, request_source
from helsefellesskap.access.model import EMERGENCY_ROLES, Principal
from helsefellesskap.access.service import AccessDenied, load_subject
from helsefellesskap.deps import get_app_settings, get_database
from helsefellesskap.errors import DomainError, Forbidden, InvalidInput
from helsefellesskap.identity.national_id import parse_national_id
from helsefellesskap.registry.organisations import get_organisation
from helsefellesskap.transitions import service
from helsefellesskap.web.i18n import translations
from helsefellesskap.web.session import navigation, require_principal
from helsefellesskap.web.templating import locale_of, render
from helsefellesskap.web.vocabulary import vocabulary

router = APIRouter(include_in_schema=False)
EMERGENCY_DURATIONS = (15, 30, 60, 120, 240)  # minutes offered; the settings cap them


def _names(session: Session, addresses: set[str]) -> dict[str, str]:
    """Organisation names of message senders (registry); an unknown address shows as itself."""
    names = {}
    for address in addresses:
        try:
            names[address] = get_organisation(session, address).name
        except DomainError:
            names[address] = address
    return names


def _emergency_until(session: Session, principal: Principal, national_id: str, now: datetime) -> datetime | None:
    """When this user's emergency access to the person ends, if one is open (shown as a banner on the page)."""
    grants = load_subject(session, principal, national_id).emergency_grants
    return max((g.expires_at for g in grants if g.is_active(now)), default=None)


def _invalid_id_page(request: Request, principal: Principal) -> Response:
    _ = translations(locale_of(request)).gettext
    return render(request, "error.html", status_code=422, principal=principal,
                  navigation=navigation(request, principal), title=_("Not a national identity number"),
                  message=_("The address does not hold a valid national identity number (11 digits)."))


def _durations(request: Request) -> list[int]:
    maximum = get_app_settings(request).emergency_access_max_minutes
    return [m for m in EMERGENCY_DURATIONS if m <= maximum] or [maximum]


def _forbidden(request: Request, principal: Principal, national_id: str, *, status_code: int = 403,
               error: str | None = None, reason: str = "") -> Response:
    """No access: the same page whether or not the person exists; the glass can be broken by the roles allowed."""
    return render(request, "timeline_forbidden.html", status_code=status_code, principal=principal,
                  navigation=navigation(request, principal), national_id=national_id,
                  may_break_glass=principal.has_any(EMERGENCY_ROLES), durations=_durations(request),
                  default_minutes=get_app_settings(request).emergency_access_default_minutes,
                  error=error, reason=reason)


@router.get("/persons", response_class=HTMLResponse)
def find_person(request: Request) -> Response:
    """The "open a person's timeline" search: on to the person's page (which decides on access)."""
    principal = require_principal(request)
    text = request.query_params.get("national_id", "").strip().replace(" ", "")
    try:
        nid = parse_national_id(text).value
    except InvalidInput:
        return _invalid_id_page(request, principal)
    return RedirectResponse(f"/persons/{nid}", status_code=303)


@router.get("/persons/{national_id}", response_class=HTMLResponse)
def person_page(request: Request, national_id: str) -> Response:
    principal = require_principal(request)
    try:
        nid = parse_national_id(national_id).value
    except InvalidInput:
        return _invalid_id_page(request, principal)
    database = get_database(request)
    now = current_time(request)
    try:
        with database.unit_of_work() as session:
            source = request_source(request)
            stays = service.person_pathway(session, principal, nid, now=now, source=source)
            entries = service.person_timeline(session, principal, nid, now=now, source=source)
            senders = _names(session, {e.sender for e in entries if e.sender})
            emergency_until = _emergency_until(session, principal, nid, now)
    except AccessDenied as denied:
        record_refusal(database, denied)
        return _forbidden(request, principal, nid)
    except Forbidden:
        return _forbidden(request, principal, nid)
    _ = translations(locale_of(request)).gettext
    return render(request, "timeline.html", principal=principal, navigation=navigation(request, principal),
                  national_id=nid, stays=stays, entries=entries, senders=senders, labels=vocabulary(_),
                  emergency_until=emergency_until)


@router.post("/persons/{national_id}/emergency-access", response_class=HTMLResponse)
def break_the_glass(request: Request, national_id: str, reason: Annotated[str, Form()] = "",
                    minutes: Annotated[str, Form()] = "60") -> Response:
    # The fields are checked here, not by the form parser: its 422 is the API's problem+json, not a page.
    principal = require_principal(request)
    try:
        nid = parse_national_id(national_id).value
    except InvalidInput:
        return _invalid_id_page(request, principal)
    _ = translations(locale_of(request)).gettext
    if not principal.has_any(EMERGENCY_ROLES):
        return _forbidden(request, principal, nid)
    settings = get_app_settings(request)
    database = get_database(request)
    duration = int(minutes) if minutes.isdigit() and len(minutes) <= 5 else 0
    try:
        if not 1 <= duration <= 24 * 60 or len(reason) > 1000:
            raise InvalidInput("A reason of at most 1 000 characters and a duration of 1 to 1 440 minutes.")
        with database.unit_of_work() as session:
            open_emergency_access(session, principal, nid, reason, timedelta(minutes=duration),
                                  now=current_time(request),
                                  maximum=timedelta(minutes=settings.emergency_access_max_minutes),
                                  source=request_source(request))
    except AccessDenied as denied:
        record_refusal(database, denied)
        return _forbidden(request, principal, nid)
    except Forbidden:
        return _forbidden(request, principal, nid)
    except InvalidInput:
        error = _("Write why you need access now, in at least 10 characters, and choose at most %(max)d minutes.") % {
            "max": settings.emergency_access_max_minutes}
        return _forbidden(request, principal, nid, status_code=422, error=error, reason=reason[:1000])
    return RedirectResponse(f"/persons/{nid}", status_code=303)
