"""The payment ledger page: payable days and amounts per paying municipality × health trust × month
(forskrift § 13), from `transitions.service.payment_ledger` — which decides who sees which lines (municipal staff
their municipality's, discharge coordinators their trust's) — with the API's CSV as the download; and the daily
rate (døgnpris) of each year in it, with its source, a rate set by an administrator flagged as not from the shipped
official table."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from helsefellesskap.access.http import current_time
from helsefellesskap.deps import get_database
from helsefellesskap.errors import Forbidden
from helsefellesskap.transitions import rates_service, service
from helsefellesskap.web.pages import forbidden_page
from helsefellesskap.web.session import navigation, require_principal
from helsefellesskap.web.templating import render

router = APIRouter(include_in_schema=False)
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
MUNICIPALITY = re.compile(r"[0-9]{4}")


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    month, municipality = q.get("month", ""), q.get("municipality", "")
    return {"month": month if MONTH.fullmatch(month) else "",
            "municipality": municipality if MUNICIPALITY.fullmatch(municipality) else ""}


@router.get("/ledger", response_class=HTMLResponse)
def ledger(request: Request) -> Response:
    principal = require_principal(request)
    chosen = _filters(request)
    now = current_time(request)
    try:
        with get_database(request).unit_of_work() as session:
            every = service.payment_ledger(session, principal, now=now)
            years = {int(r.month[:4]) for r in every}
            rates = [rate for rate in rates_service.list_rates(session, principal, now=now) if rate.year in years]
    except Forbidden:
        return forbidden_page(request, principal)
    rows = [r for r in every if (not chosen["month"] or r.month == chosen["month"])
            and (not chosen["municipality"] or r.municipality == chosen["municipality"])]
    totals: dict[str, Any] = {"payable_days": sum(r.payable_days for r in rows),
                              "unpriced_days": sum(r.unpriced_days for r in rows),
                              "amount_nok": sum((r.amount_nok for r in rows), Decimal(0))}
    query = {k: v for k, v in chosen.items() if v}
    return render(request, "ledger.html", principal=principal, navigation=navigation(request, principal),
                  rows=rows, totals=totals, chosen=chosen, rates=rates,
                  months=sorted({r.month for r in every}, reverse=True),
                  municipalities=sorted({(r.municipality, r.municipality_name or r.municipality) for r in every}),
                  csv_url="/api/v1/ledger?" + urlencode({**query, "format": "csv"}), month_start=month_start)


def month_start(month: str) -> date:
    """The first day of a ledger month ("2026-03"), to show it by name ("mars 2026")."""
    return date(int(month[:4]), int(month[5:7]), 1)
