"""Daily rates for the demo: ESTIMATES, clearly labelled, for the years the shipped table has no figure for.

The døgnpris (forskrift om kommunal betaling § 13) is set each year in the state budget. The platform ships the
official rates it could cite (`transitions/data/daily_rates.csv`, up to 2024: NOK 5 745); 2025 and 2026 were not
found in our sources, so their days are counted but not priced. So that the demo's ledger shows amounts, the
demo registers an estimate for those years: 2024's rate indexed by about 4 % a year (the domain fact sheet
§ 4.1: "≈ 5 950–6 000 if the usual ~4 % indexation holds"). The source text of each says it is a demo estimate,
not the official rate, and the ledger flags it as not from the official table. An installation sets the real
rates with `helsefellesskap transitions rates set YEAR NOK --source TEXT`.
"""

from __future__ import annotations

import datetime as dt

from helsefellesskap.access.model import Principal, Role
from helsefellesskap.db import Database
from helsefellesskap.transitions import rates_service
from helsefellesskap.transitions.rates import load_daily_rates

BASE_YEAR = 2024  # the latest official rate shipped: NOK 5 745 (Helsedirektoratet; fact sheet § 4.1 [V S8])
INDEXATION = 0.04  # "the usual ~4 % indexation" (fact sheet § 4.1) [B]
ESTIMATED_YEARS = (2025, 2026)
# The source is data an operator enters, shown as entered; a Norwegian installation writes it in Norwegian.
SOURCE = ("DEMOANSLAG, IKKE DEN OFFISIELLE SATSEN: {base} kr ({base_year}, Helsedirektoratet) prisjustert med om lag "
          "4 % i året for demoen; den offisielle satsen fra statsbudsjettet legges inn med "
          "'helsefellesskap transitions rates set'")
DEMO_OPERATOR = Principal("demo:rates", "demooppsettet", "The demo (estimated daily rates)", None,
                          frozenset({Role.ADMINISTRATOR}))


def demo_estimates() -> dict[int, int]:
    """NOK per day by year: the base year's official rate indexed by `INDEXATION` a year, to whole kroner."""
    base = load_daily_rates().rate(BASE_YEAR)
    assert base is not None and base.nok_per_day is not None, "the shipped table holds the base year's rate"
    return {year: round(base.nok_per_day * (1 + INDEXATION) ** (year - BASE_YEAR)) for year in ESTIMATED_YEARS}


def register_demo_rates(database: Database, *, now: dt.datetime) -> dict[int, int]:
    """Register the estimates for the years with no rate yet (an official or operator rate already there is left
    alone); setting one reprices the ledger already stored for its year (a demo database fed before). Run before
    the feed, so the feed prices every day it brings. Returns the estimates in force, by year. Idempotent: a
    second run changes nothing."""
    estimates = demo_estimates()
    base = load_daily_rates().rate(BASE_YEAR)
    source = SOURCE.format(base=f"{base.nok_per_day:,}".replace(",", " ") if base else "?", base_year=BASE_YEAR)
    registered: dict[int, int] = {}
    with database.unit_of_work() as session:
        effective = rates_service.effective_rates(session)
        for year, nok in estimates.items():
            rate = effective.rate(year)
            if rate is None or rate.nok_per_day is None:
                rates_service.set_rate(session, DEMO_OPERATOR, year, nok, source, now=now, request_source="demo")
                registered[year] = nok
            elif rate.source == source:  # ours from an earlier run: the feed has priced what came since
                registered[year] = rate.nok_per_day
    return registered
