"""The payment ledger (forskrift § 13) from the stored projection: payable days and amounts per paying
municipality x health trust x month, the same lines as `transitions ledger` computes from a log.

Who sees what: municipal staff (allocation office, coordinators) see their municipality's lines, hospital
discharge coordinators their health trust's. The ledger holds no person data (counts and amounts). A stay still
waiting counts its days up to the latest refold of the stay. Each month is priced when read, at the effective daily
rate of its year (the shipped table with an administrator's rates over it, `rates_service`), so a rate set today
prices every line at once; each line names the rate and whether it is from the shipped official table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import MUNICIPAL_ROLES, Action, Principal, Resource
from helsefellesskap.errors import InvalidInput, NotFound
from helsefellesskap.registry.organisations import get_organisation
from helsefellesskap.transitions.rates_service import effective_rates
from helsefellesskap.transitions.readmodel import municipality_ref
from helsefellesskap.transitions.store import PayableMonthRow
from helsefellesskap.transitions.views import LedgerRow

CSV_COLUMNS = ("municipality", "municipality_name", "health_trust", "health_trust_name", "month", "payable_days",
               "unpriced_days", "amount_ore", "amount_nok", "daily_rate_nok", "daily_rate_origin")


def _trust_names() -> dict[str, str]:
    from helsefellesskap.registry.reference import load_reference

    return {trust_id: trust.name for trust_id, trust in load_reference().health_trusts.items()}


def _municipality_number(session: Session, party: str | None) -> str | None:
    try:
        return get_organisation(session, party).municipality_number if party else None
    except NotFound:
        return None


def payment_ledger(session: Session, principal: Principal, *, now: dt.datetime, municipality: str | None = None,
                   health_trust: str | None = None, month: str | None = None) -> list[LedgerRow]:
    access.authorize(session, principal, Resource.LEDGER, Action.READ, now=now)
    if month is not None and not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", month):
        raise InvalidInput("month is YYYY-MM.")
    party = access.principal_party(session, principal)
    query = select(PayableMonthRow.municipality, PayableMonthRow.health_trust, PayableMonthRow.month,
                   func.sum(PayableMonthRow.payable_days))
    if principal.has_any(MUNICIPAL_ROLES):  # a municipality's own lines
        query = query.where(PayableMonthRow.municipality == _municipality_number(session, party))
    else:  # a health trust's own lines
        query = query.where(PayableMonthRow.hospital_party == party)
    if municipality is not None:
        query = query.where(PayableMonthRow.municipality == municipality)
    if health_trust is not None:
        query = query.where(PayableMonthRow.health_trust == health_trust)
    if month is not None:
        query = query.where(PayableMonthRow.month == month)
    query = query.group_by(PayableMonthRow.municipality, PayableMonthRow.health_trust, PayableMonthRow.month).order_by(
        PayableMonthRow.municipality, PayableMonthRow.health_trust, PayableMonthRow.month)
    trusts = _trust_names()
    rates = effective_rates(session)
    rows = []
    for m, t, mo, days in session.execute(query):
        # § 13: each day at the rate of its own year; a year without a known rate leaves its days unpriced.
        rate = rates.rate(int(mo[:4]))
        nok = rate.nok_per_day if rate is not None else None
        ore = int(days) * nok * 100 if nok is not None else 0
        rows.append(LedgerRow(municipality=m, municipality_name=municipality_ref(m).name, health_trust=t,
                              health_trust_name=trusts.get(t), month=mo, payable_days=int(days),
                              unpriced_days=0 if nok is not None else int(days), amount_ore=ore,
                              amount_nok=Decimal(ore) / 100, daily_rate_nok=nok,
                              daily_rate_origin=rate.origin if nok is not None and rate is not None else None))
    return rows


def ledger_csv(rows: list[LedgerRow]) -> str:
    """The ledger as CSV (comma-separated, a header line, amounts in NOK with two decimals and in øre)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.municipality, row.municipality_name or "", row.health_trust, row.health_trust_name or "",
                         row.month, row.payable_days, row.unpriced_days, row.amount_ore, f"{row.amount_nok:.2f}",
                         row.daily_rate_nok if row.daily_rate_nok is not None else "", row.daily_rate_origin or ""])
    return out.getvalue()

