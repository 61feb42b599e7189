"""The GP's work list, "Mine pasienter": the persons on the GP office's list who are in hospital now or were
discharged in the last 30 days, from `transitions.service.gp_list` (which authorizes — the GP role, its own
party's list — and audits one entry per person shown). Each row links to the person's timeline."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from helsefellesskap.access.http import current_time
from helsefellesskap.deps import get_database
from helsefellesskap.errors import Forbidden
from helsefellesskap.transitions import service
from helsefellesskap.transitions.gp_list import RECENT_DAYS
from helsefellesskap.web.i18n import translations
from helsefellesskap.web.pages import forbidden_page
from helsefellesskap.web.session import navigation, require_principal
from helsefellesskap.web.templating import locale_of, render
from helsefellesskap.web.vocabulary import vocabulary

router = APIRouter(include_in_schema=False)
PATH = "/patients"


@router.get(PATH, response_class=HTMLResponse)
def gp_list_page(request: Request) -> Response:
    principal = require_principal(request)
    try:
        with get_database(request).unit_of_work() as session:
            rows = service.gp_list(session, principal, now=current_time(request))
    except Forbidden:
        return forbidden_page(request, principal)
    _ = translations(locale_of(request)).gettext
    return render(request, "gp_list.html", principal=principal, navigation=navigation(request, principal),
                  rows=rows, labels=vocabulary(_), recent_days=RECENT_DAYS,
                  in_hospital=sum(r.in_hospital for r in rows))
