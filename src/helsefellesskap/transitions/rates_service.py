"""The daily rates (døgnpris, forskrift § 13) as an operator-maintained parameter.

The shipped table (`data/daily_rates.csv`) holds the official rates the project could cite; the state budget
sets a new one each year. An administrator sets a year's rate here (`daily_rates` table, with its source): it
overrides or extends the shipped table. The effective rates price every refold from then on, and setting a
rate reprices the stored projection of that year at once (payable months, the stays' amounts, and the note
that the year was unpriced), in the same transaction. Every change is audited; reading the rates needs the
ledger's roles (or an administrator's).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import Action, Principal, Resource
from helsefellesskap.transitions.rates import DailyRate, DailyRates, RateOrigin, load_daily_rates, validate_rate
from helsefellesskap.transitions.store import DailyRateRow, PayableMonthRow

_CACHE_KEY = "helsefellesskap.transitions.daily_rates"


class DailyRateView(BaseModel):
    year: int
    nok_per_day: int | None = Field(description="NOK per delayed-discharge day; null: not known (days unpriced).")
    source: str = Field(description="Where the figure comes from.")
    origin: str = Field(description="shipped: the official table shipped with the platform; operator: set by an "
                                    "administrator in this installation (not from the shipped official table).")
    official: bool = Field(description="Whether the rate is from the shipped official table.")
    set_by: str | None = None
    set_at: dt.datetime | None = None


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)  # SQLite: naive


def _operator_rates(session: Session) -> list[DailyRateRow]:
    return list(session.scalars(select(DailyRateRow).order_by(DailyRateRow.year)))


def effective_rates(session: Session) -> DailyRates:
    """The shipped rates with the operator's over them. Read once per session (a unit of work): a refold of
    many messages in one transaction reads the table once."""
    cached = session.info.get(_CACHE_KEY)
    if isinstance(cached, DailyRates):
        return cached
    rates = load_daily_rates().with_overrides([
        DailyRate(row.year, row.nok_per_day, row.source, RateOrigin.OPERATOR) for row in _operator_rates(session)])
    session.info[_CACHE_KEY] = rates
    return rates


def _views(session: Session) -> list[DailyRateView]:
    rows = {row.year: row for row in _operator_rates(session)}
    views = []
    for rate in load_daily_rates().with_overrides(
            [DailyRate(r.year, r.nok_per_day, r.source, RateOrigin.OPERATOR) for r in rows.values()]).all:
        row = rows.get(rate.year)
        views.append(DailyRateView(year=rate.year, nok_per_day=rate.nok_per_day, source=rate.source,
                                   origin=rate.origin, official=rate.origin == RateOrigin.SHIPPED,
                                   set_by=row.set_by if row else None,
                                   set_at=_utc(row.set_at) if row else None))
    return views


def list_rates(session: Session, principal: Principal, *, now: dt.datetime) -> list[DailyRateView]:
    """Every year's effective rate, with its source and whether it is from the shipped official table."""
    access.authorize(session, principal, Resource.DAILY_RATES, Action.READ, now=now)
    return _views(session)


def set_rate(session: Session, principal: Principal, year: int, nok_per_day: int, source: str, *,
             now: dt.datetime, request_source: str | None = None) -> DailyRateView:
    """Set (or replace) a year's rate; audited, and the stored projection of that year repriced."""
    basis = access.authorize(session, principal, Resource.DAILY_RATES, Action.WRITE, now=now)
    rate = validate_rate(year, nok_per_day, source)
    before = effective_rates(session).rate(year)
    row = session.get(DailyRateRow, year) or DailyRateRow(year=year)
    row.nok_per_day, row.source, row.set_by, row.set_at = nok_per_day, rate.source, principal.username, now
    session.add(row)
    session.flush()
    session.info.pop(_CACHE_KEY, None)
    was = f"{before.nok_per_day} NOK ({before.origin})" if before and before.nok_per_day else "no rate"
    access.audit(session, principal, action=Action.WRITE, resource=Resource.DAILY_RATES, now=now, basis=basis,
                 reason=f"daily rate {year} set to {rate.nok_per_day} NOK (was {was}); source: {rate.source}",
                 source=request_source)
    reprice_year(session, year, now=now)
    return next(view for view in _views(session) if view.year == year)


def reprice_year(session: Session, year: int, *, now: dt.datetime) -> int:
    """Price the stored payable days of `year` at the effective rate (§ 13: each day at the rate of its own
    year): the stays with payable days in that year are refolded with the effective rates, so their payable
    months, amounts, notes and fingerprints are what the next message's refold would write. Returns the number
    of stays whose projection changed."""
    from helsefellesskap.transitions import batch  # batch prices its refolds with `effective_rates` from here

    session.flush()
    in_year = PayableMonthRow.month.like(f"{year:04d}-%")
    stay_ids = set(session.scalars(select(PayableMonthRow.stay_id).where(in_year).distinct()))
    return batch.refold_stays(session, stay_ids, now=now, rates=effective_rates(session))
