"""The discharge boards: the hospital's (its active stays) and the municipality's (its residents in hospital, the
readiness notices awaiting its answer), sortable and filterable, refreshed in place by htmx; the municipality
answers "can receive from …" / "cannot receive yet" from its board.

Rows come from `transitions.service` (which authorizes and audits: one audit entry per person per board read):
it filters and sorts every stay of the board, then builds and audits only the page shown (`BOARD_PAGE_SIZE`)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import escape
from sqlalchemy.orm import Session

from helsefellesskap.access.http import current_time, record_refusal
from helsefellesskap.access.model import HOSPITAL_ROLES, MUNICIPAL_ROLES, Principal
from helsefellesskap.access.service import AccessDenied
from helsefellesskap.deps import get_database
from helsefellesskap.errors import DomainError, Forbidden, NotFound
from helsefellesskap.registry.reference import load_reference
from helsefellesskap.transitions import service
from helsefellesskap.transitions.ingest import MAX_RECEIVE_AHEAD, ReceiveFromOutOfRange
from helsefellesskap.transitions.notes import TEMPLATES
from helsefellesskap.transitions.service import MunicipalBoardPage
from helsefellesskap.transitions.views import BoardPage, BoardRow
from helsefellesskap.web.i18n import translations
from helsefellesskap.web.notes import note_renderer
from helsefellesskap.web.pages import forbidden_page
from helsefellesskap.web.session import navigation, require_principal
from helsefellesskap.web.templating import BABEL_LOCALE, locale_of, render
from helsefellesskap.web.vocabulary import ANSWERABLE_STATES, SERVICES, STATES, vocabulary

router = APIRouter(include_in_schema=False)
OSLO = ZoneInfo("Europe/Oslo")

# Sortable columns: key -> how a row sorts on it (None sorts last either way).
SORT_KEYS = ("patient", "municipality", "hospital", "service", "state", "admitted_at", "expected_discharge",
             "ready_at", "days_waiting", "payable_days", "obligations_overdue", "open_alerts")
DEFAULT_SORT = "days_waiting"
# Rows per page of a board: "all, also discharged" is ~8 000 stays in the demo's hospital board (12 MB of HTML, 9 s
# in the browser, 8 000 persons audited per view); the service builds and audits only the page.
BOARD_PAGE_SIZE = 100


@dataclass(frozen=True)
class BoardQuery:
    """The filters and sort order of a board, as they appear in its URL."""

    state: str = ""
    municipality: str = ""
    service: str = ""
    alerts_only: bool = False
    sort: str = DEFAULT_SORT
    descending: bool = True
    page: int = 1

    @classmethod
    def of(cls, request: Request) -> BoardQuery:
        q = request.query_params
        state = q.get("state", "")
        municipality = q.get("municipality", "")
        service_ = q.get("service", "")
        sort = q.get("sort", DEFAULT_SORT)
        return cls(state if state in STATES or state == "all" else "",
                   municipality if re.fullmatch(r"\d{4}", municipality) else "",
                   service_ if service_ in SERVICES else "",
                   q.get("alerts") == "1",
                   sort if sort in SORT_KEYS else DEFAULT_SORT,
                   q.get("dir", "desc") != "asc", _page_number(q.get("page", "")))

    def query_string(self) -> str:
        params = {"state": self.state, "municipality": self.municipality, "service": self.service,
                  "alerts": "1" if self.alerts_only else "", "sort": self.sort,
                  "dir": "desc" if self.descending else "asc", "page": str(self.page) if self.page > 1 else ""}
        return urlencode({k: v for k, v in params.items() if v})

    def at_page(self, page: int) -> BoardQuery:
        return replace(self, page=page)

    def sorted_by(self, sort: str, descending: bool) -> BoardQuery:
        """The same filters sorted otherwise, from page 1 (a sort link's target, which works without script)."""
        return replace(self, sort=sort, descending=descending, page=1)


def _page_number(raw: str) -> int:
    """The page asked for, 1 or more; junk is page 1 (a page past the end shows the last)."""
    return max(int(raw), 1) if raw.isdigit() and len(raw) < 7 else 1


def dom_id(stay_id: str) -> str:
    """An HTML id for a stay's row and its controls."""
    return "stay-" + re.sub(r"[^A-Za-z0-9_-]", "_", stay_id)


def _municipalities_of_hospital(address: str | None) -> list[tuple[str, str]]:
    """The municipalities whose residents the hospital's health trust serves (for the filter), by name."""
    reference = load_reference()
    trusts = {t.id for t in reference.health_trusts.values()
              if t.address == address or any(h.address == address for h in t.hospitals)}
    numbers = {m.municipality_number for m in reference.memberships
               if m.health_trust_id in trusts and m.valid_to is None}
    found = [(n, reference.municipalities[n].name) for n in numbers if n in reference.municipalities]
    return sorted(found, key=lambda item: item[1])


def _context(request: Request, principal: Principal, kind: str, query: BoardQuery, rows: list[BoardRow],
             **extra: object) -> dict[str, Any]:
    _ = translations(locale_of(request)).gettext
    return {"principal": principal, "navigation": navigation(request, principal), "kind": kind, "query": query,
            "rows": rows, "labels": vocabulary(_), "dom_id": dom_id, "answerable": ANSWERABLE_STATES,
            "states": STATES, "services": SERVICES, "base": f"/boards/{kind}", "errors": {}, "deadlines": {},
            "values": {}, "now": current_time(request), "paging": None, **extra}


def _push_url(response: Response, request: Request, kind: str, query: BoardQuery) -> None:
    """A filter or sort change puts the page's own URL in the address bar (so a reload keeps it); the periodic
    refresh (triggered by the board itself) does not add history entries."""
    if request.headers.get("hx-trigger") != "board":
        qs = query.query_string()
        response.headers["HX-Push-Url"] = f"/boards/{kind}" + (f"?{qs}" if qs else "")


# ---- the hospital's board ------------------------------------------------------------------------------------

def _hospital_page(session: Session, request: Request, principal: Principal, query: BoardQuery) -> BoardPage:
    return service.hospital_board_page(
        session, principal, now=current_time(request), state=query.state or None,
        municipality=query.municipality or None, service=query.service or None, alerts_only=query.alerts_only,
        sort=query.sort, descending=query.descending, limit=BOARD_PAGE_SIZE, offset=(query.page - 1) * BOARD_PAGE_SIZE)


@router.get("/boards/hospital", response_class=HTMLResponse)
def hospital_board_page(request: Request) -> Response:
    context = _board_context(request, "hospital")
    if isinstance(context, Response):
        return context
    principal: Principal = context["principal"]
    return render(request, "boards_hospital.html", **context,
                  municipalities=_municipalities_of_hospital(principal.organisation_address))


@router.get("/boards/hospital/rows", response_class=HTMLResponse)
def hospital_board_rows(request: Request) -> Response:
    return _board_rows(request, "hospital")


# ---- the municipality's board ----------------------------------------------------------------------------------

def _municipality_page(session: Session, request: Request, principal: Principal, query: BoardQuery,
                       stay_id: str | None = None) -> MunicipalBoardPage:
    return service.municipality_board_page(
        session, principal, now=current_time(request), state=query.state or None, service=query.service or None,
        alerts_only=query.alerts_only, stay_id=stay_id, sort=query.sort, descending=query.descending,
        limit=BOARD_PAGE_SIZE, offset=(query.page - 1) * BOARD_PAGE_SIZE)


def _deadlines(rows: list[BoardRow]) -> dict[str, dt.datetime]:
    """Per stay shown, the deadline of the municipality's answer still due."""
    return {r.stay_id: r.answer_due_at for r in rows if r.answer_due_at is not None}


@router.get("/boards/municipality", response_class=HTMLResponse)
def municipality_board_page(request: Request) -> Response:
    context = _board_context(request, "municipality")
    if isinstance(context, Response):
        return context
    return render(request, "boards_municipality.html", **context)


@router.get("/boards/municipality/rows", response_class=HTMLResponse)
def municipality_board_rows(request: Request) -> Response:
    return _board_rows(request, "municipality")


# ---- what the page and its htmx partial share ------------------------------------------------------------------

BOARD_ROLES = {"hospital": HOSPITAL_ROLES, "municipality": MUNICIPAL_ROLES}
Page = TypeVar("Page", bound=BoardPage)


def _read_page(request: Request, query: BoardQuery,
               read: Callable[[Session, BoardQuery], Page]) -> tuple[Page, BoardQuery]:
    """A page of a board (`read` asks the service, which builds and audits only the page) and the query with the
    page actually shown: one past the end shows the last. A refusal of person data is audited."""
    database = get_database(request)
    try:
        with database.unit_of_work() as session:
            page = read(session, query)
            if not page.rows and page.total:  # past the end: the last page
                query = query.at_page(-(-page.total // BOARD_PAGE_SIZE))
                page = read(session, query)
    except AccessDenied as denied:
        record_refusal(database, denied)
        raise
    return page, query


def _paging(total: int, shown: int, query: BoardQuery) -> dict[str, Any]:
    """What the pager under the table and the caption show."""
    pages = max(1, -(-total // BOARD_PAGE_SIZE))
    return {"total": total, "page": query.page, "pages": pages, "first": (query.page - 1) * BOARD_PAGE_SIZE + 1,
            "last": (query.page - 1) * BOARD_PAGE_SIZE + shown,
            "previous": query.at_page(query.page - 1).query_string() if query.page > 1 else None,
            "next": query.at_page(query.page + 1).query_string() if query.page < pages else None}


def _board_context(request: Request, kind: str) -> dict[str, Any] | Response:
    """The template context of a board for the signed-in user, or the 403 page: the role check, the filters, and
    the service's page of rows (a refusal is audited where the rows are read)."""
    principal = require_principal(request)
    if not principal.has_any(BOARD_ROLES[kind]):
        return forbidden_page(request, principal)
    query = BoardQuery.of(request)
    extra: dict[str, Any] = {}
    page: BoardPage
    try:
        if kind == "hospital":
            page, query = _read_page(request, query, lambda s, q: _hospital_page(s, request, principal, q))
        else:
            municipal, query = _read_page(request, query, lambda s, q: _municipality_page(s, request, principal, q))
            page = municipal
            extra = {"deadlines": _deadlines(municipal.rows), "summary": municipal.totals}
    except Forbidden:
        return forbidden_page(request, principal)
    return _context(request, principal, kind, query, page.rows, paging=_paging(page.total, len(page.rows), query),
                    **extra)


def _board_rows(request: Request, kind: str) -> Response:
    """The board's table alone (the htmx partial behind filters, sorting and the periodic refresh)."""
    context = _board_context(request, kind)
    if isinstance(context, Response):
        return context
    response = render(request, "boards_table.html", **context)
    _push_url(response, request, kind, context["query"])
    return response


def parse_oslo_time(text: str) -> dt.datetime:
    """A ``datetime-local`` value (wall-clock time in Norway) as an aware UTC time; ValueError if malformed."""
    local = dt.datetime.fromisoformat(text.strip())
    if local.tzinfo is not None:
        raise ValueError("expected a local time")
    try:
        return local.replace(tzinfo=OSLO).astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:30 lies before year 1 in UTC (it was a 500); other years the service bounds
        raise ValueError("out of range") from None


MAX_RECEIVE_FROM = 40  # a datetime-local value is 16 characters; longer is not a time


def _answer_error(request: Request, answer: str, receive_from: str) -> tuple[dt.datetime | None, str | None]:
    """Validate the answer form: (the time to receive from, or None for "at once"; a bokmål error or None).
    Lengths are checked here, not by the form parser, whose 422 is problem+json that htmx does not show."""
    _ = translations(locale_of(request)).gettext
    if answer not in ("can", "cannot"):
        return None, _("Choose whether the municipality can receive the patient.")
    if answer == "cannot" or not receive_from.strip():
        return None, None
    try:
        if len(receive_from) > MAX_RECEIVE_FROM:
            raise ValueError("too long")
        return parse_oslo_time(receive_from), None
    except ValueError:
        return None, _("Enter the date and time as day, month, year and hour:minute.")


def _out_of_range(request: Request, refused: ReceiveFromOutOfRange) -> str:
    """The service's bounds on "can receive from" in the user's words, with the dates."""
    _ = translations(locale_of(request)).gettext
    locale = BABEL_LOCALE[locale_of(request)]

    def when(value: dt.datetime) -> str:
        return format_datetime(value.astimezone(OSLO), "short", locale=locale)

    if refused.earliest is not None:
        return _("Choose a time from the readiness notice ({earliest}) to at most {days} days ahead ({latest})."
                 ).format(earliest=when(refused.earliest), days=MAX_RECEIVE_AHEAD.days, latest=when(refused.latest))
    return _("Choose a time at most {days} days ahead ({latest}).").format(days=MAX_RECEIVE_AHEAD.days,
                                                                          latest=when(refused.latest))


def _answer(request: Request, principal: Principal, stay_id: str, can: bool,
            receive_from: dt.datetime | None) -> str | None:
    """Send the answer through the service; a bokmål error if it was not accepted (the service's details are
    English, the API's: the page says what to do in the user's language)."""
    _ = translations(locale_of(request)).gettext
    database = get_database(request)
    try:
        with database.unit_of_work() as session:
            receipt = service.answer_readiness(session, principal, stay_id, can_receive=can,
                                               receive_from=receive_from, now=current_time(request))
    except AccessDenied as denied:
        record_refusal(database, denied)
        return _("You cannot answer for this patient.")
    except Forbidden:
        return _("You cannot answer for this patient.")
    except NotFound:
        return _("The stay was not found. The patient may have been moved or discharged; reload the page.")
    except ReceiveFromOutOfRange as refused:
        return _out_of_range(request, refused)
    except DomainError:
        return _("The answer was not saved. Check the form and try again.")
    if receipt.status != "ok":
        locale = BABEL_LOCALE[locale_of(request)]
        note = note_renderer(_, lambda d: format_date(d, "short", locale=locale),
                             lambda t: format_datetime(t.astimezone(OSLO), "short", locale=locale))
        if not receipt.errors or any(e.code not in TEMPLATES for e in receipt.errors):
            return _("The answer was not saved. Check the form and try again.")
        # note() escapes for HTML; the message is escaped again where the template shows it
        reasons = "; ".join(html.unescape(str(note(e))) for e in receipt.errors)
        return _("The answer was not accepted: {reason}").format(reason=reasons)
    return None


# `:path`: a hospital's stay id may hold "/" (the template percent-encodes the rest of it)
@router.post("/boards/municipality/stays/{stay_id:path}/answer", response_class=HTMLResponse)
def answer_from_board(request: Request, stay_id: str, answer: Annotated[str, Form()] = "",
                      receive_from: Annotated[str, Form()] = "") -> Response:
    principal = require_principal(request)
    if not principal.has_any(MUNICIPAL_ROLES):
        return forbidden_page(request, principal)
    when, error = _answer_error(request, answer, receive_from)
    if error is None:
        error = _answer(request, principal, stay_id, answer == "can", when)
    htmx = request.headers.get("hx-request") == "true"
    if error is None and not htmx:
        return RedirectResponse("/boards/municipality", status_code=303)
    query = BoardQuery()
    only = stay_id if htmx else None  # htmx swaps the answered stay's row alone; without JavaScript: page 1
    try:
        page, _ = _read_page(request, query, lambda s, q: _municipality_page(s, request, principal, q, only))
    except Forbidden:
        return forbidden_page(request, principal)
    rows, deadlines = page.rows, _deadlines(page.rows)
    errors = {stay_id: error} if error else {}
    values = {stay_id: {"answer": answer, "receive_from": receive_from}} if error else {}
    status = 422 if error else 200
    if not htmx:
        shown = any(r.stay_id == stay_id and r.state in ANSWERABLE_STATES for r in rows)
        return render(request, "boards_municipality.html", status_code=status, **_context(
            request, principal, "municipality", query, rows, deadlines=deadlines, summary=page.totals,
            paging=_paging(page.total, len(rows), query), errors=errors, values=values,
            page_error=None if shown else error))
    row = next((r for r in rows if r.stay_id == stay_id), None)
    message = f'<tr><td colspan="10" class="error" role="alert">{escape(error)}</td></tr>' if error else ""
    if row is None:  # no longer on this board (discharged meanwhile, or not this municipality's resident)
        return HTMLResponse(message)
    # htmx swaps only 2xx answers by default: the row with its inline error comes back with 200.
    response = render(request, "boards_row.html", **_context(
        request, principal, "municipality", query, [row], deadlines=deadlines, errors=errors, values=values,
        row=row))
    if error and row.state not in ANSWERABLE_STATES:  # the row has no answer form to hold the error: a row below
        return HTMLResponse(bytes(response.body).decode() + message)
    return response
