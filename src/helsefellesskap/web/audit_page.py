"""The audit page: compliance queries over the audit log — by person, user, organisation, and the emergency
accesses to review — for compliance officers and administrators, through `access.compliance.compliance_query`
(which authorizes and audits the query itself)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from helsefellesskap.access.audit import AuditFilter
from helsefellesskap.access.compliance import compliance_query, organisation_name
from helsefellesskap.access.http import current_time, request_source
from helsefellesskap.deps import get_database
from helsefellesskap.errors import Forbidden, InvalidInput
from helsefellesskap.moments import check_moment
from helsefellesskap.web.audit_words import basis_labels, reason_words, resource_labels
from helsefellesskap.web.i18n import translations
from helsefellesskap.web.pages import forbidden_page
from helsefellesskap.web.session import navigation, require_principal
from helsefellesskap.web.templating import locale_of, render

router = APIRouter(include_in_schema=False)
OSLO = ZoneInfo("Europe/Oslo")
LIMIT = 500


def _day(text: str, end: bool = False) -> datetime | None:
    """A date field as the start (or end) of that day in Oslo; empty or malformed: no bound."""
    try:
        day = date.fromisoformat(text)
        return check_moment(datetime.combine(day, time.max if end else time.min, tzinfo=OSLO), "the date")
    except ValueError:  # malformed, or a year like 0001 or 9999 (its UTC time overflowed: a 500)
        return None


def _criteria(request: Request) -> tuple[dict[str, str], AuditFilter]:
    q = request.query_params
    form = {name: q.get(name, "").strip()[:100] for name in ("person", "user", "organisation", "since", "until")}
    form["emergency"] = "on" if q.get("emergency") else ""
    criteria = AuditFilter(person=form["person"] or None, user=form["user"] or None,
                           organisation=form["organisation"] or None, emergency=True if form["emergency"] else None,
                           since=_day(form["since"]), until=_day(form["until"], end=True), limit=LIMIT)
    return form, criteria


def _date_error(form: dict[str, str], _: Callable[[str], str]) -> str | None:
    since, until = _day(form["since"]), _day(form["until"], end=True)
    if (form["since"] and since is None) or (form["until"] and until is None):
        return _("Write the dates as year-month-day, for example 2026-03-31.")
    if since is not None and until is not None and since > until:
        return _("The from date is after the to date.")
    return None


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> Response:
    principal = require_principal(request)
    _ = translations(locale_of(request)).gettext
    form, criteria = _criteria(request)
    error = _date_error(form, _)
    entries: list[dict[str, Any]] = []
    if error is not None:  # a junk date would otherwise be dropped silently and the search run without it
        return render(request, "audit.html", status_code=422, principal=principal,
                      navigation=navigation(request, principal), form=form, entries=entries, error=error,
                      limit=LIMIT)
    try:
        with get_database(request).unit_of_work() as session:
            rows = compliance_query(session, principal, criteria, now=current_time(request),
                                    source=request_source(request))
            names: dict[str, str | None] = {}

            def name_of(address: str | None) -> str:
                if not address:
                    return ""
                if address not in names:
                    names[address] = organisation_name(session, address)
                return names[address] or address

            resources, bases = resource_labels(_), basis_labels(_)
            for row in rows:
                entries.append({"at": row.at, "name": row.display_name, "username": row.username,
                                "organisation": name_of(row.organisation_address), "role": row.role,
                                "action": row.action, "resource": resources.get(row.resource, row.resource),
                                "person": row.national_id, "outcome": row.outcome, "basis": row.basis_kind,
                                "basis_label": bases.get(row.basis_kind or "", row.basis_kind or ""),
                                "reason": reason_words(row.reason, _, name_of)})
    except Forbidden:
        return forbidden_page(request, principal)
    except InvalidInput:
        error = _("That is not a valid national identity number.")
    return render(request, "audit.html", status_code=422 if error else 200, principal=principal,
                  navigation=navigation(request, principal), form=form, entries=entries, error=error, limit=LIMIT)
