"""The community dashboard: an indicator by month, municipality and priority group, and the comparison among the
helsefellesskap communities — aggregates only (analysts and administrators; the access policy decides), every
rate beside its numerator and denominator, counts under the threshold suppressed by the indicators service.
Charts are server-side SVG with the same numbers in a table."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from contextlib import suppress
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from helsefellesskap.access.http import current_time
from helsefellesskap.access.model import Role
from helsefellesskap.access.service import authorize_aggregate
from helsefellesskap.deps import get_app_settings, get_database
from helsefellesskap.errors import Forbidden, InvalidInput, NotFound
from helsefellesskap.indicators.catalogue import CATALOGUE
from helsefellesskap.indicators.model import Dimension, IndicatorDefinition, IndicatorResult
from helsefellesskap.registry.reference import load_reference
from helsefellesskap.web.charts import ChartPoint, columns, horizontal_bars
from helsefellesskap.web.dashboard_figures import figures
from helsefellesskap.web.i18n import translations
from helsefellesskap.web.pages import forbidden_page
from helsefellesskap.web.session import navigation, require_principal
from helsefellesskap.web.templating import BABEL_LOCALE, locale_of, render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
DASHBOARD_ROLES = frozenset({Role.ANALYST, Role.ADMINISTRATOR})  # the dashboard's audience (the menu shows it)


def indicator_labels(_: Any) -> dict[str, str]:
    return {
        "readmission_elderly_30d": _("30-day readmission of the elderly"),
        "delayed_discharge_days_67": _("Delayed-discharge days per 1 000 inhabitants aged 67+"),
        "delayed_discharge_days_80": _("Delayed-discharge days per 1 000 inhabitants aged 80+"),
        "notices_on_time": _("Admission and readiness notices on time"),
        "transitions_per_person_year": _("Transitions between care levels per person-year"),
        "three_transitions_in_30_days": _("Persons with three or more transitions within 30 days"),
        "days_ready_to_discharge": _("Days from ready for discharge to discharge"),
        "days_first_stay_to_nursing_home": _("Days from first stay to nursing-home admission"),
    }


def unit_labels(_: Any) -> dict[str, str]:
    return {"percent": _("per cent"), "days per 1 000 inhabitants": _("days per 1 000 inhabitants"),
            "per person-year": _("per person-year"), "days (mean)": _("days on average")}


def group_labels(_: Any) -> dict[str, str]:
    return {"children_and_youth": _("Children and youth"),
            "severe_mental_illness_and_substance_use": _("Severe mental illness and substance use"),
            "frail_elderly": _("Frail elderly"), "multiple_chronic_conditions": _("Multiple chronic conditions"),
            "pregnancy_birth_postnatal": _("Pregnancy, birth and postnatal care"), "none": _("In no priority group")}


def _chosen(request: Request) -> IndicatorDefinition:
    wanted = request.query_params.get("indicator") or CATALOGUE[0].id
    for definition in CATALOGUE:
        if definition.id == wanted:
            return definition
    raise NotFound(f"No indicator {wanted!r}.")


def _rows(results: Sequence[IndicatorResult], dimension: Dimension, names: dict[str, str], locale: str,
          _: Any, unit: str) -> list[dict[str, Any]]:
    """Table rows and chart values; a percentage carries its sign (other units are in the column header)."""
    suffix = "\u00a0%" if unit == "percent" else ""
    rows = []
    for r in results:
        key = r.dimensions.get(dimension.value, "")
        shown = (_("suppressed") if r.suppressed else "–" if r.rate is None
                 else format_decimal(round(r.rate, _decimals(r.rate)), locale=BABEL_LOCALE[locale]) + suffix)
        rows.append({"key": key, "label": names.get(key, key), "numerator": r.numerator,
                     "denominator": r.denominator, "rate": r.rate, "shown": shown, "suppressed": r.suppressed})
    return rows


def _decimals(rate: float) -> int:
    """One decimal, two under 1: transitions per person-year (about 0.3) read 0,3 in every month with one."""
    return 2 if abs(rate) < 1 else 1


def _month_names(results: Sequence[IndicatorResult], locale: str, pattern: str = "MMM y") -> dict[str, str]:
    """Months by name ("2026-03" → "mars 2026"; under a chart's column "mars 26"): "26-03" read as a date."""
    names = {}
    for r in results:
        key = r.dimensions.get(Dimension.month.value, "")
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}", key):
            names[key] = format_date(date(int(key[:4]), int(key[5:]), 1), pattern, locale=BABEL_LOCALE[locale])
    return names


