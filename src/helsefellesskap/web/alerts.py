"""The alerts inbox: the kasteball alerts the principal's organisation must act on, each with the explanation a
nurse understands; acknowledge, assign to a colleague of the same organisation, comment — in place with htmx.
Alerts come from `transitions.service` (authorized and audited)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import escape
from sqlalchemy.orm import Session

from helsefellesskap.access.http import current_time, record_refusal
from helsefellesskap.access.model import CARE_ROLES, HOSPITAL_ROLES, MUNICIPAL_ROLES, Principal, Resource, Role
from helsefellesskap.access.service import AccessDenied, readable_persons
from helsefellesskap.access.users import list_users
from helsefellesskap.deps import get_database
from helsefellesskap.errors import DomainError, Forbidden, NotFound
from helsefellesskap.transitions import service
from helsefellesskap.transitions.alerts import RULES
from helsefellesskap.transitions.views import AlertPage, AlertView
from helsefellesskap.web.i18n import translations
from helsefellesskap.web.pages import forbidden_page
from helsefellesskap.web.session import navigation, require_principal
from helsefellesskap.web.templating import locale_of, render
from helsefellesskap.web.vocabulary import vocabulary

router = APIRouter(include_in_schema=False)
STATUSES = ("open", "acknowledged", "resolved", "all")
PAGE_SIZE = 50  # cards per page: a trust's year of open alerts (about 2 000 in the demo) took the browser 40 s
MAX_COMMENT = 2000  # the textarea's maxlength; the service allows more
STAFF_ROLES = CARE_ROLES


def colleagues(session: Session, principal: Principal) -> list[Principal]:
    """The people an alert can be assigned to: staff of the principal's own organisation."""
    return sorted((p for p in list_users(session) if p.organisation_address == principal.organisation_address
                   and p.has_any(STAFF_ROLES) and Role.MESSAGING_SYSTEM not in p.roles),
                  key=lambda p: p.display_name)


def _context(request: Request, principal: Principal, people: list[Principal], openable: set[str]) -> dict[str, Any]:
    _ = translations(locale_of(request)).gettext
    return {"principal": principal, "navigation": navigation(request, principal), "labels": vocabulary(_),
            "colleagues": people, "names": {p.username: p.display_name for p in people}, "rules": RULES,
            "statuses": STATUSES, "alert_dom_id": alert_dom_id, "openable": openable}