def _points(rows: list[dict[str, Any]], labels: dict[str, str] | None = None) -> list[ChartPoint]:
    return [ChartPoint((labels or {}).get(row["key"], row["label"]), None if row["suppressed"] else row["rate"],
                       row["shown"]) for row in rows]


def _sections(request: Request, definition: IndicatorDefinition, _: Any) -> dict[str, Any]:
    settings, database, locale = get_app_settings(request), get_database(request), locale_of(request)
    reference = load_reference()
    municipalities = {m.number: m.name for m in reference.municipalities.values()}
    communities = {c.id: c.name for c in reference.communities.values()}
    name = indicator_labels(_)[definition.id]
    by_month = figures(settings, database, definition.id, (Dimension.month,))
    unit = definition.unit
    month = _rows(by_month.results, Dimension.month, _month_names(by_month.results, locale), locale, _, unit)
    municipality = _rows(figures(settings, database, definition.id, (Dimension.community, Dimension.municipality))
                         .results, Dimension.municipality, municipalities, locale, _, unit)
    group = _rows(figures(settings, database, definition.id, (Dimension.priority_group,)).results,
                  Dimension.priority_group, group_labels(_), locale, _, unit)
    community = _rows(figures(settings, database, definition.id, (Dimension.community,)).results,
                      Dimension.community, communities, locale, _, unit)
    charts = {
        "month": columns("chart-month", _("{name} by month").format(name=name),
                         _("Columns: one per month; the same numbers are in the table below."),
                         _points(month, _month_names(by_month.results, locale, "MMM yy"))),
        "municipality": horizontal_bars("chart-municipality", _("{name} by municipality").format(name=name),
                                        _("Bars: one per municipality; the same numbers are in the table below."),
                                        _points(municipality)),
        "group": horizontal_bars("chart-group", _("{name} by priority group").format(name=name),
                                 _("Bars: one per priority group; the same numbers are in the table below."),
                                 _points(group)),
        "community": horizontal_bars("chart-community", _("{name} by health community").format(name=name),
                                     _("Bars: one per health community in the data; the same numbers are in the "
                                       "table below."), _points(community)),
    }
    present = sorted(communities.get(r["key"], r["key"]) for r in community)
    return {"period": by_month.period, "last_day": by_month.period.end - timedelta(days=1),
            "month": month, "municipality": municipality, "group": group,
            "community": community, "charts": charts, "communities_present": present,
            "communities_total": len(communities), "threshold": settings.small_cell_threshold}


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    principal = require_principal(request)
    _ = translations(locale_of(request)).gettext
    try:
        authorize_aggregate(principal, now=current_time(request))
        if not principal.has_any(DASHBOARD_ROLES):
            raise Forbidden("The community dashboard is for analysts and administrators.")
    except Forbidden:
        return forbidden_page(request, principal)
    try:
        definition = _chosen(request)
    except NotFound:  # a junk or stale ?indicator= (a bookmark): a page, not the API's problem+json
        return render(request, "error.html", status_code=404, principal=principal,
                      navigation=navigation(request, principal), title=_("Unknown indicator"),
                      message=_("There is no indicator by that name. Choose one on the community dashboard."),
                      link=("/dashboard", _("Community dashboard")))
    context: dict[str, Any] = {"definition": definition, "indicators": indicator_labels(_),
                               "units": unit_labels(_), "figures": None}
    try:
        with suppress(NotFound):  # no twin loaded: the page says so
            context["figures"] = _sections(request, definition, _)
    except InvalidInput as error:  # the configured twin directory is not a twin: the operator's to mend, not the user's
        log.warning("the community dashboard cannot read its twin: %s", error)
        return render(request, "error.html", status_code=503, principal=principal,
                      navigation=navigation(request, principal), title=_("The figures cannot be shown"),
                      message=_("The synthetic twin the dashboard is set up to read cannot be read. Ask the "
                                "operator to check the setting HELSEFELLESSKAP_TWIN_DIRECTORY."))
    template = "dashboard_figures.html" if request.headers.get("hx-request") else "dashboard.html"
    response = render(request, template, principal=principal, navigation=navigation(request, principal), **context)
    response.headers["Vary"] = "HX-Request"  # the fragment and the whole page share a URL
    return response