def _openable(session: Session, principal: Principal, alerts: list[AlertView], now: dt.datetime) -> set[str]:
    """The patients whose timeline the user may open: only they are linked. An alert addressed to the user's
    organisation is listed without a care relation (docs/access.md), and a link to a timeline it cannot open led
    to the "no access" page and a refusal in the audit log for following the page's own link."""
    return readable_persons(session, principal, [a.patient for a in alerts], Resource.PERSON_TIMELINE, now=now)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request) -> Response:
    principal = require_principal(request)
    if not principal.has_any(STAFF_ROLES):
        return forbidden_page(request, principal)
    status = request.query_params.get("status", "open")
    status = status if status in STATUSES else "open"
    rule = request.query_params.get("rule", "")
    rule = rule if rule in RULES else ""
    database = get_database(request)
    # Alerts name a hospital or a municipality that must act; a GP office has no inbox of its own (yet), so the
    # GP's page is the search for a patient's timeline.
    gp_only = not principal.has_any(HOSPITAL_ROLES | MUNICIPAL_ROLES)
    asked = _page_number(request.query_params.get("page", ""))
    try:
        with database.unit_of_work() as session:
            # the service builds and audits only the page shown; a page past the end shows the last one
            page = _alert_page(session, principal, current_time(request), status, rule, asked, gp_only)
            if not page.alerts and page.total:
                page = _alert_page(session, principal, current_time(request), status, rule,
                                   -(-page.total // PAGE_SIZE), gp_only)
            people = colleagues(session, principal)
            openable = _openable(session, principal, page.alerts, current_time(request))
    except AccessDenied as denied:
        record_refusal(database, denied)
        return forbidden_page(request, principal)
    except Forbidden:
        return forbidden_page(request, principal)
    total = page.total
    pages = max(1, -(-total // PAGE_SIZE))
    number = page.offset // PAGE_SIZE + 1
    first = page.offset
    query = {k: v for k, v in (("status", status), ("rule", rule)) if v}
    neighbours = (("previous", number - 1), ("next", number + 1))
    links = {name: "/alerts?" + urlencode({**query, "page": n}) for name, n in neighbours if 1 <= n <= pages}
    return render(request, "alerts.html", alerts=page.alerts, total=total, first=first + 1,
                  last=min(first + PAGE_SIZE, total), page=number, pages=pages, links=links, status=status,
                  rule=rule, gp_only=gp_only, **_context(request, principal, people, openable))


def _alert_page(session: Session, principal: Principal, now: dt.datetime, status: str, rule: str, number: int,
                gp_only: bool) -> AlertPage:
    if gp_only:
        return AlertPage(total=0, offset=0, alerts=[])
    return service.alert_page(session, principal, now=now, status=status, rule=rule or None, limit=PAGE_SIZE,
                              offset=(number - 1) * PAGE_SIZE)


def _page_number(raw: str) -> int:
    """The page asked for, 1 or more; junk is page 1 (a page past the end shows the last, above)."""
    return max(int(raw), 1) if raw.isdigit() and len(raw) < 7 else 1


Change = Callable[[Session, Principal], AlertView]


def _change(request: Request, alert_id: str, change: Change, invalid: str | None = None) -> Response:
    """Apply one change to an alert and answer with its card (htmx) or back to the inbox; errors inline."""
    principal = require_principal(request)
    if not principal.has_any(STAFF_ROLES):
        return forbidden_page(request, principal)
    _ = translations(locale_of(request)).gettext
    htmx = request.headers.get("hx-request") == "true"
    database = get_database(request)
    error = invalid
    if error is None:
        try:
            with database.unit_of_work() as session:
                alert = change(session, principal)
                people = colleagues(session, principal)
                openable = _openable(session, principal, [alert], current_time(request))
        except AccessDenied as denied:
            record_refusal(database, denied)
            error = _("You cannot change this alert.")
        except Forbidden:
            error = _("You cannot change this alert.")
        except NotFound:
            error = _("The alert was not found. It may have been removed when the stay was updated; reload the page.")
        except DomainError:
            # The service's details are English (the API's); the page says what to do in the user's language.
            error = _("The change was not saved. Check the form and try again.")
    if error is not None:
        if not htmx:
            return render(request, "error.html", status_code=422, principal=principal,
                          navigation=navigation(request, principal), title=_("Not saved"), message=error)
        # The card stays as it was; the error goes into its error region (htmx swaps 2xx answers only).
        return HTMLResponse(render_error(error), headers={"HX-Retarget": f"#{alert_dom_id(alert_id)}-error",
                                                          "HX-Reswap": "innerHTML"})
    if not htmx:
        return RedirectResponse("/alerts", status_code=303)
    return render(request, "alerts_card.html", alert=alert, **_context(request, principal, people, openable))


def render_error(message: str) -> str:
    return str(escape(message))


def alert_dom_id(alert_id: str) -> str:
    """An HTML id for an alert's card."""
    return "alert-" + re.sub(r"[^A-Za-z0-9_-]", "_", alert_id)


@router.post("/alerts/{alert_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(request: Request, alert_id: str) -> Response:
    now = current_time(request)
    return _change(request, alert_id, lambda s, p: service.acknowledge_alert(s, p, alert_id, now=now))


@router.post("/alerts/{alert_id}/assign", response_class=HTMLResponse)
def assign(request: Request, alert_id: str, assignee: Annotated[str, Form()] = "") -> Response:
    now = current_time(request)
    _ = translations(locale_of(request)).gettext
    principal = require_principal(request)
    with get_database(request).reading() as session:
        allowed = {p.username for p in colleagues(session, principal)}
    invalid = None if assignee in allowed else _("Choose a colleague in your organisation.")
    return _change(request, alert_id, lambda s, p: service.assign_alert(s, p, alert_id, assignee, now=now), invalid)


@router.post("/alerts/{alert_id}/comment", response_class=HTMLResponse)
def comment(request: Request, alert_id: str, text: Annotated[str, Form()] = "") -> Response:
    now = current_time(request)
    _ = translations(locale_of(request)).gettext
    # The length is checked here, not by the form parser, so a too long comment is a message in the card (the
    # parser's 422 is problem+json, which htmx does not show). The body limit still bounds the request.
    invalid = (_("Write a comment before saving.") if not text.strip()
               else _("A comment can be at most {limit} characters.").format(limit=MAX_COMMENT)
               if len(text.strip()) > MAX_COMMENT else None)
    return _change(request, alert_id, lambda s, p: service.comment_alert(s, p, alert_id, text.strip(), now=now),
                   invalid)
